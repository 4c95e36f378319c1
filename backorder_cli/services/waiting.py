"""The waiting lines: their priority order (the one `ready`, the promise dates and
`orders list --sku` read) and the promise dates of their SKUs.

Lean on purpose: `orders show` imports this module on every run to show an order's
ETAs, so it needs only the shared steps and the allocation (`domain.allocation`), and
works on scaled integers straight from the database (a million-order database has a
million and more waiting lines): only the lines shown become Decimals.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Generator, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, Table, case, func, select, type_coerce

from ..domain.allocation import PromiseRow, Supply, latest_eta, promise_rows, promise_rows_of
from ..domain.customers import Policy
from ..domain.orders import Status, remaining
from ..domain.values import QUANTITY_PLACES
from ..storage.tables import CUSTOMERS, LINES, ORDERS, PRODUCTS, PURCHASES
from ..storage.tables import PURCHASE_LINES as PL
from .views import LineView

_WAITING = (Status.BOOKED.value, Status.PARTIALLY_SHIPPED.value)


# A line with something remaining: written as the partial index on the lines of each
# SKU is (migration 0009), so that SQLite sees the index holds every line asked for.
HAS_REMAINING = LINES.c.quantity > LINES.c.shipped + LINES.c.canceled


def _waiting_since(*where: Any, orders: Table = ORDERS) -> Any:
    """(number, since, first) for each backorder matching `where`: since is the creation
    time of the first order of its chain, when the customer first ordered, and first
    that order's number (the earliest time and lowest number up the chain, so a loop
    edited in by hand ends the walk instead of hanging it). Orders that are nobody's
    backorder wait since their own creation: join this outer and fall back to
    `created_at` and `number`. `where` is written on `orders`: the Core table of the
    read paths (`storage.tables`), or the model's table for a caller whose query is
    written on it (one table object per query, else it would be named twice)."""
    above = orders.alias("above")
    start = (
        select(
            orders.c.number.label("number"),
            orders.c.backorder_of.label("origin"),
            orders.c.created_at.label("at"),
            orders.c.number.label("visited"),
        )
        .where(orders.c.backorder_of.is_not(None), *where)
        .cte("up", recursive=True)
    )
    walk = start.union(
        select(start.c.number, above.c.backorder_of, above.c.created_at, above.c.number).join(
            above, above.c.number == start.c.origin
        )
    )
    return (
        select(
            walk.c.number.label("number"),
            func.min(walk.c.at, type_=orders.c.created_at.type).label("since"),
            func.min(walk.c.visited).label("first"),
        )
        .group_by(walk.c.number)
        .subquery("waiting_since")
    )


def priority_order(since: Any) -> tuple[Any, ...]:
    """The allocation's priority order of waiting orders, as SQL: the customer's
    priority, higher first (schema 8: copied onto the order); then backorders before
    other orders; then by when the customer first ordered (a backorder waits since its
    chain's first order, `since` a `_waiting_since` joined outer), then the chain's first
    number and the order's own. Written once: `ready`, the promise dates and
    `orders list --sku` all read it."""
    return (
        ORDERS.c.priority.desc(),
        case((ORDERS.c.backorder_of.is_(None), 1), else_=0),
        func.coalesce(since.c.since, ORDERS.c.created_at),
        func.coalesce(since.c.first, ORDERS.c.number),
        ORDERS.c.number,
    )


def ships_complete() -> Any:
    """1 for an order that ships complete only, else 0: `domain.effective_policy` in
    SQL (the order's own policy, else its customer's), for `ready`, which reads many
    orders at once. Needs CUSTOMERS joined to ORDERS (outer)."""
    effective = func.coalesce(func.nullif(ORDERS.c.policy, ""), CUSTOMERS.c.policy)
    return case((effective == Policy.SHIP_COMPLETE.value, 1), else_=0)


def waiting_lines_query(
    skus: Collection[str] | None = None, *, with_ships_complete: bool = False
) -> Select[Any]:
    """Every waiting line (booked or partially shipped, not archived, something
    remaining) as (order number, position, SKU, remaining as a scaled integer), in the
    allocation's priority order (`priority_order`); `with_ships_complete` adds a fifth
    column, the order's `ships_complete()`. `skus` keeps the lines of those
    SKUs only (each SKU's allocation is independent of the others'): they are found by
    the index on the waiting lines of each SKU, and only their orders' chains are
    walked.

    Without `skus`, the waiting orders are ranked first and their lines then sorted by
    (rank, position): sorting a million lines by two integers took 3.6 s where sorting
    them by the order's key itself took 6 s."""
    remaining = LINES.c.quantity - LINES.c.shipped - LINES.c.canceled
    waiting = (ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
    if skus is None:
        of_skus: tuple[Any, ...] = ()
    else:
        wanted = LINES.c.sku.in_(list(skus))
        of_skus = (ORDERS.c.id.in_(select(LINES.c.order_id).where(wanted, HAS_REMAINING)),)
    since = _waiting_since(*waiting, *of_skus)
    if skus is not None:
        # A few thousand lines: sorted as they are, found by the index on the waiting
        # lines of each SKU (ranking their orders first and joining back to the lines
        # cost twice as much).
        query = (
            select(
                ORDERS.c.number, LINES.c.position, LINES.c.sku, type_coerce(remaining, BigInteger)
            )
            .join(LINES, LINES.c.order_id == ORDERS.c.id)
            .outerjoin(since, since.c.number == ORDERS.c.number)
            .where(*waiting, HAS_REMAINING, wanted)
            .order_by(*priority_order(since), LINES.c.position)
        )
        if with_ships_complete:
            query = query.outerjoin(CUSTOMERS, CUSTOMERS.c.id == ORDERS.c.customer_id)
            query = query.add_columns(ships_complete())
        return query
    ranking = (
        select(
            ORDERS.c.id,
            ORDERS.c.number,
            func.row_number().over(order_by=priority_order(since)).label("rank"),
        )
        .outerjoin(since, since.c.number == ORDERS.c.number)
        .where(*waiting)
    )
    if with_ships_complete:
        ranking = ranking.outerjoin(CUSTOMERS, CUSTOMERS.c.id == ORDERS.c.customer_id)
        ranking = ranking.add_columns(ships_complete().label("whole"))
    ranked = ranking.subquery("ranked")
    query = (
        select(ranked.c.number, LINES.c.position, LINES.c.sku, type_coerce(remaining, BigInteger))
        .join(LINES, LINES.c.order_id == ranked.c.id)
        .where(HAS_REMAINING)
        .order_by(ranked.c.rank, LINES.c.position)
    )
    return query.add_columns(ranked.c.whole) if with_ships_complete else query


def claimed_query() -> Select[Any]:
    """(SKU, the remaining quantities of its waiting lines summed, scaled) of every SKU
    some waiting line claims: the totals `suggest`, `products list` and the report by
    SKU count, without the priority order (and its chains) the allocation needs.

    The waiting orders are named by a subquery, not joined: so SQLite walks them by the
    index on (status, archived) and their lines by order, 0.9 s at a million orders,
    where the join walked every line with something remaining (drafts' too) and looked
    up its order, 2.3 s."""
    remaining = LINES.c.quantity - LINES.c.shipped - LINES.c.canceled
    waiting = select(ORDERS.c.id).where(ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
    return (
        select(LINES.c.sku, type_coerce(func.sum(remaining), BigInteger))
        .where(LINES.c.order_id.in_(waiting), HAS_REMAINING)
        .group_by(LINES.c.sku)
    )


def _unscale(value: int) -> Decimal:
    return Decimal(value).scaleb(-QUANTITY_PLACES)


# The allocation reads scaled integers straight from the database (a million-order
# database has a million and more waiting lines): only the lines shown become Decimals.


_FIRST = itemgetter(0)


def plain_rows(conn: Connection, query: Select[Any]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of `query` as the driver gives them, fetched in batches (a row at a time
    cost three times as much) and streamed (a million-order database's waiting lines do
    not fit in memory as rows): for queries whose columns need no conversion (scaled
    integers, text). On SQLite straight from the driver's cursor: SQLAlchemy's rows
    cost a third of `ready` at a million orders; on a server through SQLAlchemy, whose
    `yield_per` streams from a server-side cursor."""
    if conn.dialect.name != "sqlite":
        result = conn.execution_options(yield_per=5000).execute(query)
        yield from itertools.chain.from_iterable(result.partitions())
        return
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, params)
        while batch := cursor.fetchmany(5000):
            yield from batch
    finally:
        cursor.close()


def _waiting(
    conn: Connection, skus: Collection[str] | None
) -> Iterator[tuple[int, list[tuple[int, str, int]]]]:
    rows = plain_rows(conn, waiting_lines_query(skus))
    for number, group in itertools.groupby(rows, key=_FIRST):
        yield number, [(p, sku, int(q)) for _n, p, sku, q in group]


def _stock(conn: Connection, skus: Collection[str] | None) -> dict[str, int]:
    query = select(PRODUCTS.c.sku, type_coerce(PRODUCTS.c.stock, BigInteger))
    if skus is not None:
        query = query.where(PRODUCTS.c.sku.in_(list(skus)))
    return {sku: int(q) for sku, q in conn.execute(query)}


def _open_lines(skus: Collection[str] | None) -> Select[Any]:
    """(purchase, supplier, expected, SKU, still to come scaled) of open purchase lines,
    soonest expected first."""
    to_come = PL.c.quantity - PL.c.received - PL.c.canceled
    query = (
        select(
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


def _incoming(conn: Connection, skus: Collection[str] | None) -> list[Supply[int]]:
    """What is still to come of every open purchase line (scaled)."""
    return [
        (expected, number, sku, int(q))
        for number, _supplier, expected, sku, q in conn.execute(_open_lines(skus))
    ]


def utc_today() -> date:
    """Today as the tool counts days (UTC, like every date it shows)."""
    return datetime.now(UTC).date()


def _rows_in(
    conn: Connection, skus: Collection[str] | None, today: date | None
) -> Iterator[PromiseRow[int]]:
    """The promise of every waiting line (of `skus` only, when given), scaled, in the
    allocation's priority order."""
    return promise_rows(
        _waiting(conn, skus), _stock(conn, skus), _incoming(conn, skus), today or utc_today()
    )


def with_promises(
    conn: Connection, number: int, lines: Sequence[Any], views: list[LineView]
) -> tuple[list[LineView], date | None]:
    """The order's lines (rows of order_lines) with their promise dates, and the order's
    ETA (the latest of its lines', none when one has none): the allocation of its SKUs
    only (each SKU's is independent of the others'), read by the index on the waiting
    lines of each SKU."""
    skus = {line.sku for line in lines if remaining(line) > 0}
    found = []
    if skus:
        rows = plain_rows(conn, waiting_lines_query(skus))
        found = promise_rows_of(
            number, rows, _stock(conn, skus), _incoming(conn, skus), utc_today()
        )
    by_position = {row[1]: row for row in found}
    shown = []
    for line, view in zip(lines, views, strict=True):
        row = by_position.get(line.position)
        if row is not None:
            _n, _p, _sku, _q, eta, source, short = row
            view = replace(
                view, eta=eta, eta_source=source, short=_unscale(short) if eta is None else None
            )
        shown.append(view)
    return shown, latest_eta(row[4] for row in found) if found else None
