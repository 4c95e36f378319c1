"""Billing: writing an invoice of shipped quantities, the step `invoice`, `create
--invoice`, the backorder policy of `ship` and import share (credit notes: `invoices`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, update
from sqlmodel import Session, select

from ..domain.money import invoice_amount
from ..domain.values import ZERO, format_money
from ..storage.models import Order, OrderLine, utcnow
from .results import InvoiceResult
from .steps import INVOICE_LINES, INVOICES, LINES, ORDERS, _list_in, _next_number, _record

# What each line's invoices billed so far: the next invoice bills the rest of its share.
_BILLED = (
    select(INVOICE_LINES.c.line_id, func.sum(INVOICE_LINES.c.amount))
    .where(INVOICE_LINES.c.line_id.in_(bindparam("lines", expanding=True)))
    .group_by(INVOICE_LINES.c.line_id)
)
_INVOICE_LINE_FULLY = (
    update(LINES).where(LINES.c.id == bindparam("line")).values(invoiced=LINES.c.shipped)
)
_INSERT_INVOICE = insert(INVOICES).returning(INVOICES.c.id)
_INSERT_INVOICE_LINES = insert(INVOICE_LINES)


def _write_invoice(
    conn: Connection,
    order_id: int,
    plan: list[tuple[Any, Decimal]],
    *,
    number: int | None = None,
    at: datetime | None = None,
) -> InvoiceResult:
    """Bill `plan` (line, quantity) on a new invoice: the next number, or the given one
    (import). Writes the invoice, its lines and the history; the caller moves the
    lines' `invoiced`, as it holds them (ORM objects or rows)."""
    number = _next_number(conn, "invoice") if number is None else number
    rows = _invoice_rows(conn, plan)
    total = sum((amount for _sku, _q, amount in rows), ZERO)
    invoice_id = conn.execute(
        _INSERT_INVOICE,
        {"number": number, "order_id": order_id, "total": total, "created_at": at or utcnow()},
    ).scalar_one()
    conn.execute(
        _INSERT_INVOICE_LINES,
        [
            {"invoice_id": invoice_id, "line_id": line.id, "quantity": quantity, "amount": amount}
            for (line, quantity), (_sku, _q, amount) in zip(plan, rows, strict=True)
        ],
    )
    _record(
        conn,
        (order_id, "invoiced", f"invoice #{number}: {_list_in(plan)}, total {format_money(total)}"),
    )
    order_number = conn.execute(select(ORDERS.c.number).where(ORDERS.c.id == order_id)).scalar_one()
    return InvoiceResult(order_number, number, total, rows)


def _invoice_rows(
    conn: Connection, plan: list[tuple[Any, Decimal]]
) -> list[tuple[str, Decimal, Decimal]]:
    """(SKU, quantity, amount) of each line of an invoice of `plan` (domain.invoice_amount:
    each line's invoices add up to its amount)."""
    ids = [line.id for line, _q in plan if line.id is not None]
    billed: dict[int, Decimal] = {}
    if ids:
        for line_id, amount in conn.execute(_BILLED, {"lines": ids}):
            billed[line_id] = amount  # summed as Money: already a Decimal of cents
    return [
        (line.sku, quantity, invoice_amount(line, quantity, billed.get(line.id, ZERO)))
        for line, quantity in plan
    ]


def _bill(
    session: Session, order: Order, plan: list[tuple[OrderLine, Decimal]], **kw: Any
) -> InvoiceResult:
    """`_write_invoice` for ORM callers: their line objects take the invoiced quantities."""
    assert order.id is not None
    result = _write_invoice(session.connection(), order.id, plan, **kw)
    for line, quantity in plan:
        line.invoiced += quantity
        session.add(line)
    return result
