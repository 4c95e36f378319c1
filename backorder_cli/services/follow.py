"""`log --follow`: the history as `log` streams it, then every new entry as it is
committed, found by polling.

Each poll is one short read transaction (a reader never waits for a writer and never
holds a write lock), and nothing is open between polls. Entries are found by id: the
history's and the stock counts' ids. On SQLite ids are handed out in commit order; on a
server an id is taken at insert and a longer transaction may commit a lower id after a
higher one was seen, so a missing id below the highest seen is looked for again for a
while (`IdCursor`) instead of being skipped for good.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select as core_select

from ..storage.database import Database
from .results import LogEntry
from .steps import _BATCH, _ORDER_BY_NUMBER, HISTORY, ORDERS, _order_not_found
from .stock import ADJUSTMENTS, stock_count_entry

# How long (in polls) a missing id below the highest seen is looked for: a transaction
# on a server that took it may still commit. Only the newest ids are looked for.
PATIENCE_POLLS = 60
GAP_WINDOW = 1000

DEFAULT_INTERVAL = Decimal(1)  # seconds between two polls


@dataclass
class IdCursor:
    """The ids of one table already read: every id up to `floor`, and those in `seen`
    above it. `missing` holds the ids below the highest seen that have not come yet,
    with how many polls they were looked for."""

    floor: int = 0
    seen: set[int] = field(default_factory=set)
    missing: dict[int, int] = field(default_factory=dict)

    def is_new(self, id_: int) -> bool:
        return id_ > self.floor and id_ not in self.seen

    def add(self, id_: int) -> None:
        self.seen.add(id_)
        self.missing.pop(id_, None)

    def settle(self) -> None:
        """After a poll: note the holes below the highest id seen, give up those looked
        for long enough, and move the floor up to just below the oldest hole left."""
        if not self.seen:
            return
        highest = max(self.seen)
        for id_ in range(max(self.floor + 1, highest - GAP_WINDOW), highest):
            if id_ not in self.seen:
                self.missing[id_] = self.missing.get(id_, 0) + 1
        for id_, polls in list(self.missing.items()):
            if polls > PATIENCE_POLLS or id_ < highest - GAP_WINDOW:
                del self.missing[id_]
        self.floor = min(self.missing) - 1 if self.missing else highest
        self.seen = {i for i in self.seen if i > self.floor}


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def follow_log(
    db: Database,
    *,
    order: int | None = None,
    since: date | None = None,
    interval: Decimal = DEFAULT_INTERVAL,
    wait: Callable[[float], None] | None = None,
    polls: int | None = None,
) -> Iterator[LogEntry]:
    """The history as `iter_log` gives it (same filters), then every new entry as it
    is committed, checked every `interval` seconds; never ends on its own (`polls`
    bounds the polls after the first, for tests). `wait` sleeps between polls."""
    sleep = wait or _pause
    order_id = None
    if order is not None:
        with db.read() as session:
            found = session.connection().execute(_ORDER_BY_NUMBER, {"number": order}).first()
        if found is None:
            raise _order_not_found(order)
        order_id = found.id
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    history, counts = IdCursor(), IdCursor()
    done = 0
    while True:
        yield from _poll(db, history, counts, order_id=order_id, start=start)
        if polls is not None and done >= polls:
            return
        done += 1
        sleep(float(interval))


def _poll(
    db: Database,
    history: IdCursor,
    counts: IdCursor,
    *,
    order_id: int | None,
    start: datetime | None,
) -> Iterator[LogEntry]:
    """The entries of one poll, oldest first: one read transaction, closed before the
    caller waits."""
    with db.read() as session:
        conn = session.connection().execution_options(yield_per=_BATCH)
        streams = [_new_history(conn, history, order_id=order_id, start=start)]
        if order_id is None:  # stock counts belong to no order
            streams.append(_new_counts(conn, counts, start=start))
        yield from heapq.merge(*streams, key=lambda e: e.at)
    history.settle()
    counts.settle()


def _new_history(
    conn: Any, cursor: IdCursor, *, order_id: int | None, start: datetime | None
) -> Iterator[LogEntry]:
    query = (
        core_select(
            HISTORY.c.id,
            HISTORY.c.order_id,
            HISTORY.c.at,
            HISTORY.c.user,
            ORDERS.c.number,
            HISTORY.c.event,
            HISTORY.c.detail,
        )
        .outerjoin(ORDERS, ORDERS.c.id == HISTORY.c.order_id)
        .where(HISTORY.c.id > cursor.floor)
        .order_by(HISTORY.c.id)
    )
    # Unfiltered: every id is marked as read, so the filter leaves no holes to look for.
    for id_, of_order, *entry in conn.execute(query):
        if cursor.is_new(id_):
            cursor.add(id_)
            if (order_id is None or of_order == order_id) and (start is None or entry[0] >= start):
                yield LogEntry(*entry)


def _new_counts(conn: Any, cursor: IdCursor, *, start: datetime | None) -> Iterator[LogEntry]:
    a = ADJUSTMENTS.c
    query = (
        core_select(a.id, a.at, a.user, a.sku, a.before, a.counted, a.difference, a.reason)
        .where(a.id > cursor.floor)
        .order_by(a.id)
    )
    for row in conn.execute(query):
        if cursor.is_new(row.id):
            cursor.add(row.id)
            if start is None or row.at >= start:
                yield stock_count_entry(row)
