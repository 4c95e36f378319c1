"""Supply and demand: the promise date (ETA) of every waiting line, who waits for a
product, and what to buy (`domain.supply`)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, type_coerce
from sqlalchemy import select as core_select
from sqlmodel import select

from ..domain.orders import remaining
from ..domain.supply import Incoming, Promise, order_eta, promise_dates
from ..domain.values import QUANTITY_PLACES, ZERO, parse_sku
from ..errors import NotFound
from ..storage.database import Database
from ..storage.models import Product, PurchaseLine
from .fulfilment import waiting_lines_query
from .steps import ORDERS, PRODUCTS, PURCHASES, _table
from .views import LineView, OrderSummary

PL = _table(PurchaseLine)


def utc_today() -> date:
    """Today as the tool counts days (UTC, like every date it shows)."""
    return datetime.now(UTC).date()


def _unscale(value: int) -> Decimal:
    return Decimal(value).scaleb(-QUANTITY_PLACES)


def _waiting(
    conn: Connection, skus: Collection[str] | None
) -> Iterator[tuple[int, list[tuple[int, str, Decimal]]]]:
    rows = conn.execute(waiting_lines_query(skus))
    for number, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield number, [(p, sku, _unscale(int(q))) for _n, p, sku, q in group]


def _stock(conn: Connection, skus: Collection[str] | None) -> dict[str, Decimal]:
    query = select(PRODUCTS.c.sku, type_coerce(PRODUCTS.c.stock, BigInteger))
    if skus is not None:
        query = query.where(PRODUCTS.c.sku.in_(list(skus)))
    return {sku: _unscale(int(q)) for sku, q in conn.execute(query)}


def _open_lines(skus: Collection[str] | None) -> Select[Any]:
    """(purchase, supplier, expected, SKU, still to come scaled) of open purchase lines,
    soonest expected first."""
    to_come = PL.c.quantity - PL.c.received - PL.c.canceled
    query = (
        core_select(
            PURCHASES.c.number,
            PURCHASES.c.supplier,
            PURCHASES.c.expected,
            PL.c.sku,
            type_coerce(to_come, BigInteger),
        )
        .join(PL, PL.c.purchase_id == PURCHASES.c.id)
        .where(PURCHASES.c.status == "open", to_come > 0)
        .order_by(PURCHASES.c.expected, PURCHASES.c.number, PL.c.position)
    )
    if skus is not None:
        query = query.where(PL.c.sku.in_(list(skus)))
    return query


def _incoming(conn: Connection, skus: Collection[str] | None) -> list[Incoming]:
    """What is still to come of every open purchase line."""
    return [
        Incoming(number, expected, sku, _unscale(int(q)))
        for number, _supplier, expected, sku, q in conn.execute(_open_lines(skus))
    ]


def promises_in(
    conn: Connection, skus: Collection[str] | None = None, today: date | None = None
) -> list[Promise]:
    """The promise date of every waiting line (of `skus` only, when given), in the
    allocation's priority order."""
    return list(
        promise_dates(
            _waiting(conn, skus),
            _stock(conn, skus),
            _incoming(conn, skus),
            today or utc_today(),
        )
    )


def promises(
    db: Database, skus: Collection[str] | None = None, today: date | None = None
) -> list[Promise]:
    with db.read() as session:
        return promises_in(session.connection(), skus, today)


def order_promises(conn: Connection, number: int, skus: Collection[str]) -> list[Promise]:
    """The promise dates of one order's waiting lines (its SKUs' allocation only)."""
    if not skus:
        return []
    return [p for p in promises_in(conn, set(skus)) if p.number == number]


def etas(db: Database, today: date | None = None) -> dict[int, date | None]:
    """Every waiting order's ETA (`domain.order_eta`), by number."""
    by_order: dict[int, list[Promise]] = {}
    for promise in promises(db, today=today):
        by_order.setdefault(promise.number, []).append(promise)
    return {number: order_eta(lines) for number, lines in by_order.items()}


def numbers_waiting_for(db: Database, sku: str) -> list[int]:
    """The orders with a remaining quantity of `sku`, in priority order."""
    seen: dict[int, None] = {}
    with db.read() as session:
        for number, _lines in _waiting(session.connection(), [sku]):
            seen[number] = None
    return list(seen)


@dataclass(frozen=True)
class IncomingView:
    purchase: int
    supplier: str
    expected: date
    quantity: Decimal  # still to come


@dataclass(frozen=True)
class WaitingView:
    number: int
    customer: str
    quantity: Decimal  # remaining
    eta: date | None
    eta_source: str | None
    short: Decimal | None


@dataclass(frozen=True)
class ProductSupply:
    """`products show`: a product's stock, what waiting orders claim of it, what is
    coming, and who waits with their ETAs."""

    sku: str
    name: str
    unit: str
    supplier: str
    lead_time: int | None
    stock: Decimal
    claimed: Decimal  # the remaining quantities of every waiting line
    available: Decimal  # stock - claimed: negative when short
    incoming: Decimal  # still to come on open purchases
    purchases: list[IncomingView]
    waiting: list[WaitingView]


def product_supply(db: Database, sku: str, today: date | None = None) -> ProductSupply:
    sku = parse_sku(sku)
    with db.read() as session:
        conn = session.connection()
        product = session.exec(select(Product).where(Product.sku == sku)).first()
        if product is None:
            raise NotFound(f"unknown SKU {sku} - see the catalogue with `backorder products list`")
        found = promises_in(conn, [sku], today)
        customers = _customers(conn, [p.number for p in found])
        coming = [
            IncomingView(n, supplier, expected, _unscale(int(q)))
            for n, supplier, expected, _sku, q in conn.execute(_open_lines([sku]))
        ]
    claimed = sum((p.quantity for p in found), ZERO)
    return ProductSupply(
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        supplier=product.supplier,
        lead_time=product.lead_time,
        stock=product.stock,
        claimed=claimed,
        available=product.stock - claimed,
        incoming=sum((c.quantity for c in coming), ZERO),
        purchases=coming,
        waiting=[
            WaitingView(
                p.number,
                customers.get(p.number, ""),
                p.quantity,
                p.eta,
                p.source,
                p.short if p.eta is None else None,
            )
            for p in found
        ],
    )


def _customers(conn: Connection, numbers: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(numbers), 500):
        query = select(ORDERS.c.number, ORDERS.c.customer).where(
            ORDERS.c.number.in_(numbers[start : start + 500])
        )
        found.update({n: c for n, c in conn.execute(query)})
    return found


@dataclass(frozen=True)
class SupplyFigures:
    """A product's totals: on hand, claimed by waiting lines, still to come."""

    claimed: Decimal
    incoming: Decimal


def supply_figures(db: Database) -> dict[str, SupplyFigures]:
    """Claimed and incoming of every SKU with either (`products list`)."""
    with db.read() as session:
        return _figures(session.connection())


def _figures(conn: Connection) -> dict[str, SupplyFigures]:
    claimed: dict[str, Decimal] = {}
    incoming: dict[str, Decimal] = {}
    for _number, lines in _waiting(conn, None):
        for _p, sku, quantity in lines:
            claimed[sku] = claimed.get(sku, ZERO) + quantity
    for supply in _incoming(conn, None):
        incoming[supply.sku] = incoming.get(supply.sku, ZERO) + supply.quantity
    return {
        sku: SupplyFigures(claimed.get(sku, ZERO), incoming.get(sku, ZERO))
        for sku in claimed.keys() | incoming.keys()
    }


@dataclass(frozen=True)
class ProductRow:
    """A product in `products list`: its stock and what waiting orders claim of it."""

    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal
    claimed: Decimal
    available: Decimal  # stock - claimed: negative when short
    incoming: Decimal


def product_rows(db: Database) -> list[ProductRow]:
    figures = supply_figures(db)
    none = SupplyFigures(ZERO, ZERO)
    with db.read() as session:
        products = list(session.exec(select(Product).order_by(Product.sku)))
    rows = []
    for p in products:
        figure = figures.get(p.sku, none)
        rows.append(
            ProductRow(
                p.sku,
                p.name,
                p.unit,
                p.price,
                p.stock,
                figure.claimed,
                p.stock - figure.claimed,
                figure.incoming,
            )
        )
    return rows


@dataclass(frozen=True)
class Explanation:
    """Why a waiting line does not ship now (`ready --explain`): its SKU's stock on hand,
    the orders ahead of it that stock went to, and its promise."""

    number: int
    sku: str
    quantity: Decimal
    on_hand: Decimal
    taken_by: list[tuple[int, Decimal]]  # earlier orders served from stock, in line
    eta: date | None
    eta_source: str | None
    short: Decimal


def explanations(db: Database) -> list[Explanation]:
    """Every waiting line stock on hand does not cover, in priority order."""
    with db.read() as session:
        conn = session.connection()
        orders = list(_waiting(conn, None))
        stock = _stock(conn, None)
        found = promise_dates(orders, stock, _incoming(conn, None), utc_today())
    served: dict[str, list[tuple[int, Decimal]]] = {}
    result = []
    for p in found:
        if p.source == "stock":
            served.setdefault(p.sku, []).append((p.number, p.quantity))
            continue
        ahead = [(n, q) for n, q in served.get(p.sku, []) if n != p.number]
        result.append(
            Explanation(
                p.number,
                p.sku,
                p.quantity,
                stock.get(p.sku, ZERO),
                ahead,
                p.eta,
                p.source,
                p.short,
            )
        )
    return result


def orders_with_etas(
    db: Database,
    *,
    limit: int | None,
    eta_before: date | None,
    no_eta: bool,
    sku: str | None,
    **filters: Any,
) -> Iterator[OrderSummary]:
    """`iter_orders` with each waiting order's ETA, filtered by it (`orders.iter_orders`)."""
    from .orders import iter_orders

    promised = etas(db)
    rank = None
    if sku is not None:
        rank = {n: i for i, n in enumerate(numbers_waiting_for(db, parse_sku(sku)))}

    def wanted(row: OrderSummary) -> bool:
        if rank is not None and row.number not in rank:
            return False
        eta = promised.get(row.number)
        if eta_before is not None and (eta is None or eta >= eta_before):
            return False
        return not no_eta or (row.number in promised and eta is None)

    rows: Iterator[OrderSummary] = (
        # Only waiting orders have an ETA: the others pass as they are (no copy).
        replace(row, eta=promised[row.number]) if promised.get(row.number) else row
        for row in iter_orders(db, **filters)
        if wanted(row)
    )
    if rank is not None:
        found = rank
        rows = iter(sorted(rows, key=lambda row: found[row.number]))
    yield from itertools.islice(rows, limit)


def with_promises(
    conn: Connection, number: int, lines: Sequence[Any], views: list[LineView]
) -> tuple[list[LineView], date | None]:
    """The order's lines (rows of order_lines) with their promise dates, and the order's
    ETA."""
    found = order_promises(conn, number, {line.sku for line in lines if remaining(line) > 0})
    by_position = {p.position: p for p in found}
    shown = []
    for line, view in zip(lines, views, strict=True):
        promise = by_position.get(line.position)
        if promise is not None:
            view = replace(
                view,
                eta=promise.eta,
                eta_source=promise.source,
                short=promise.short if promise.eta is None else None,
            )
        shown.append(view)
    return shown, order_eta(found) if found else None
