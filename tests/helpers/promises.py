"""The promise dates the straightforward way, unit by unit, as the issue words the rule:
the reference the fast paths (`domain.allocation.promise_rows`, and the per-SKU reads
of `orders show` and `products show`) are compared with on random companies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

Answer = tuple[date | None, str | None, int]  # eta, source, short


def reference_promises(
    orders: list[tuple[int, list[tuple[int, str, int]]]],
    stock: dict[str, int],
    purchases: Iterable[tuple[date, int, str, int]],
    today: date,
) -> dict[tuple[int, int], Answer]:
    """(number, position) -> (eta, source, short) of every waiting line. `orders` in
    priority order with whole units (scale Decimals first); `purchases` are (expected,
    number, SKU, still to come)."""
    # 1. Stock on hand, whole lines only, in priority order: what `ready` ships.
    left = dict(stock)
    from_stock = set()
    for number, lines in orders:
        for position, sku, quantity in lines:
            if left.get(sku, 0) >= quantity:
                left[sku] -= quantity
                from_stock.add((number, position))
    # 2. Every unit still to come, one by one: what stock left (today), then each
    # purchase's in expected-date order (then purchase number).
    units: dict[str, list[tuple[date, str]]] = {
        sku: [(today, "stock")] * q for sku, q in left.items()
    }
    for expected, number, sku, quantity in sorted(purchases, key=lambda p: (p[0], p[1])):
        units.setdefault(sku, []).extend([(expected, f"purchase #{number}")] * quantity)
    used: dict[str, int] = {}
    found: dict[tuple[int, int], Answer] = {}
    for number, lines in orders:
        for position, sku, quantity in lines:
            if (number, position) in from_stock:
                found[number, position] = (today, "stock", 0)
                continue
            pool, start = units.get(sku, []), used.get(sku, 0)
            got = min(quantity, len(pool) - start)
            used[sku] = start + got
            if got == quantity:
                day, source = pool[start + quantity - 1]
                found[number, position] = (day, source, 0)
            else:
                found[number, position] = (None, None, quantity - got)
    return found


def reference_order_etas(found: dict[tuple[int, int], Answer]) -> dict[int, date | None]:
    """Each order's ETA: the latest of its lines', none when one has none."""
    etas: dict[int, list[date | None]] = {}
    for (number, _position), (eta, _source, _short) in found.items():
        etas.setdefault(number, []).append(eta)
    return {
        n: None if None in days else max(d for d in days if d is not None)
        for n, days in etas.items()
    }
