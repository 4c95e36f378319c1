"""The backorder chain: the orders linked by `backorder_of`, walked one number at a
time. Apart from backorders.py so that reading an order (`orders show` draws its chain)
does not define the types of planning a backorder (bench/NOTES.md); backorders.py
re-exports both functions."""

from __future__ import annotations

from collections.abc import Callable


def chain_of(
    number: int,
    origin: Callable[[int], int | None],
    backorder: Callable[[int], int | None],
) -> list[int]:
    """The backorder chain an order belongs to, oldest first: up through `origin(n)`
    (the order n was backordered from) to the first order, then down from `number`
    through `backorder(n)` (the backorder made of n). A number seen before ends the
    walk, so a loop edited into the database by hand cannot hang it."""
    up = [number]
    seen = {number}
    while (above := origin(up[-1])) is not None and above not in seen:
        up.append(above)
        seen.add(above)
    chain = up[::-1]
    while (below := backorder(chain[-1])) is not None and below not in seen:
        chain.append(below)
        seen.add(below)
    return chain


def backorder_loop(number: int, origin: Callable[[int], int | None]) -> list[int] | None:
    """The loop of backorder links that walking up from `number` runs into (each order
    named once, in walking order), or None when the walk ends at a first order. A
    backorder chain starts at an order that is nobody's backorder; a loop has no start,
    so no order in it can be reached from a first order or undone down to one."""
    seen = [number]
    while (above := origin(seen[-1])) is not None:
        if above in seen:
            return seen[seen.index(above) :]
        seen.append(above)
    return None
