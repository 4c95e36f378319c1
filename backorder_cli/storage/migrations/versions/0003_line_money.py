"""Schema 3: a split keeps the money, and a line knows what it moved to backorders.

Order lines gain `amount` (what the line still stands for: neither canceled nor moved
to a backorder), `backordered` (the part of `canceled` that moved to backorders) and
`backordered_amount` (the money that left with it). The rule that fills them is the
tool's own (`domain.settle_money`): a line is worth its quantity times its price
rounded once, and what it moved to its backorder is the rest of that after what it
kept, so an original and its backorders add up to the cent. Amounts already invoiced
stay as billed: a line its invoices billed in full is worth what they billed, and its
backorder takes the rest. Order totals are recomputed from the lines; invoices are
not touched.

Revision ID: 0003
Revises: 0002
"""

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op

from backorder_cli.domain.money import LineFacts, settle_money
from backorder_cli.domain.values import MONEY_PLACES, PRICE_PLACES, QUANTITY_PLACES, ZERO
from backorder_cli.errors import DatabaseProblem

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHECKS = {
    "money_not_negative": "amount >= 0 AND backordered_amount >= 0",
    "backordered_within_canceled": "backordered >= 0 AND backordered <= canceled",
}
COLUMNS = ("amount", "backordered", "backordered_amount")
BATCH = 500  # orders per round trip


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column(
            "order_lines", sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
        )
    _settle(op.get_bind())
    with op.batch_alter_table("order_lines") as batch:
        for name, condition in CHECKS.items():
            batch.create_check_constraint(f"ck_order_lines_{name}", condition)
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        for name in CHECKS:
            batch.drop_constraint(f"ck_order_lines_{name}", type_="check")
        for column in COLUMNS:
            batch.drop_column(column)
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def _scaled(value: object, places: int, where: str) -> Decimal:
    try:
        if isinstance(value, bool):
            raise TypeError
        number = Decimal(value)  # type: ignore[arg-type]  # any stored value: refusals caught below
        if number != number.to_integral_value():
            raise InvalidOperation
    except (TypeError, ValueError, InvalidOperation):
        raise DatabaseProblem(
            f"cannot upgrade: {where} holds {value!r}, which is not a number - nothing was "
            "changed; find the rows with `backorder check`"
        ) from None
    return number.scaleb(-places)


def _settle(conn: sa.Connection) -> None:
    """Fill the new columns chain by chain (an order with its backorders, theirs, ...),
    a batch of chains at a time."""
    q, p, m = QUANTITY_PLACES, PRICE_PLACES, MONEY_PLACES
    orders = conn.exec_driver_sql("SELECT id, number, backorder_of FROM orders").all()
    by_number = {number: (order_id, origin) for order_id, number, origin in orders}
    # Each order's chain: the first order up its backorder_of links (a loop is cut).
    root: dict[int, int] = {}
    for number in by_number:
        top, seen = number, {number}
        while (up := by_number[top][1]) is not None and up in by_number and up not in seen:
            top = up
            seen.add(top)
        root[number] = top
    chains: dict[int, list[int]] = {}
    for number, top in sorted(root.items()):
        chains.setdefault(top, []).append(number)
    groups = list(chains.values())
    start = 0
    while start < len(groups):
        batch: list[list[int]] = []
        count = 0
        while start < len(groups) and (count < BATCH or not batch):
            batch.append(groups[start])
            count += len(groups[start])
            start += 1
        ids = [by_number[n][0] for group in batch for n in group]
        marks = ", ".join(str(int(i)) for i in ids)  # ids read from the database
        lines: dict[int, list[sa.Row[*tuple[Any, ...]]]] = {}
        for row in conn.exec_driver_sql(
            "SELECT l.order_id, l.id, l.sku, l.quantity, l.canceled, l.unit_price, l.invoiced, "
            "(SELECT COALESCE(SUM(il.amount), 0) FROM invoice_lines il WHERE il.line_id = l.id) "
            f"FROM order_lines l WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.position"
        ):
            lines.setdefault(row[0], []).append(row)
        line_updates, order_updates = [], []
        for group in batch:
            facts = {}
            for number in group:
                order_id, origin = by_number[number]
                facts[number] = (
                    origin,
                    [
                        LineFacts(
                            sku,
                            _scaled(qty, q, f"order line {line_id}"),
                            _scaled(canceled, q, f"order line {line_id}"),
                            _scaled(price, p, f"order line {line_id}"),
                            _scaled(invoiced, q, f"order line {line_id}"),
                            _scaled(billed, m, f"the invoices of order line {line_id}"),
                        )
                        for _o, line_id, sku, qty, canceled, price, invoiced, billed in lines.get(
                            order_id, []
                        )
                    ],
                )
            for number, settled in settle_money(facts).items():
                order_id = by_number[number][0]
                for row, money in zip(lines.get(order_id, []), settled, strict=True):
                    line_updates.append(
                        {
                            "id": row[1],
                            "amount": int(money.amount.scaleb(m)),
                            "backordered": int(money.backordered.scaleb(q)),
                            "backordered_amount": int(money.backordered_amount.scaleb(m)),
                        }
                    )
                total = sum((money.amount for money in settled), ZERO)
                order_updates.append({"id": order_id, "total": int(total.scaleb(m))})
        if line_updates:
            conn.execute(
                sa.text(
                    "UPDATE order_lines SET amount = :amount, backordered = :backordered, "
                    "backordered_amount = :backordered_amount WHERE id = :id"
                ),
                line_updates,
            )
        if order_updates:
            conn.execute(sa.text("UPDATE orders SET total = :total WHERE id = :id"), order_updates)
