"""Schema 9: an index on the waiting lines of each SKU.

The promise dates of one order (`orders show`) and of one product (`products show`)
allocate only the waiting lines of their SKUs (each SKU's allocation is independent of
the others'). Without an index on `sku`, finding those lines read every order line of
the database. The index is partial: it holds only lines with something remaining
(`quantity > shipped + canceled`: the lines of waiting orders and of drafts, a fraction
of a large database), and covers what the allocation reads of them, so the lines
themselves are not visited. Nothing else changes.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHERE = "quantity > shipped + canceled"


def upgrade() -> None:
    op.create_index(
        "ix_order_lines_remaining_sku",
        "order_lines",
        ["sku", "order_id", "position", "quantity", "shipped", "canceled"],
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )
    op.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.drop_index("ix_order_lines_remaining_sku", table_name="order_lines")
    op.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
