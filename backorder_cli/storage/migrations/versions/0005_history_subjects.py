"""Schema 5: the history records changes that are not to an order.

`products add`, `products receive` and `settings set` write history entries too: such
an entry has no order (`order_id` becomes nullable) and names what it is about in the
new `subject` column (the SKU, or the setting's key; empty for an order's entries).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.alter_column("order_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("subject", sa.String(), nullable=False, server_default=""))
    op.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")


def downgrade() -> None:
    op.execute("DELETE FROM history WHERE order_id IS NULL")
    with op.batch_alter_table("history") as batch:
        batch.drop_column("subject")
        batch.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
    op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
