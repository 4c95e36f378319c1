"""Schema 8: the customer register.

A new table `customers` (name, its casefolded `name_key`, unique, email, delivery
address, fulfilment policy, priority). Orders gain `customer_id` (required, a customer
in the register), `address`, `reference`, `policy` (None: the customer's) and
`priority` (the customer's, copied so that the allocation sorts on orders alone).

The register is made from the names already on orders: one customer per casefolded name
(`domain.customers.register_from_spellings`: the spelling most orders use, ties to the
one on the earliest order), and every order is linked to it. An order's `customer`
text becomes its customer's registered name (the tool keeps the two equal from now on),
so `Hansen & Søn VVS` and `hansen & søn vvs` are one customer in every listing.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from backorder_cli.domain.customers import Spelling, name_key, register_from_spellings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False, unique=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("policy", sa.String(), nullable=False, server_default="manual"),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("orders", sa.Column("customer_id", sa.Integer(), nullable=True))
    op.add_column("orders", sa.Column("address", sa.String(), nullable=True))
    op.add_column("orders", sa.Column("reference", sa.String(), nullable=True))
    op.add_column("orders", sa.Column("policy", sa.String(), nullable=True))
    op.add_column("orders", sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
    _register(op.get_bind())
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_orders_customer_id", "customers", ["customer_id"], ["id"])
        batch.create_index("ix_orders_customer_id", ["customer_id"])
    op.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")


def _register(conn: sa.Connection) -> None:
    spellings = [
        Spelling(name, count, first)
        for name, count, first in conn.exec_driver_sql(
            "SELECT customer, COUNT(*), MIN(number) FROM orders GROUP BY customer"
        )
    ]
    register = register_from_spellings(spellings)
    if not register:
        return
    conn.execute(
        sa.text("INSERT INTO customers (name, name_key) VALUES (:name, :key)"),
        [{"name": name, "key": key} for key, name in sorted(register.items())],
    )
    ids: dict[str, int] = dict(conn.exec_driver_sql("SELECT name_key, id FROM customers").all())
    # One pass over orders whatever the number of names: each spelling's customer in a
    # table of its own (indexed by spelling; orders.customer has no index), read by
    # two correlated look-ups, then dropped.
    op.create_table(
        "_spellings",
        sa.Column("spelling", sa.String(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
    )
    conn.execute(
        sa.text("INSERT INTO _spellings VALUES (:spelling, :id, :name)"),
        [
            {"spelling": s.name, "id": ids[name_key(s.name)], "name": register[name_key(s.name)]}
            for s in spellings
        ],
    )
    conn.exec_driver_sql(
        "UPDATE orders SET "
        "customer_id = (SELECT customer_id FROM _spellings WHERE spelling = orders.customer), "
        "customer = (SELECT name FROM _spellings WHERE spelling = orders.customer)"
    )
    op.drop_table("_spellings")


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_customer_id")
        batch.drop_constraint("fk_orders_customer_id", type_="foreignkey")
        for column in ("priority", "policy", "reference", "address", "customer_id"):
            batch.drop_column(column)
    op.drop_table("customers")
    op.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
