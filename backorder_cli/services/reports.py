"""Reports and the history log."""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import select

from ..domain.backorders import AGE_BUCKETS, ReportBy, age_bucket
from ..domain.money import share
from ..domain.values import ZERO
from ..errors import InvalidInput
from ..storage.database import Database
from ..storage.models import (
    Product,
    utcnow,
)
from .results import LogEntry, ReportRow
from .steps import (
    _BATCH,
    _ORDER_BY_NUMBER,
    HISTORY,
    LINES,
    ORDERS,
    _order_not_found,
)
from .waiting import _WAITING, _waiting_since

REPORT_KINDS = tuple(ReportBy)


def backorder_report(
    db: Database, *, by: ReportBy = ReportBy.SKU, today: date | None = None
) -> list[ReportRow]:
    """Open backordered quantities: every line with something remaining on a backorder
    that is booked or partially shipped and not archived. By SKU (with stock on hand and
    what to buy, as `suggest` counts it), by customer, or by age (whole days the customer
    has waited: since the first order of the backorder's chain, in the bands of
    `domain.AGE_BUCKETS`, as of `today`, UTC). A report as of a given day leaves out the
    backorders made after it: they did not exist yet."""
    if by not in REPORT_KINDS:
        raise InvalidInput(f"cannot report by {by!r} - use one of {', '.join(REPORT_KINDS)}")
    open_backorder = (
        ORDERS.c.backorder_of.is_not(None),
        ORDERS.c.archived.is_(False),
        ORDERS.c.status.in_(_WAITING),
    )
    existing: tuple[Any, ...] = ()
    if today is not None:
        day_after = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
        existing = (ORDERS.c.created_at < day_after,)
    today = today or utcnow().date()
    since = _waiting_since(*open_backorder, *existing, orders=ORDERS)
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(
            core_select(
                ORDERS.c.number,
                ORDERS.c.customer,
                func.coalesce(since.c.since, ORDERS.c.created_at, type_=ORDERS.c.created_at.type),
                LINES.c.sku,
                LINES.c.quantity,
                LINES.c.shipped,
                LINES.c.canceled,
                LINES.c.amount,
            )
            .join(LINES, LINES.c.order_id == ORDERS.c.id)
            .outerjoin(since, since.c.number == ORDERS.c.number)
            .where(*open_backorder, *existing)
            .where(LINES.c.quantity - LINES.c.shipped - LINES.c.canceled > 0)
            .order_by(ORDERS.c.number, LINES.c.position)
        ).all()
        products = {p.sku: p for p in session.exec(select(Product))}

    groups: dict[str, _ReportGroup] = {}
    if by == "age":
        for label, _low, _high in AGE_BUCKETS:  # every band, empty ones too
            groups[label] = _ReportGroup()
    for number, customer, created_at, sku, quantity, shipped, canceled, amount in rows:
        rest = quantity - shipped - canceled
        days = (today - created_at.astimezone(UTC).date()).days
        key = {"sku": sku, "customer": customer, "age": age_bucket(days)}[by]
        group = groups.setdefault(key, _ReportGroup())
        group.orders.add(number)
        group.lines += 1
        # The open part's value: the line's amount less the share of what shipped.
        group.value += amount - share(amount, shipped, quantity - canceled)
        group.quantity += rest
        group.oldest = max(group.oldest, days)

    from .supply import SupplyFigures, supply_figures  # the report by SKU only

    figures = supply_figures(db) if by == "sku" else {}
    result = []
    for key, g in groups.items() if by == "age" else sorted(groups.items()):
        row = ReportRow(key, len(g.orders), g.lines, g.value)
        if by == "sku":
            product = products.get(key)
            on_hand = product.stock if product else ZERO
            # What to buy counts every waiting order, not only backorders, and what
            # open purchases bring: the numbers of `suggest` (services.supply).
            figure = figures.get(key, SupplyFigures(g.quantity, ZERO))
            row = dataclasses.replace(
                row,
                quantity=g.quantity,
                name=product.name if product else "",
                on_hand=on_hand,
                waiting=figure.claimed,
                incoming=figure.incoming,
                shortfall=max(ZERO, figure.claimed - on_hand - figure.incoming),
            )
        elif by == "customer":
            row = dataclasses.replace(row, oldest_days=g.oldest)
        result.append(row)
    return result


@dataclass
class _ReportGroup:
    """What one report row adds up, while the lines stream past."""

    orders: set[int] = field(default_factory=set)
    lines: int = 0
    value: Decimal = ZERO
    quantity: Decimal = ZERO
    oldest: int = 0  # days


def iter_log(
    db: Database, *, order: int | None = None, since: date | None = None
) -> Iterator[LogEntry]:
    """The history of every change, oldest first, streamed: who (the OS user), when
    (UTC) and what: orders, and products added, stock received and settings changed
    (those have no order). `order` keeps one order's entries; `since` those from that
    day on (UTC). An unknown order is refused at once, before anything streams."""
    order_id = None
    if order is not None:
        with db.read() as session:
            found = session.connection().execute(_ORDER_BY_NUMBER, {"number": order}).first()
        if found is None:
            raise _order_not_found(order)
        order_id = found.id
    query = log_query(order_id=order_id, since=since)
    if order is not None:
        return _stream_log(db, query)
    # Stock counts belong to no order: merged in by time (both streams are in time order).
    from .stock import iter_stock_log

    return heapq.merge(_stream_log(db, query), iter_stock_log(db, since=since), key=lambda e: e.at)


def log_query(*, order_id: int | None = None, since: date | None = None) -> Any:
    """The history entries of `iter_log`, oldest first (by time, then as written). Both
    filters walk an index (schema 8): `order_id` that of `history.order_id`, `since`
    that of `history.at`, so neither reads the whole history. Ordered by `at` (the
    index's order) rather than by id: in id order SQLite would rather scan the whole
    table in that order than sort the few entries since the day."""
    query = (
        core_select(
            HISTORY.c.at, HISTORY.c.user, ORDERS.c.number, HISTORY.c.event, HISTORY.c.detail
        )
        .outerjoin(ORDERS, ORDERS.c.id == HISTORY.c.order_id)
        .order_by(HISTORY.c.at, HISTORY.c.id)
    )
    if order_id is not None:
        query = query.where(HISTORY.c.order_id == order_id)
    if since is not None:
        query = query.where(
            HISTORY.c.at >= datetime(since.year, since.month, since.day, tzinfo=UTC)
        )
    return query


def highest_order_number(db: Database) -> int | None:
    """The highest order number (None without orders): the widest a listing of orders
    or of the log can get, known before the rows stream."""
    with db.read() as session:
        found = session.connection().execute(core_select(func.max(ORDERS.c.number))).scalar()
    return int(found) if found is not None else None


def _stream_log(db: Database, query: Any) -> Iterator[LogEntry]:
    with db.read() as session:
        conn = session.connection().execution_options(yield_per=_BATCH)
        for row in conn.execute(query):
            yield LogEntry(*row)
