"""The allocation: how waiting lines share the stock on hand (`allocate_lines`, the rule
`ready` ships by) and what is coming (`promise_rows`, the promise date of every waiting
line; `domain.supply` tells the rule in full).

Kept apart, and lean, because `orders show` pays its import on every run: it works on
plain tuples of Decimals or scaled integers, and imports nothing of ours.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import TypeVar

Q = TypeVar("Q", Decimal, int)


def allocate_lines(
    orders: Iterable[tuple[int, list[tuple[int, str, Q]]]], stock: dict[str, Q]
) -> Iterator[tuple[int, list[tuple[int, str, Q]], list[tuple[int, str, Q]]]]:
    """The allocation rule, streaming: `orders` come in priority order as (number,
    [(position, sku, remaining)]); yields (number, lines covered, lines waiting) for
    each order with at least one line covered.

    Each line, in order, takes its whole remaining quantity if what is left of its SKU
    covers it, and nothing otherwise, so two orders never count the same units and what
    is listed is exactly what `ready --ship` ships. Stops reading once no stock is left.
    Quantities may be Decimals or scaled integers, as long as both sides agree.
    """
    left = {sku: q for sku, q in stock.items() if q > 0}
    if not left:
        return
    for number, lines in orders:
        ship, waiting = [], []
        for position, sku, quantity in lines:
            have = left.get(sku)
            if have is not None and have >= quantity:
                ship.append((position, sku, quantity))
                if have == quantity:
                    del left[sku]
                else:
                    left[sku] = have - quantity
            else:
                waiting.append((position, sku, quantity))
        if ship:
            yield number, ship, waiting
        if not left:
            return  # nothing left to give: no later order can be covered


# (expected, purchase number, SKU, still to come)
Supply = tuple[date, int, str, Q]
# (order number, position, SKU, remaining, eta, source, short)
PromiseRow = tuple[int, int, str, Q, date | None, str | None, Q]


def promise_rows(
    orders: Iterable[tuple[int, list[tuple[int, str, Q]]]],
    stock: dict[str, Q],
    incoming: Iterable[Supply[Q]],
    today: date,
) -> Iterator[PromiseRow[Q]]:
    """`promise_dates` as plain tuples, on Decimals or on scaled integers alike (as long
    as every quantity agrees): the services feed it scaled integers straight from the
    database, and make Decimals only of the lines they show."""
    orders = list(orders)
    covered = {
        (number, position)
        for number, ship, _waiting in allocate_lines(iter(orders), dict(stock))
        for position, _sku, _q in ship
    }
    taken: dict[str, Q] = {}
    for number, lines in orders:
        for position, sku, quantity in lines:
            if (number, position) in covered:
                taken[sku] = taken[sku] + quantity if sku in taken else quantity
    # What each SKU has for the lines stock does not cover: the stock they left, then
    # the purchases by expected date.
    queues: dict[str, list[tuple[date, str | None, Q]]] = {}
    for sku, on_hand in stock.items():
        left = on_hand - taken[sku] if sku in taken else on_hand
        if left > 0:
            queues[sku] = [(today, None, left)]
    for expected, purchase, sku, quantity in sorted(incoming, key=lambda s: (s[0], s[1])):
        if quantity > 0:
            queues.setdefault(sku, []).append((expected, f"purchase #{purchase}", quantity))
    heads: dict[str, int] = {}
    for number, lines in orders:
        for position, sku, quantity in lines:
            nothing = quantity - quantity  # a zero of the quantities' own type
            if (number, position) in covered:
                yield number, position, sku, quantity, today, "stock", nothing
                continue
            queue = queues.get(sku, [])
            i = heads.get(sku, 0)
            need = quantity
            eta: date | None = None
            source: str | None = None
            while i < len(queue):
                day, where, have = queue[i]
                if have > need:
                    queue[i] = (day, where, have - need)
                    need = nothing
                else:
                    need -= have
                    i += 1
                if need == 0:
                    eta, source = day, where or "stock"
                    break
            heads[sku] = i
            yield number, position, sku, quantity, eta, source, need


def order_etas(rows: Iterable[PromiseRow[Q]]) -> dict[int, date | None]:
    """Every order's ETA (`order_eta`) from its lines' promise rows, in one pass: an
    order's lines come together, as `promise_rows` yields them."""
    found: dict[int, date | None] = {}
    for number, group in itertools.groupby(rows, key=lambda row: row[0]):
        latest: date | None = None
        for row in group:
            eta = row[4]
            if eta is None:
                latest = None
                break
            latest = eta if latest is None or eta > latest else latest
        found[number] = latest
    return found
