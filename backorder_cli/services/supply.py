"""Supply and demand: the promise date (ETA) of every waiting line, who waits for a
product, and what to buy (`domain.supply`)."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, select

from ..domain.allocation import PromiseRow, order_etas, promise_rows
from ..domain.supply import Promise
from ..domain.values import ZERO, parse_sku
from ..errors import NotFound
from ..storage.database import Database
from ..storage.tables import LINES, ORDERS, PRODUCTS
from .views import OrderSummary
from .waiting import (
    _WAITING,
    HAS_REMAINING,
    _incoming,
    _open_lines,
    _rows_in,
    _stock,
    _unscale,
    _waiting,
    claimed_query,
    plain_rows,
    utc_today,
)

__all__ = ["utc_today"]  # where the services and the CLI have always found it


def _promise(row: PromiseRow[int]) -> Promise:
    number, position, sku, quantity, eta, source, short = row
    return Promise(number, position, sku, _unscale(quantity), eta, source, _unscale(short))


def promises_in(
    conn: Connection, skus: Collection[str] | None = None, today: date | None = None
) -> list[Promise]:
    """The promise date of every waiting line (of `skus` only, when given), in the
    allocation's priority order."""
    return [_promise(row) for row in _rows_in(conn, skus, today)]


def promises(
    db: Database, skus: Collection[str] | None = None, today: date | None = None
) -> list[Promise]:
    with db.read() as session:
        return promises_in(session.connection(), skus, today)


def etas(db: Database, today: date | None = None) -> dict[int, date | None]:
    """Every waiting order's ETA (`domain.order_eta`), by number, in one streaming pass
    over the waiting lines (`allocation.order_etas`)."""
    with db.read() as session:
        conn = session.connection()
        return order_etas(
            _waiting(conn, None), _stock(conn, None), _incoming(conn, None), today or utc_today()
        )


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
        # The Core table (`storage.tables`): building the table classes would cost
        # `products show` more than its reads at a million orders.
        product = conn.execute(select(PRODUCTS).where(PRODUCTS.c.sku == sku)).first()
        if product is None:
            raise NotFound(f"unknown SKU {sku} - see the catalogue with `backorder products list`")
        found = promises_in(conn, [sku], today)
        customers = dict(plain_rows(conn, _customers_waiting_for(sku)))
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


def _customers_waiting_for(sku: str) -> Select[Any]:
    """(number, customer) of every waiting order with a line of `sku` waiting: the
    orders `promises_in(conn, [sku])` gives, found as it finds them (by the index on the
    waiting lines of each SKU), in one query: looked up by number, 500 at a time, they
    cost as much as the promise dates themselves at a million orders."""
    of_sku = select(LINES.c.order_id).where(LINES.c.sku == sku, HAS_REMAINING)
    return select(ORDERS.c.number, ORDERS.c.customer).where(
        ORDERS.c.id.in_(of_sku), ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False)
    )


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
    """Claimed (the remaining quantities of every waiting line) and incoming, summed per
    SKU in SQL: no priority order is needed for totals."""
    claimed = {sku: _unscale(int(q)) for sku, q in conn.execute(claimed_query())}
    incoming: dict[str, Decimal] = {}
    for _expected, _number, sku, quantity in _incoming(conn, None):
        incoming[sku] = incoming.get(sku, ZERO) + _unscale(quantity)
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
        products = list(session.connection().execute(select(PRODUCTS).order_by(PRODUCTS.c.sku)))
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
        stock = _stock(conn, None)
        found = promise_rows(_waiting(conn, None), stock, _incoming(conn, None), utc_today())
        served: dict[str, list[tuple[int, int]]] = {}
        result = []
        for number, _position, sku, quantity, eta, source, short in found:
            if source == "stock":
                served.setdefault(sku, []).append((number, quantity))
                continue
            ahead = [(n, _unscale(q)) for n, q in served.get(sku, []) if n != number]
            result.append(
                Explanation(
                    number,
                    sku,
                    _unscale(quantity),
                    _unscale(stock.get(sku, 0)),
                    ahead,
                    eta,
                    source,
                    _unscale(short),
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
