"""Schema 2: the database itself refuses impossible quantities.

CHECK constraints on order lines (quantity above zero, nothing negative, invoiced <=
shipped, shipped + canceled <= quantity), on stock and prices, and on invoice lines.
A database whose data breaks one cannot be upgraded: the upgrade rolls back whole and
`backorder check` names the rows.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHECKS = {
    "order_lines": {
        "quantity_positive": "quantity > 0",
        "amounts_not_negative": "shipped >= 0 AND invoiced >= 0 AND canceled >= 0",
        "invoiced_within_shipped": "invoiced <= shipped",
        "delivered_within_quantity": "shipped + canceled <= quantity",
        "unit_price_not_negative": "unit_price >= 0",
    },
    "product": {
        "stock_not_negative": "stock >= 0",
        "price_not_negative": "price >= 0",
    },
    "invoice_lines": {
        "quantity_positive": "quantity > 0",
    },
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks.items():
                batch.create_check_constraint(f"ck_{table}_{name}", condition)
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name in checks:
                batch.drop_constraint(f"ck_{table}_{name}", type_="check")
    op.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
