"""Fulfilment: ship, invoice, and ship what is ready."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    bindparam,
    case,
    func,
    insert,
    type_coerce,
    update,
)
from sqlmodel import Session, select

from ..domain.backorders import Allocation, allocate_lines, plan_ready_shipment
from ..domain.money import invoice_amount
from ..domain.orders import Status, plan_invoice, plan_shipment
from ..domain.values import QUANTITY_PLACES, ZERO, Item, format_money
from ..errors import BackorderError, InvalidInput
from ..storage.database import Database
from ..storage.models import (
    Order,
    OrderLine,
    Product,
    utcnow,
)
from .groups import Grouped, one_by_one
from .results import (
    InvoiceOutcome,
    InvoicePreview,
    InvoiceResult,
    ReadyOutcome,
    ShipmentResult,
)
from .steps import (
    _BATCH,
    _FIRST_BACKORDER,
    INVOICE_LINES,
    INVOICES,
    LINES,
    ORDERS,
    PRODUCTS,
    _find_order,
    _lines,
    _list_in,
    _next_number,
    _record,
    _refresh,
    _stock,
    _waiting_since,
)

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


def ship(db: Database, number: int, items: list[Item] | None) -> ShipmentResult:
    """Record a shipment. `items=None` ships everything stock on hand covers."""
    if items is not None and not items:
        raise InvalidInput("nothing to ship - give SKU=QTY, or --available")
    with db.write() as session:
        order = _find_order(session, number, lock=True)
        lines = _lines(session, order)
        products = _stock(session, [line.sku for line in lines], lock=True)
        stock = {sku: p.stock for sku, p in products.items()}
        plan = plan_shipment(order, lines, stock, items)
        _apply_shipment(session, order, lines, products, plan)
        return ShipmentResult(order.number, order.status, [(ln.sku, q) for ln, q in plan])


def _apply_shipment(
    session: Session,
    order: Order,
    lines: list[OrderLine],
    products: dict[str, Product],
    plan: list[tuple[OrderLine, Decimal]],
    *,
    note: str = "",
) -> None:
    """Write a planned shipment: lines shipped, stock taken, status, history."""
    for line, quantity in plan:
        line.shipped += quantity
        session.add(line)
        product = products[line.sku]
        product.stock -= quantity
        session.add(product)
    _refresh(session, order, lines)
    assert order.id is not None  # loaded, so stored
    _record(session.connection(), (order.id, "shipped", _list_in(plan) + note))


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


def invoice_order(db: Database, number: int) -> InvoiceResult:
    """Invoice every shipped, not yet invoiced quantity of an order."""
    with db.write() as session:
        return _invoice(session, number)


def _invoice(session: Session, number: int) -> InvoiceResult:
    """`invoice_order` inside the caller's transaction."""
    order = _find_order(session, number, lock=True)
    lines = _lines(session, order)
    backordered_as = None
    if order.status == Status.CANCELED:
        backordered_as = session.connection().execute(_FIRST_BACKORDER, {"number": number}).scalar()
    plan = plan_invoice(order, lines, backordered_as=backordered_as)
    result = _bill(session, order, plan)
    _refresh(session, order, lines)
    return result


def invoice_orders(db: Database, numbers: Iterable[int]) -> Grouped[InvoiceOutcome]:
    """Invoice each order, in groups (`services.groups`): each order in its own
    savepoint, so a refused one is reported and the others go on; each outcome is given
    out once its group is committed."""

    def invoiced(session: Session, number: int) -> InvoiceOutcome:
        result = _invoice(session, number)
        return InvoiceOutcome(number, True, invoice=result.number, total=result.total)

    def refused(number: int, exc: BackorderError) -> InvoiceOutcome:
        return InvoiceOutcome(number, False, error=exc.message, code=exc.code)

    return one_by_one(db, numbers, invoiced, refused)


def preview_invoices(
    db: Database, numbers: Iterable[int]
) -> Iterator[InvoicePreview | InvoiceOutcome]:
    """What `invoice_orders` would bill each order, or the refusal it would get (with its
    code), in one read; writes nothing."""
    with db.read() as session:
        for number in numbers:
            try:
                order = _find_order(session, number)
                plan = plan_invoice(order, _lines(session, order))
                rows = _invoice_rows(session.connection(), plan)
            except BackorderError as exc:
                yield InvoiceOutcome(number, False, error=exc.message, code=exc.code)
            else:
                yield InvoicePreview(number, order.customer, rows)


_WAITING = (Status.BOOKED.value, Status.PARTIALLY_SHIPPED.value)


def waiting_lines_query(skus: Collection[str] | None = None) -> Select[Any]:
    """Every waiting line (booked or partially shipped, not archived, something
    remaining) as (order number, position, SKU, remaining as a scaled integer), in the
    allocation's priority order: the one order `ready` and the promise dates
    (`services.supply`) both read. `skus` keeps the lines of those SKUs only (each
    SKU's allocation is independent of the others')."""
    # A backorder waits since its chain's first order (`_waiting_since`).
    remaining = LINES.c.quantity - LINES.c.shipped - LINES.c.canceled
    since = _waiting_since(ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
    query = (
        select(ORDERS.c.number, LINES.c.position, LINES.c.sku, type_coerce(remaining, BigInteger))
        .join(LINES, LINES.c.order_id == ORDERS.c.id)
        .outerjoin(since, since.c.number == ORDERS.c.number)
        .where(ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False), remaining > 0)
        .order_by(
            case((ORDERS.c.backorder_of.is_(None), 1), else_=0),
            func.coalesce(since.c.since, ORDERS.c.created_at),
            func.coalesce(since.c.first, ORDERS.c.number),
            ORDERS.c.number,
            LINES.c.position,
        )
    )
    if skus is not None:
        query = query.where(LINES.c.sku.in_(list(skus)))
    return query


def ready_orders(db: Database) -> list[Allocation]:
    """Which waiting orders stock on hand covers now, in whole or in part (whole lines),
    allocated backorders first and then oldest first (`domain.allocate_lines`).
    Streams the waiting lines and keeps only the orders that get something."""

    def unscale(lines: list[tuple[int, str, int]]) -> list[tuple[int, str, Decimal]]:
        return [(p, sku, Decimal(q).scaleb(-QUANTITY_PLACES)) for p, sku, q in lines]

    # The waiting lines in the allocation's priority order (backorders first, then by
    # creation time and number), as scaled integers straight from the database: a
    # million-order database has a million and more waiting lines, and only the few
    # orders that get stock are ever turned into Decimals and datetimes.
    waiting_lines = waiting_lines_query()
    scaled_stock = select(PRODUCTS.c.sku, type_coerce(PRODUCTS.c.stock, BigInteger)).where(
        PRODUCTS.c.stock > 0
    )
    with db.read() as session:
        conn = session.connection()
        stock = {sku: int(q) for sku, q in conn.execute(scaled_stock)}
        rows = conn.execution_options(yield_per=5000).execute(waiting_lines)
        orders = (
            (number, [(p, sku, int(q)) for _n, p, sku, q in group])
            for number, group in itertools.groupby(rows, key=lambda row: row[0])
        )
        found = list(allocate_lines(orders, stock))
        rows.close()
        heads: dict[int, Any] = {}
        numbers = [number for number, _s, _w in found]
        for start in range(0, len(numbers), _BATCH):
            batch = ORDERS.c.number.in_(numbers[start : start + _BATCH])
            their_since = _waiting_since(batch)
            for head in conn.execute(
                select(
                    ORDERS.c.number,
                    ORDERS.c.customer,
                    ORDERS.c.backorder_of,
                    func.coalesce(
                        their_since.c.since, ORDERS.c.created_at, type_=ORDERS.c.created_at.type
                    ).label("created_at"),
                )
                .outerjoin(their_since, their_since.c.number == ORDERS.c.number)
                .where(batch)
            ):
                heads[head.number] = head
    return [
        Allocation(
            number,
            heads[number].customer,
            heads[number].backorder_of,
            heads[number].created_at,
            unscale(ship),
            unscale(waiting),
        )
        for number, ship, waiting in found
    ]


def ship_ready(db: Database, allocations: Iterable[Allocation]) -> Iterator[ReadyOutcome]:
    """Ship each allocation in its own transaction, rechecked against the order and the
    stock as they are then; a refused order is reported and the others go on."""
    for allocation in allocations:
        try:
            with db.write() as session:
                order = _find_order(session, allocation.number, lock=True)
                lines = _lines(session, order)
                products = _stock(session, [sku for _p, sku, _q in allocation.ship], lock=True)
                stock = {sku: p.stock for sku, p in products.items()}
                plan = plan_ready_shipment(order, lines, allocation.ship, stock)
                _apply_shipment(session, order, lines, products, plan, note=" (ready)")
                status = order.status
        except BackorderError as exc:
            yield ReadyOutcome(
                allocation.number, False, allocation.cover, error=exc.message, code=exc.code
            )
        else:
            shipped = [(line.sku, q) for line, q in plan]
            yield ReadyOutcome(allocation.number, True, allocation.cover, status, shipped)
