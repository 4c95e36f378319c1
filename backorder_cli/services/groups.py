"""Bulk writes in groups: many orders per transaction, each result given out only
after its group is committed.

A bulk run commits a group every `GROUP_ORDERS` orders or every `GROUP_SECONDS`,
whichever comes first: one fsync (`synchronous=FULL` stays) and one lock per group
instead of one per order. A kill or a crash loses at most the group in flight, whose
results were never given out, and rerunning the command finishes it (orders already
done are refused as done). The results of a group are held back until its commit:
whoever prints them never says an order was done that a crash could still undo.

`Grouped` is the iterator of a bulk run's outcomes; besides iterating, it says which
outcomes are committed but not yet given out (`unreported`), so that a run stopped
while printing (Ctrl-C, a full disk) can tell the whole truth about what was saved.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sqlmodel import Session

from ..errors import BackorderError, TransactionConflict
from ..storage.database import Database

T = TypeVar("T")
R = TypeVar("R")

# A group ends at whichever comes first. 500 orders keep one group's statements well
# inside the parameter limits (lines are sent in executemany batches anyway), and
# 100 ms bound what a kill can lose when each order is slow (a server far away).
GROUP_ORDERS = 500
GROUP_SECONDS = 0.1
# How many times a group runs when the server rolls it back to break a deadlock.
CONFLICT_ATTEMPTS = 3


class Grouped(Iterator[R]):
    """The outcomes of a bulk run, one group at a time: `write(session, items)` works on
    as many of `items` (an iterator) as it likes in one transaction, and returns their
    outcomes; they are given out once that transaction has committed."""

    def __init__(
        self,
        db: Database,
        write: Callable[[Session, Iterator[Any]], list[R]],
        items: Iterable[Any],
    ) -> None:
        self._db = db
        self._write = write
        self._items = iter(items)
        self._ready: list[R] = []  # committed, not yet given out
        self._finished = False

    def __iter__(self) -> Grouped[R]:
        return self

    def __next__(self) -> R:
        while not self._ready:
            if self._finished:
                raise StopIteration
            first = next(self._items, _END)
            if first is _END:
                self._finished = True
                raise StopIteration
            taken: list[Any] = []  # the group's items, to run it again
            items = _taking(_prepend(first, self._items), taken)
            for attempt in range(1, CONFLICT_ATTEMPTS + 1):
                try:
                    with self._db.write() as session:
                        outcomes = self._write(session, items)
                    break
                except TransactionConflict:
                    # The server rolled the whole group back to break a deadlock with
                    # another user's transaction (a group holds its orders' and
                    # products' locks until it commits): none of it was written or
                    # given out, so the same items run again, then the group goes on.
                    if attempt == CONFLICT_ATTEMPTS:
                        raise
                    again, taken = taken, []
                    items = _taking(itertools.chain(again, self._items), taken)
            self._ready = outcomes  # committed: may be given out now
        return self._ready.pop(0)

    def unreported(self) -> list[R]:
        """The outcomes committed but not given out yet; they count as given out now."""
        rest, self._ready = self._ready, []
        return rest


_END = object()


def _taking(items: Iterator[T], taken: list[T]) -> Iterator[T]:
    """`items`, each noted in `taken` as it is handed out."""
    for item in items:
        taken.append(item)
        yield item


def _prepend(first: T, rest: Iterator[T]) -> Iterator[T]:
    yield first
    yield from rest


def group_of(items: Iterator[T]) -> Iterator[T]:
    """The items of one group: at most `GROUP_ORDERS`, and no more once `GROUP_SECONDS`
    have passed since the group began (the item in hand when time is up is still
    taken)."""
    start, size, seconds = time.monotonic(), GROUP_ORDERS, GROUP_SECONDS
    for count, item in enumerate(items, start=1):
        yield item
        if count >= size or time.monotonic() - start >= seconds:
            return


def one_by_one(
    db: Database,
    items: Iterable[T],
    work: Callable[[Session, T], R],
    refused: Callable[[T, BackorderError], R],
    *,
    lock: Callable[[Session, list[T]], None] | None = None,
) -> Grouped[R]:
    """Bulk work done order by order, in groups: each order in its own savepoint, so a
    refused order (`BackorderError`) rolls back alone and the group goes on; any other
    error rolls back the whole group in flight and ends the run.

    `lock`: on a server, where a group holds the row locks its orders took until it
    commits, the rows the whole group will lock, locked first in one order for every
    writer (orders by number, then products by SKU, as a single order's writer takes
    them): else the group, taking them order by order, could deadlock with another
    user's single-order transaction. The group's items are then taken at once (its
    size bounds it, not its time)."""

    def write(session: Session, pending: Iterator[T]) -> list[R]:
        outcomes = []
        group: Iterable[T] = group_of(pending)
        if lock is not None:
            group = list(group)
            lock(session, group)
        for item in group:
            try:
                with session.begin_nested():
                    outcome = work(session, item)
            except TransactionConflict:
                raise  # not this order's refusal: the group holds its locks, all go back
            except BackorderError as exc:
                outcome = refused(item, exc)
            outcomes.append(outcome)
        return outcomes

    return Grouped(db, write, items)
