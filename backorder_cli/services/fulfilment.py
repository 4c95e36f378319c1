"""Fulfilment: ship, invoice, and ship what is ready."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    func,
    type_coerce,
)
from sqlmodel import Session, select

from ..domain.backorders import Allocation, allocate_lines, plan_ready_shipment
from ..domain.orders import Status, plan_invoice, plan_shipment
from ..domain.policies import left_to_follow, plan_follow_up
from ..domain.values import QUANTITY_PLACES, Item
from ..errors import BackorderError, InvalidInput
from ..storage.database import Database
from ..storage.models import (
    Order,
    OrderLine,
    Product,
)
from .billing import _bill, _invoice_rows
from .groups import Grouped, one_by_one
from .results import (
    FollowUpResult,
    InvoiceOutcome,
    InvoicePreview,
    InvoiceResult,
    ReadyOutcome,
    ShipmentResult,
)
from .steps import (
    _BATCH,
    _FIRST_BACKORDER,
    ORDERS,
    PRODUCTS,
    _find_order,
    _lines,
    _list_in,
    _record,
    _refresh,
    _stock,
)
from .waiting import _FIRST, _waiting_since, plain_rows, waiting_lines_query


def ship(
    db: Database, number: int, items: list[Item] | None, *, force: bool = False
) -> ShipmentResult:
    """Record a shipment. `items=None` ships everything stock on hand covers. The
    order's fulfilment policy then acts on a partial shipment, in the same transaction
    (`_ship_under_policy`); `force` ships a ship-complete order in part anyway."""
    if items is not None and not items:
        raise InvalidInput("nothing to ship - give SKU=QTY, or --available")
    with db.write() as session:
        locked = order, lines, products = _locked(session, number, None)
        plan = plan_shipment(order, lines, _on_hand(products), items)
        in_part = "ship all of it at once, or ship it in part anyway with --force"
        status, then = _ship_under_policy(session, locked, plan, force=force, instead=in_part)
        return ShipmentResult(number, status, [(ln.sku, q) for ln, q in plan], then)


def _locked(
    session: Session, number: int, skus: list[str] | None
) -> tuple[Order, list[OrderLine], dict[str, Product]]:
    """The order to ship, its lines, and the products of `skus` (None: of all its
    lines), their rows locked: the order first, then the products in SKU order."""
    order = _find_order(session, number, lock=True)
    lines = _lines(session, order)
    products = _stock(session, [ln.sku for ln in lines] if skus is None else skus, lock=True)
    return order, lines, products


def _on_hand(products: dict[str, Product]) -> dict[str, Decimal]:
    return {sku: p.stock for sku, p in products.items()}


def _ship_under_policy(
    session: Session,
    locked: tuple[Order, list[OrderLine], dict[str, Product]],
    plan: list[tuple[OrderLine, Decimal]],
    *,
    force: bool = False,
    instead: str,
    via: str = "",
) -> tuple[str, FollowUpResult]:
    """Write a planned shipment and the step its order's policy takes after it
    (`domain.plan_follow_up` decides before anything is written; a refusal of the
    step undoes the shipment with it). Returns the order's status and the step. The
    history entry says, in brackets, `via` what it shipped and what the policy did.
    `locked`: the order, its lines and the products, as `_locked` gives them."""
    # Here: reading orders (their ETAs read `waiting_lines_query`) never needs the
    # backorder and close steps the policies take.
    from .policies import follow_up, policy_of, shipment_note

    order, lines, products = locked
    policy = policy_of(session, order)
    rest = left_to_follow(lines, plan)
    step = plan_follow_up(order.number, rest, policy, force=force, instead=instead)
    left = [(line.sku, q) for line, q in rest]
    notes = [text for text in (via, shipment_note(policy, step, left)) if text]
    note = f" ({'; '.join(notes)})" if notes else ""
    _apply_shipment(session, order, lines, products, plan, note=note)
    then = follow_up(session, order, lines, policy, step, left)
    return order.status, then


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


def ready_orders(db: Database) -> list[Allocation]:
    """Which waiting orders stock on hand covers now, in whole or in part (whole lines;
    a ship-complete order only in whole), in the allocation's priority order
    (`services.waiting.priority_order`: the customer's priority, backorders first, then
    oldest first; `domain.allocate_lines`).
    Streams the waiting lines and keeps only the orders that get something."""

    # Quantities repeat (tens of thousands of lines, a few hundred values): each scaled
    # integer becomes a Decimal once (Decimals are immutable, so they can be shared).
    decimals: dict[int, Decimal] = {}

    def unscale(lines: list[tuple[int, str, int]]) -> list[tuple[int, str, Decimal]]:
        found = []
        for p, sku, q in lines:
            value = decimals.get(q)
            if value is None:
                value = decimals[q] = Decimal(q).scaleb(-QUANTITY_PLACES)
            found.append((p, sku, value))
        return found

    # The waiting lines in the allocation's priority order (`waiting_lines_query`), as
    # scaled integers straight from the database: a million-order database has a
    # million and more waiting lines, and only the few orders that get stock are ever
    # turned into Decimals and datetimes.
    waiting_lines = waiting_lines_query(with_ships_complete=True)
    scaled_stock = select(PRODUCTS.c.sku, type_coerce(PRODUCTS.c.stock, BigInteger)).where(
        PRODUCTS.c.stock > 0
    )
    with db.read() as session:
        conn = session.connection()
        stock = {sku: int(q) for sku, q in conn.execute(scaled_stock)}
        rows = plain_rows(conn, waiting_lines)
        whole: set[int] = set()  # ship-complete orders, noted as they are read

        def orders() -> Iterator[tuple[int, list[tuple[int, str, int]]]]:
            for number, group in itertools.groupby(rows, key=_FIRST):
                found = list(group)
                if found[0][4]:  # ships complete only: the same on each of its lines
                    whole.add(number)
                yield number, [(p, sku, q) for _n, p, sku, q, _w in found]

        found = list(allocate_lines(orders(), stock, complete_only=whole))
        rows.close()
        heads: dict[int, Any] = {}
        numbers = [number for number, _s, _w in found]
        for start in range(0, len(numbers), _BATCH):
            batch = ORDERS.c.number.in_(numbers[start : start + _BATCH])
            their_since = _waiting_since(batch, orders=ORDERS)
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


def ship_ready(db: Database, allocations: Iterable[Allocation]) -> Grouped[ReadyOutcome]:
    """Ship each allocation, in groups (`services.groups`): each order in its own
    savepoint, rechecked against the order and the stock as they are then (after the
    orders before it in the group), under the order's policy (`_ship_under_policy`; a
    ship-complete order is allocated in full or not at all, so one shipped in part
    means its policy changed since: refused); a refused order rolls back alone and is
    reported, the others go on; each outcome is given out once its group is committed."""

    def shipped(session: Session, allocation: Allocation) -> ReadyOutcome:
        skus = [sku for _p, sku, _q in allocation.ship]
        locked = order, lines, products = _locked(session, allocation.number, skus)
        plan = plan_ready_shipment(order, lines, allocation.ship, _on_hand(products))
        again = "run `backorder ready` again"
        status, then = _ship_under_policy(session, locked, plan, instead=again, via="ready")
        moved = [(line.sku, q) for line, q in plan]
        return ReadyOutcome(allocation.number, True, allocation.cover, status, moved, then=then)

    def refused(allocation: Allocation, exc: BackorderError) -> ReadyOutcome:
        return ReadyOutcome(
            allocation.number, False, allocation.cover, error=exc.message, code=exc.code
        )

    def lock(session: Session, group: list[Allocation]) -> None:
        numbers = sorted({allocation.number for allocation in group})
        session.connection().execute(
            select(ORDERS.c.id)
            .where(ORDERS.c.number.in_(numbers))
            .order_by(ORDERS.c.number)
            .with_for_update()
        ).all()
        _stock(session, {sku for a in group for _p, sku, _q in a.ship}, lock=True)

    # SQLite writes one transaction at a time (the file's lock): nothing to order there.
    on_server = db.dialect != "sqlite"
    return one_by_one(db, allocations, shipped, refused, lock=lock if on_server else None)
