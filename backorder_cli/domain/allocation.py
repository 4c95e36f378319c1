"""The allocation: how waiting lines share the stock on hand (`allocate_lines`, the rule
`ready` ships by) and what is coming (`promise_rows`, the promise date of every waiting
line; `domain.supply` tells the rule in full).

Kept apart, and lean, because `orders show` pays its import on every run: it works on
plain tuples of Decimals or scaled integers, and imports nothing of ours.
"""

from __future__ import annotations

from array import array
from collections.abc import Container, Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import TypeVar

Q = TypeVar("Q", Decimal, int)


def allocate_lines(
    orders: Iterable[tuple[int, list[tuple[int, str, Q]]]],
    stock: dict[str, Q],
    *,
    complete_only: Container[int] = frozenset(),
) -> Iterator[tuple[int, list[tuple[int, str, Q]], list[tuple[int, str, Q]]]]:
    """The allocation rule, streaming: `orders` come in priority order as (number,
    [(position, sku, remaining)]); yields (number, lines covered, lines waiting) for
    each order with at least one line covered.

    Each line, in order, takes its whole remaining quantity if what is left of its SKU
    covers it, and nothing otherwise, so two orders never count the same units and what
    is listed is exactly what `ready --ship` ships. An order in `complete_only` (its
    policy is ship-complete; asked once the order has been read from `orders`) takes
    stock only when what is left covers every one of its lines, and otherwise nothing.
    Stops reading once no stock is left. Quantities may be Decimals or scaled integers,
    as long as both sides agree.
    """
    left = {sku: q for sku, q in stock.items() if q > 0}
    if not left:
        return
    for number, lines in orders:
        ship, waiting = [], []
        if number in complete_only:
            need: dict[str, Q] = {}
            for _position, sku, quantity in lines:
                need[sku] = need[sku] + quantity if sku in need else quantity
            if all(sku in left and left[sku] >= q for sku, q in need.items()):
                for sku, q in need.items():
                    left[sku] -= q
                    if not left[sku]:
                        del left[sku]
                ship = list(lines)
        else:
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


def _supply_points(
    left: dict[str, Q], incoming: Iterable[Supply[Q]], wanted: Container[str], today: date
) -> dict[str, list[tuple[Q, date, str]]]:
    """For each SKU in `wanted`, what it has for the lines stock did not cover, as points
    of (supply up to and including this point, its date, its source): what stock left
    (today), then the purchases by expected date, then purchase number. Written once for
    `promise_rows_of` and `order_etas`."""
    queues: dict[str, list[tuple[Q, date, str]]] = {}
    for sku, on_hand in left.items():
        if on_hand > 0 and sku in wanted:
            queues[sku] = [(on_hand, today, "stock")]
    for expected, purchase, sku, quantity in sorted(incoming, key=lambda s: (s[0], s[1])):
        if quantity > 0 and sku in wanted:
            queue = queues.setdefault(sku, [])
            upto = queue[-1][0] + quantity if queue else quantity
            queue.append((upto, expected, f"purchase #{purchase}"))
    return queues


def promise_rows_of(
    number: int,
    lines: Iterable[tuple[int, int, str, Q]],
    stock: dict[str, Q],
    incoming: Iterable[Supply[Q]],
    today: date,
) -> list[PromiseRow[Q]]:
    """`promise_rows` of one order's lines only (`orders show`), from the waiting lines
    of its SKUs as flat rows (order number, position, SKU, remaining), in priority
    order. The same rule, summed instead of walked (as `order_etas`): stock covers whole
    lines first-fit as they come, the whole way through (what it leaves after every
    line it covers, also the ones after this order's, comes first for the lines it does
    not cover); a line it does not cover completes at the first point where what its
    SKU has for such lines (what stock left, then the purchases by expected date, then
    purchase number) reaches the sum of the lines stock did not cover up to it, its own
    included, and lacks what that sum is beyond all of it (at most its own quantity).
    One pass and a few sums, where `promise_rows` keeps every line and walks a queue
    for each: tests/unit/test_promise_rows_agree.py holds the two together."""
    left = {sku: q for sku, q in stock.items() if q > 0}
    uncovered: dict[str, Q] = {}  # per SKU: the lines stock did not cover, summed
    mine: list[tuple[int, str, Q, Q | None]] = []  # position, SKU, quantity, that sum
    for n, position, sku, quantity in lines:
        have = left.get(sku)
        if have is not None and have >= quantity:
            left[sku] = have - quantity
            if n == number:
                mine.append((position, sku, quantity, None))
            continue
        total = uncovered[sku] + quantity if sku in uncovered else quantity
        uncovered[sku] = total
        if n == number:
            mine.append((position, sku, quantity, total))
    wanted = {sku for _p, sku, _q, total in mine if total is not None}
    queues = _supply_points(left, incoming, wanted, today)
    found: list[PromiseRow[Q]] = []
    for position, sku, quantity, summed in mine:
        nothing = quantity - quantity  # a zero of the quantities' own type
        if summed is None:
            found.append((number, position, sku, quantity, today, "stock", nothing))
            continue
        queue = queues.get(sku, [])
        point = next((point for point in queue if point[0] >= summed), None)
        if point is not None:
            found.append((number, position, sku, quantity, point[1], point[2], nothing))
            continue
        beyond = summed - queue[-1][0] if queue else summed
        short = quantity if beyond > quantity else beyond
        found.append((number, position, sku, quantity, None, None, short))
    return found


def latest_eta(etas: Iterable[date | None]) -> date | None:
    """An order's ETA from its lines': the latest, none when a line has none."""
    latest: date | None = None
    for eta in etas:
        if eta is None:
            return None
        latest = eta if latest is None or eta > latest else latest
    return latest


def order_etas(
    orders: Iterable[tuple[int, list[tuple[int, str, int]]]],
    stock: dict[str, int],
    incoming: Iterable[Supply[int]],
    today: date,
) -> dict[int, date | None]:
    """Every waiting order's ETA (the latest of its lines', none when one has none), as
    `promise_rows` gives it, in one streaming pass over the waiting lines (scaled
    integers) with little memory: `orders list` needs it for every waiting order of a
    million-order database, whose lines must not all be held at once.

    The same rule, summed instead of walked: stock covers whole lines as the lines
    come; a line it does not cover completes at the first point where what its SKU has
    for such lines (what stock left, then the purchases by expected date) reaches the
    lines stock did not cover so far, its own included. What stock leaves is known only
    at the end, so each such line keeps only (order, that running sum) until then.
    tests/unit/test_promise_rows_agree.py holds it to `promise_rows` and the rule."""
    left = {sku: q for sku, q in stock.items() if q > 0}
    running: dict[str, int] = {}
    pending: dict[str, tuple[array[int], array[int]]] = {}  # per SKU: orders, sums
    found: dict[int, date | None] = {}
    for number, lines in orders:
        found[number] = today
        for _position, sku, quantity in lines:
            have = left.get(sku)
            if have is not None and have >= quantity:
                left[sku] = have - quantity
                continue
            total = running.get(sku, 0) + quantity
            running[sku] = total
            if sku not in pending:
                pending[sku] = (array("q"), array("q"))
            numbers, sums = pending[sku]
            numbers.append(number)
            sums.append(total)
    queues = _supply_points(left, incoming, pending.keys(), today)
    for sku, (numbers, sums) in pending.items():
        queue = queues.get(sku, [])
        i = 0
        for number, total in zip(numbers, sums, strict=True):
            while i < len(queue) and queue[i][0] < total:
                i += 1
            latest = found[number]
            if i == len(queue):
                found[number] = None
            elif latest is not None and queue[i][1] > latest:
                found[number] = queue[i][1]
    return found
