"""Money: a line's amount is rounded once, and every part of it (shipped, invoiced, moved
to a backorder, given back) is cut from it so the parts add up to exactly the whole.
Written once here; storage, the check, the import and the benchmarks use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

from .values import CENT, ZERO

if TYPE_CHECKING:
    from .orders import LineLike


# Money keeps its sum when a line is split. A line's amount is its quantity times its
# unit price, rounded ONCE (`line_amount`). Every later part of it (an invoice, a move
# to a backorder) is cut from that amount by cumulative rounding (`share`): the parts
# up to k of n units are worth share(amount, k, n), so consecutive parts add up to
# exactly the whole and the last part takes the remainder. The line stores what it
# still stands for (`amount`, over quantity - canceled) and what it moved to backorders
# (`backordered`, `backordered_amount`); an order's total is the sum of its amounts.

_EXACT = Context(prec=60)  # far more digits than any amount: division never rounds early


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity times unit price, rounded to cents half-up: a new line's amount."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)


def share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """What the first `part` of `whole` units of a line worth `amount` are worth:
    rounded to cents half-up, and exactly `amount` for the whole of it."""
    if part >= whole:
        return amount
    if part <= 0 or whole <= 0:
        return ZERO
    value = _EXACT.divide(_EXACT.multiply(amount, part), whole)
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=_EXACT)


def scaled_line_amount(quantity_milli: int, price_4: int) -> int:
    """`line_amount` on the scaled integers storage keeps: thousandths of a unit times
    ten-thousandths of a price, in cents, rounded half-up (for bulk writers that never
    build a Decimal; `tests/unit/test_split_money.py` proves the two agree)."""
    return (quantity_milli * price_4 + 50_000) // 100_000


def scaled_share(amount: int, part: int, whole: int) -> int:
    """`share` on scaled integers: the first `part` of `whole` units of `amount` cents."""
    if part >= whole:
        return amount
    if part <= 0 or whole <= 0:
        return 0
    return (2 * amount * part + whole) // (2 * whole)


def invoice_amount(line: LineLike, quantity: Decimal, billed: Decimal) -> Decimal:
    """What invoicing `quantity` more of `line` bills, its invoices having billed
    `billed` so far: the share of everything invoiced after it less what was billed, so
    the invoices of a line add up to its amount (never below zero: an old invoice that
    billed a cent too much is made up for by the next ones)."""
    kept = line.quantity - line.canceled
    return max(ZERO, share(line.amount, line.invoiced + quantity, kept) - billed)


def split_amount(line: LineLike, moved: Decimal) -> tuple[Decimal, Decimal]:
    """Cancel `moved` units still to deliver on `line` (the last ones): (the amount the
    line keeps, the amount that leaves with them). The two add up to `line.amount`."""
    kept_quantity = line.quantity - line.canceled
    kept = share(line.amount, kept_quantity - moved, kept_quantity)
    return kept, line.amount - kept


def given_back_amount(line: LineLike, back: Decimal) -> Decimal:
    """The amount `line` gets back when `back` of its backordered units return from an
    undone backorder: what they took with them, all of it when all of them return."""
    rest = line.backordered - back
    return line.backordered_amount - share(line.backordered_amount, rest, line.backordered)


# Lines that arrive without their money (an import document, a database from before
# schema 3) get it here, by the same rule the tool applies as it goes.


@dataclass(frozen=True)
class LineFacts:
    """What is known of a line: its quantities, and what its invoices billed already
    (old invoices stay as billed)."""

    sku: str
    quantity: Decimal
    canceled: Decimal
    unit_price: Decimal
    invoiced: Decimal = ZERO
    billed: Decimal = ZERO


@dataclass(frozen=True)
class LineMoney:
    amount: Decimal
    backordered: Decimal
    backordered_amount: Decimal
    # The money that left with units closed or canceled with the order (schema 6).
    canceled_amount: Decimal = ZERO


def settle_money(
    orders: dict[int, tuple[int | None, list[LineFacts]]],
) -> dict[int, list[LineMoney]]:
    """The money of every line of `orders` (number -> (backorder_of, lines)).

    Each line of a backorder takes its units from the canceled units of its origin's
    lines of the same SKU (same price first), in line order; what they took is the
    origin line's `backordered`. A line that is no backorder's is worth its quantity
    less what was canceled otherwise, at its price, rounded once; it keeps the share
    of that for what it did not cancel and hands the rest to its backorder lines.
    A line its invoices billed in full is worth what they billed; one they billed in
    part is worth at least that. An origin then records what its backorders hold,
    so the chain adds up whatever the old invoices billed.
    """
    children: dict[int, list[int]] = {}
    for number, (origin, _lines) in sorted(orders.items()):
        if origin is not None and origin in orders and origin != number:
            children.setdefault(origin, []).append(number)
    # Roots first, then each order after its origin; a loop edited by hand is cut.
    order: list[int] = []
    seen: set[int] = set()
    for number, (origin, _lines) in sorted(orders.items()):
        if origin is None or origin not in orders or origin == number:
            stack = [number]
            while stack:
                n = stack.pop(0)
                if n in seen:
                    continue
                seen.add(n)
                order.append(n)
                stack.extend(children.get(n, []))
    order.extend(n for n in sorted(orders) if n not in seen)
    # Which canceled units of which origin line each backorder line holds.
    pieces: dict[tuple[int, int], list[tuple[int, int, Decimal]]] = {}  # origin line ->
    took: dict[tuple[int, int], Decimal] = {}
    for origin, numbers in children.items():
        origin_lines = orders[origin][1]
        for child in numbers:
            for j, line in enumerate(orders[child][1]):
                due = line.quantity
                for same_price in (True, False):
                    for i, source in enumerate(origin_lines):
                        if due <= 0:
                            break
                        if source.sku != line.sku or (
                            same_price and source.unit_price != line.unit_price
                        ):
                            continue
                        free = source.canceled - took.get((origin, i), ZERO)
                        if free > 0:
                            back = min(due, free)
                            took[(origin, i)] = took.get((origin, i), ZERO) + back
                            pieces.setdefault((origin, i), []).append((child, j, back))
                            due -= back
    value: dict[tuple[int, int], Decimal] = {}  # a backorder line's value, from its origin
    # Backorder lines at another price than their origin's (edited, imported) are worth
    # their own quantity at their own price; the origin then records what they hold.
    own_price = {
        (child, j)
        for (origin, i), piece_list in pieces.items()
        for child, j, _back in piece_list
        if orders[child][1][j].unit_price != orders[origin][1][i].unit_price
    }
    money: dict[int, list[LineMoney]] = {}
    for number in order:
        settled = []
        for i, line in enumerate(orders[number][1]):
            moved = took.get((number, i), ZERO)
            before = line.quantity - line.canceled + moved  # not canceled otherwise
            after = line.quantity - line.canceled
            whole = value.get((number, i), ZERO)
            if (number, i) in own_price or (number, i) not in value:
                whole = line_amount(before, line.unit_price)
            rule = share(whole, after, before)
            kept = rule
            if line.billed > 0 and (line.invoiced >= after or line.billed > kept):
                kept = line.billed  # old invoices stay as billed
            moved_amount = whole - kept if whole >= kept else whole - rule
            done = ZERO
            for child, j, back in pieces.get((number, i), []):
                upto = share(moved_amount, done + back, moved) - share(moved_amount, done, moved)
                value[(child, j)] = value.get((child, j), ZERO) + upto
                done += back
            settled.append(LineMoney(kept, moved, moved_amount if moved else ZERO))
        money[number] = settled
    # What the backorders hold, as they stand (their own invoices may have billed
    # otherwise): the origin moved exactly that. Deepest first, so it adds up to the top.
    for origin in reversed(order):
        counted: dict[tuple[int, int], Decimal] = {}  # units of a backorder line counted
        for i in range(len(money[origin])):
            if not pieces.get((origin, i)):
                continue
            held = ZERO
            for child, j, back in pieces[(origin, i)]:
                line, held_line = orders[child][1][j], money[child][j]
                full = held_line.amount + held_line.backordered_amount
                # A backorder line fed by several origin lines: each takes its share.
                done = counted.get((child, j), ZERO)
                held += share(full, done + back, line.quantity) - share(full, done, line.quantity)
                counted[(child, j)] = done + back
            entry = money[origin][i]
            money[origin][i] = LineMoney(entry.amount, entry.backordered, held)
    return money
