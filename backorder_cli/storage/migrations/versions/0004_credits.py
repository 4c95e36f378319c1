"""Schema 4: credit notes.

A credit note is an invoice of its own, numbered in the invoice series, that gives back
part or all of another invoice: `credit_of` names the invoice it credits (NULL on an
invoice), `reason` says why (empty on an invoice). Its lines are stored with negative
quantities and amounts, so a line's invoice lines still sum to what it has invoiced
(invoiced lines less credited lines) and to what it is billed. Invoice lines may
therefore be negative: the CHECK becomes "not zero".

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("credit_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(), nullable=False, server_default=""))
        batch.create_foreign_key("fk_invoices_credit_of", "invoices", ["credit_of"], ["id"])
        batch.create_index("ix_invoices_credit_of", ["credit_of"])
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_constraint("ck_invoice_lines_quantity_positive", type_="check")
        batch.create_check_constraint("ck_invoice_lines_quantity_not_zero", "quantity <> 0")
    op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")


def downgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_constraint("ck_invoice_lines_quantity_not_zero", type_="check")
        batch.create_check_constraint("ck_invoice_lines_quantity_positive", "quantity > 0")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_index("ix_invoices_credit_of")
        batch.drop_constraint("fk_invoices_credit_of", type_="foreignkey")
        batch.drop_column("reason")
        batch.drop_column("credit_of")
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
