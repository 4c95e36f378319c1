"""Schema 6: corrections. Why each canceled unit was canceled, and stock counts.

Order lines gain `closed` (canceled by `backorder close`: the rest of a line the
customer no longer wants), `canceled_with_order` (canceled by `orders cancel`, or with
an undone backorder) and `canceled_amount` (the money that left with those units), so
that canceled = backordered + closed + canceled_with_order, which the database then
refuses to break. Existing canceled units that did not move to a backorder are
canceled with the order on a canceled order (an undone backorder: the only way the
tool made them) and closed on any other (an import); their money stays as it was
(zero). A new table keeps every stock count (`products adjust`).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHECKS = {
    "corrections_not_negative": "closed >= 0 AND canceled_with_order >= 0 AND canceled_amount >= 0",
    "canceled_adds_up": "canceled = backordered + closed + canceled_with_order",
}
COLUMNS = ("closed", "canceled_with_order", "canceled_amount")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column(
            "order_lines", sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE order_lines SET canceled_with_order = canceled - backordered "
        "WHERE canceled <> backordered AND order_id IN "
        "(SELECT id FROM orders WHERE status = 'canceled')"
    )
    op.execute(
        "UPDATE order_lines SET closed = canceled - backordered "
        "WHERE canceled <> backordered AND order_id NOT IN "
        "(SELECT id FROM orders WHERE status = 'canceled')"
    )
    with op.batch_alter_table("order_lines") as batch:
        for name, condition in CHECKS.items():
            batch.create_check_constraint(f"ck_order_lines_{name}", condition)
    op.create_table(
        "stock_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("before", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=False),
        sa.Column("difference", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.CheckConstraint("counted >= 0", name="ck_stock_adjustments_counted_not_negative"),
        sa.CheckConstraint(
            "difference = counted - before", name="ck_stock_adjustments_difference_adds_up"
        ),
    )
    op.create_index("ix_stock_adjustments_sku", "stock_adjustments", ["sku"])
    op.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_stock_adjustments_sku", "stock_adjustments")
    op.drop_table("stock_adjustments")
    with op.batch_alter_table("order_lines") as batch:
        for name in CHECKS:
            batch.drop_constraint(f"ck_order_lines_{name}", type_="check")
        for column in COLUMNS:
            batch.drop_column(column)
    op.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
