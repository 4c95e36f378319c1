"""Schema 7: incoming supply.

New tables `purchases` (a purchase order to a supplier, expected on a day),
`purchase_lines` (ordered, received and canceled quantities per SKU, at a unit cost)
and `purchase_history`; products gain a default `supplier` and a `lead_time` in days;
the counter gains the `purchase` series. Nothing existing changes.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("product", sa.Column("supplier", sa.String(), nullable=False, server_default=""))
    op.add_column("product", sa.Column("lead_time", sa.Integer(), nullable=True))
    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("supplier", sa.String(), nullable=False),
        sa.Column("expected", sa.Date(), nullable=False),
        sa.Column("comment", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_purchases_status_expected", "purchases", ["status", "expected"])
    op.create_table(
        "purchase_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purchase_id", sa.Integer(), sa.ForeignKey("purchases.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("canceled", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_purchase_lines_quantity_positive"),
        sa.CheckConstraint(
            "received >= 0 AND canceled >= 0", name="ck_purchase_lines_amounts_not_negative"
        ),
        sa.CheckConstraint(
            "received + canceled <= quantity", name="ck_purchase_lines_within_quantity"
        ),
        sa.CheckConstraint("unit_cost >= 0", name="ck_purchase_lines_unit_cost_not_negative"),
    )
    op.create_index("ix_purchase_lines_purchase_id", "purchase_lines", ["purchase_id"])
    op.create_index("ix_purchase_lines_sku", "purchase_lines", ["sku"])
    op.create_table(
        "purchase_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("purchase_id", sa.Integer(), sa.ForeignKey("purchases.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
    )
    op.create_index("ix_purchase_history_purchase_id", "purchase_history", ["purchase_id"])
    op.execute("INSERT INTO counter (name, value) VALUES ('purchase', 0)")
    op.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.execute("DELETE FROM counter WHERE name = 'purchase'")
    op.drop_table("purchase_history")
    op.drop_table("purchase_lines")
    op.drop_table("purchases")
    with op.batch_alter_table("product") as batch:
        batch.drop_column("lead_time")
        batch.drop_column("supplier")
    op.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
