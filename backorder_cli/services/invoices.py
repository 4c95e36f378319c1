"""Invoices and credit notes: credit (part of) an invoice, list them, show one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert
from sqlalchemy import select as core_select

from ..domain.credits import BilledLine, CreditLine, plan_credit
from ..domain.values import (
    ZERO,
    Item,
    format_money,
    format_quantity,
    parse_text,
    quantities_text,
)
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import utcnow
from .results import (
    CreditPreview,
    CreditResult,
    InvoiceDetail,
    InvoiceLineView,
    InvoiceSummary,
)
from .search import contains_folded
from .steps import (
    _BATCH,
    _PEEK_NUMBER,
    INVOICE_LINES,
    INVOICES,
    LINES,
    ORDERS,
    _find_order,
    _lines,
    _next_number,
    _record,
    _refresh,
)

_CREDITED = INVOICES.alias("credited")  # the invoice a credit note gives back

_INVOICE_BY_NUMBER = core_select(
    INVOICES.c.id,
    INVOICES.c.number,
    INVOICES.c.credit_of,
    INVOICES.c.order_id,
    INVOICES.c.total,
    INVOICES.c.created_at,
    INVOICES.c.reason,
    ORDERS.c.number.label("order"),
    ORDERS.c.customer,
).join(ORDERS, ORDERS.c.id == INVOICES.c.order_id)

# An invoice's lines in order-line order, with what the credit notes of it gave back.
_BILLED_LINES = (
    core_select(
        INVOICE_LINES.c.line_id, LINES.c.sku, INVOICE_LINES.c.quantity, INVOICE_LINES.c.amount
    )
    .join(LINES, LINES.c.id == INVOICE_LINES.c.line_id)
    .where(INVOICE_LINES.c.invoice_id == bindparam("invoice"))
    .order_by(LINES.c.position)
)
_CREDITED_LINES = (
    core_select(
        INVOICE_LINES.c.line_id,
        func.sum(INVOICE_LINES.c.quantity),
        func.sum(INVOICE_LINES.c.amount),
    )
    .join(INVOICES, INVOICES.c.id == INVOICE_LINES.c.invoice_id)
    .where(INVOICES.c.credit_of == bindparam("invoice"))
    .group_by(INVOICE_LINES.c.line_id)
)
_INSERT_INVOICE = insert(INVOICES).returning(INVOICES.c.id)


def _find_invoice(conn: Connection, number: int) -> Any:  # a Row of _INVOICE_BY_NUMBER
    row = conn.execute(_INVOICE_BY_NUMBER.where(INVOICES.c.number == number)).first()
    if row is None:
        raise NotFound(
            f"invoice #{number} not found - list invoices with `backorder invoices list`"
        )
    return row


def _billed_lines(conn: Connection, invoice_id: int) -> list[BilledLine]:
    credited = {
        line_id: (-quantity, -amount)
        for line_id, quantity, amount in conn.execute(_CREDITED_LINES, {"invoice": invoice_id})
    }
    return [
        BilledLine(line_id, sku, quantity, amount, *credited.get(line_id, (ZERO, ZERO)))
        for line_id, sku, quantity, amount in conn.execute(_BILLED_LINES, {"invoice": invoice_id})
    ]


def _credit_plan(
    conn: Connection, number: int, items: Sequence[Item] | None
) -> tuple[Any, list[CreditLine]]:
    """The invoice row and the credit note's lines (`domain.plan_credit`)."""
    invoice = _find_invoice(conn, number)
    if invoice.credit_of is not None:
        credited = conn.execute(
            core_select(INVOICES.c.number).where(INVOICES.c.id == invoice.credit_of)
        ).scalar_one()
        raise NotAllowed(
            f"#{number} is a credit note (of invoice #{credited}) - credit the invoice: "
            f"`backorder credit {credited}`"
        )
    return invoice, plan_credit(number, _billed_lines(conn, invoice.id), items)


def _shown(plan: list[CreditLine]) -> list[tuple[str, Decimal, Decimal]]:
    return [(c.sku, c.quantity, c.amount) for c in plan]


def preview_credit(db: Database, number: int, items: Sequence[Item] | None) -> CreditPreview:
    """What `credit_invoice` would give back, refusals included; writes nothing. Pass it
    back as `expected=` to refuse the credit if anything changed meanwhile."""
    with db.read() as session:
        conn = session.connection()
        invoice, plan = _credit_plan(conn, number, items)
        next_number = int(conn.execute(_PEEK_NUMBER["invoice"]).scalar_one())
        return CreditPreview(number, invoice.order, invoice.customer, next_number, _shown(plan))


def credit_invoice(
    db: Database,
    number: int,
    items: Sequence[Item] | None = None,
    *,
    reason: str = "",
    expected: CreditPreview | None = None,
) -> CreditResult:
    """Credit invoice #`number`: all that is left of it (`items=None`) or the named
    SKU=QTY. One transaction: a credit note numbered next in the invoice series, with
    negative lines and total, `credit_of` naming the invoice; the order's lines
    invoice that much less (their status follows; a canceled order stays canceled);
    the order's history says who, when and why. With `expected` (the preview the user
    confirmed), refused unless it gives back exactly that."""
    if items is not None and not items:
        raise InvalidInput("nothing to credit - give SKU=QTY, or no lines to credit all of it")
    reason = parse_text(reason, what="reason", limit=200)
    with db.write() as session:
        conn = session.connection()
        invoice = _find_invoice(conn, number)
        order = _find_order(session, invoice.order, lock=True)  # serializes its writers
        changed = NotAllowed(
            f"invoice #{number} changed while you were answering - run the command again",
            code="changed",
        )
        try:
            invoice, plan = _credit_plan(conn, number, items)
        except NotAllowed:
            if expected is not None:  # it could be credited when asked: it changed since
                raise changed from None
            raise
        if expected is not None and _shown(plan) != expected.lines:
            raise changed
        lines = _lines(session, order)
        by_id = {line.id: line for line in lines}
        for credit in plan:
            line = by_id[credit.line_id]
            if line.invoiced < credit.quantity:
                raise NotAllowed(
                    f"order #{order.number} has {format_quantity(line.invoiced)} {line.sku} "
                    "invoiced, less than the credit - run `backorder check`"
                )
            line.invoiced -= credit.quantity
            session.add(line)
        _refresh(session, order, lines)
        session.flush()
        credit_number, total = _write_credit(
            conn, invoice.order_id, invoice.id, number, plan, reason=reason
        )
        if expected is not None and credit_number != expected.next_number:
            # Another invoice or credit note took the number shown: not what was confirmed
            # (the transaction rolls back whole).
            raise changed
        return CreditResult(
            credit_number,
            number,
            order.number,
            order.status,
            reason,
            total,
            [(c.sku, -c.quantity, -c.amount) for c in plan],
        )


def _write_credit(
    conn: Connection,
    order_id: int,
    invoice_id: int,
    invoice_number: int,
    plan: list[CreditLine],
    *,
    reason: str,
    number: int | None = None,
    at: datetime | None = None,
) -> tuple[int, Decimal]:
    """Write a credit note of `plan` for invoice #`invoice_number`: the next number in
    the invoice series, or the given one (import); its lines and total negative; the
    history entry. The caller moves the lines' `invoiced`. Returns (number, total)."""
    number = _next_number(conn, "invoice") if number is None else number
    total = -sum((c.amount for c in plan), ZERO)
    credit_id = conn.execute(
        _INSERT_INVOICE,
        {
            "number": number,
            "order_id": order_id,
            "total": total,
            "created_at": at or utcnow(),
            "credit_of": invoice_id,
            "reason": reason,
        },
    ).scalar_one()
    conn.execute(
        insert(INVOICE_LINES),
        [
            {
                "invoice_id": credit_id,
                "line_id": c.line_id,
                "quantity": -c.quantity,
                "amount": -c.amount,
            }
            for c in plan
        ],
    )
    detail = (
        f"credit note #{number} for invoice #{invoice_number}: "
        f"{quantities_text((c.sku, c.quantity) for c in plan)}, total {format_money(total)}"
    )
    _record(conn, (order_id, "credited", detail + (f"; {reason}" if reason else "")))
    return number, total


def import_credit(
    conn: Connection,
    order_id: int,
    invoice_number: int,
    items: list[Item],
    *,
    number: int,
    reason: str,
    at: datetime | None,
) -> list[CreditLine]:
    """Write an imported credit note (its number kept) for invoice #`invoice_number`,
    written just before on the same order: the amounts by the rule the tool applied
    when it was made (`domain.plan_credit`), so the money comes back to the cent.
    Returns its lines; the caller moves the lines' `invoiced`."""
    invoice = _find_invoice(conn, invoice_number)
    plan = plan_credit(invoice_number, _billed_lines(conn, invoice.id), items)
    _write_credit(
        conn, order_id, invoice.id, invoice_number, plan, reason=reason, number=number, at=at
    )
    return plan


_LIST = (  # its columns in this order: `iter_invoices` unpacks them
    core_select(
        INVOICES.c.number,
        ORDERS.c.number.label("order"),
        ORDERS.c.customer,
        _CREDITED.c.number.label("credit_of"),
        INVOICES.c.total,
        INVOICES.c.created_at,
        INVOICES.c.reason,
    )
    .join(ORDERS, ORDERS.c.id == INVOICES.c.order_id)
    .outerjoin(_CREDITED, _CREDITED.c.id == INVOICES.c.credit_of)
)


def _invoice_filter(query: Any, *, order: int | None, customer: str | None) -> Any:
    """The WHERE of the invoice listing: only order #`order`'s, or customers whose name
    contains `customer` (any case)."""
    if order is not None:
        query = query.where(ORDERS.c.number == order)
    if customer:
        query = query.where(contains_folded(ORDERS.c.customer, customer))
    return query


def iter_invoices(
    db: Database,
    *,
    order: int | None = None,
    customer: str | None = None,
    limit: int | None = None,
) -> Iterator[InvoiceSummary]:
    """Invoices and credit notes, newest number first, streamed: rows are read in
    batches as they are consumed, never all at once; only those of order #`order`, or
    of customers whose name contains `customer` (any case); at most `limit`."""
    query = _invoice_filter(_LIST, order=order, customer=customer)
    query = query.order_by(INVOICES.c.number.desc())
    if limit is not None:
        query = query.limit(limit)
    with db.read() as session:
        rows = session.connection().execute(query.execution_options(yield_per=_BATCH))
        # Unpacked, not read by name: reading a Row's fields by name took half the time
        # of building a listing's row (3.7 of 6.6 us).
        for number, order_number, customer_name, credit_of, total, created_at, reason in rows:
            kind = "invoice" if credit_of is None else "credit"
            yield InvoiceSummary(
                number, kind, order_number, customer_name, credit_of, total, created_at, reason
            )


def count_invoices(db: Database, *, order: int | None = None, customer: str | None = None) -> int:
    """How many invoices and credit notes `iter_invoices` would list with no limit."""
    query = _invoice_filter(
        core_select(func.count())
        .select_from(INVOICES)
        .join(ORDERS, ORDERS.c.id == INVOICES.c.order_id),
        order=order,
        customer=customer,
    )
    with db.read() as session:
        return int(session.connection().execute(query).scalar_one())


def get_invoice(db: Database, number: int) -> InvoiceDetail:
    """Invoice or credit note #`number` with its lines; for an invoice, its credit notes
    and what it bills net of them."""
    with db.read() as session:
        conn = session.connection()
        row = _find_invoice(conn, number)
        credit_of = None
        if row.credit_of is not None:
            credit_of = conn.execute(
                core_select(INVOICES.c.number).where(INVOICES.c.id == row.credit_of)
            ).scalar_one()
        lines = [
            InvoiceLineView(*line)
            for line in conn.execute(
                core_select(
                    LINES.c.sku,
                    LINES.c.name,
                    LINES.c.unit,
                    INVOICE_LINES.c.quantity,
                    LINES.c.unit_price,
                    INVOICE_LINES.c.amount,
                )
                .join(LINES, LINES.c.id == INVOICE_LINES.c.line_id)
                .where(INVOICE_LINES.c.invoice_id == row.id)
                .order_by(LINES.c.position)
            )
        ]
        notes = list(
            conn.execute(
                core_select(INVOICES.c.number, INVOICES.c.total)
                .where(INVOICES.c.credit_of == row.id)
                .order_by(INVOICES.c.number)
            )
        )
        net = row.total + sum((total for _n, total in notes), ZERO)
        return InvoiceDetail(
            row.number,
            "invoice" if row.credit_of is None else "credit",
            row.order,
            row.customer,
            credit_of,
            row.total,
            row.created_at,
            row.reason,
            lines,
            [n for n, _t in notes],
            net,
        )
