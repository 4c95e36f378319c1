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

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sqlmodel import Session

from ..errors import BackorderError
from ..storage.database import Database

T = TypeVar("T")
R = TypeVar("R")

# A group ends at whichever comes first. 500 orders keep one group's statements well
# inside the parameter limits (lines are sent in executemany batches anyway), and
# 100 ms bound what a kill can lose when each order is slow (a server far away).
GROUP_ORDERS = 500
GROUP_SECONDS = 0.1


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
            items = _prepend(first, self._items)
            with self._db.write() as session:
                outcomes = self._write(session, items)
            self._ready = outcomes  # committed: may be given out now
        return self._ready.pop(0)

    def unreported(self) -> list[R]:
        """The outcomes committed but not given out yet; they count as given out now."""
        rest, self._ready = self._ready, []
        return rest


_END = object()


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
) -> Grouped[R]:
    """Bulk work done order by order, in groups: each order in its own savepoint, so a
    refused order (`BackorderError`) rolls back alone and the group goes on; any other
    error rolls back the whole group in flight and ends the run."""

    def write(session: Session, pending: Iterator[T]) -> list[R]:
        outcomes = []
        for item in group_of(pending):
            try:
                with session.begin_nested():
                    outcome = work(session, item)
            except BackorderError as exc:
                outcome = refused(item, exc)
            outcomes.append(outcome)
        return outcomes

    return Grouped(db, write, items)
