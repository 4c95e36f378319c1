"""Supply: purchases (what is ordered from suppliers and when it is expected), their
receipts and cancellations, and the promise date (ETA) of every waiting line.

The ETA is one allocation on top of `allocation.allocate_lines` (the rule `ready`
ships by): waiting lines in the allocation's priority order take stock on hand first,
whole lines only, exactly as `ready` does; what stock does not cover then takes what is
left of the stock and the open purchase lines, in expected-date order (then purchase
number), quantity by quantity. A line's ETA is today when stock covers it, else the
expected date of the purchase that completes it, else none (and `short` says how much no
known supply covers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar

from ..errors import InvalidInput, NotAllowed
from .allocation import latest_eta, promise_rows
from .values import Item, format_quantity, quantity_text


class PurchaseStatus(StrEnum):
    OPEN = "open"  # something still to come
    RECEIVED = "received"  # nothing to come, something received
    CANCELED = "canceled"  # nothing received, everything canceled


class PurchaseLineLike(Protocol):
    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def received(self) -> Decimal: ...
    @property
    def canceled(self) -> Decimal: ...


P = TypeVar("P", bound=PurchaseLineLike)


def still_open(line: PurchaseLineLike) -> Decimal:
    """What of a purchase line is still to come."""
    return line.quantity - line.received - line.canceled


def purchase_status(lines: Iterable[PurchaseLineLike]) -> PurchaseStatus:
    lines = list(lines)
    if any(still_open(line) > 0 for line in lines):
        return PurchaseStatus.OPEN
    if any(line.received > 0 for line in lines):
        return PurchaseStatus.RECEIVED
    return PurchaseStatus.CANCELED


def ensure_open(number: int, status: str, doing: str) -> None:
    if status != PurchaseStatus.OPEN:
        raise NotAllowed(
            f"purchase #{number} is {status}: nothing is still to come - it cannot {doing} "
            f"(see it with `backorder purchases show {number}`)",
            code="purchase_not_open",
        )


def plan_receipt(
    number: int, status: str, lines: Sequence[P], items: list[Item] | None
) -> list[tuple[P, Decimal]]:
    """What a receipt adds to each line: `items` (SKU=QTY, each within what is still
    open), or everything still open when None."""
    ensure_open(number, status, "be received")
    if items is None:
        return [(line, still_open(line)) for line in lines if still_open(line) > 0]
    plan = []
    for item in items:
        line = _line_of(number, lines, item.sku)
        if item.quantity > still_open(line):
            raise NotAllowed(
                f"purchase #{number} has only {quantity_text(item.sku, still_open(line))} "
                f"still to come, not {format_quantity(item.quantity)} - receive at "
                "most that (a surplus is stock: `backorder products receive`)",
                code="more_than_open",
            )
        plan.append((line, item.quantity))
    return plan


def plan_cancel(
    number: int, status: str, lines: Sequence[P], skus: list[str]
) -> list[tuple[P, Decimal]]:
    """What a cancellation takes off each line: what is still open of the named SKUs,
    or of every line when none is named."""
    ensure_open(number, status, "be canceled")
    chosen = [_line_of(number, lines, sku) for sku in skus] if skus else list(lines)
    plan = [(line, still_open(line)) for line in chosen if still_open(line) > 0]
    if not plan:
        raise NotAllowed(
            f"purchase #{number} has nothing still to come of {', '.join(skus)} - "
            "there is nothing to cancel",
            code="nothing_to_cancel",
        )
    return plan


def _line_of(number: int, lines: Sequence[P], sku: str) -> P:
    for line in lines:
        if line.sku == sku:
            return line
    raise NotAllowed(
        f"purchase #{number} has no line of {sku} - see its lines with "
        f"`backorder purchases show {number}`",
        code="no_such_line",
    )


def check_purchase_items(items: list[Item]) -> list[Item]:
    if not items:
        raise InvalidInput("a purchase needs at least one line - give SKU=QTY[@COST]")
    return items


# The promise dates.


@dataclass(frozen=True)
class Incoming:
    """What is still to come of one purchase line."""

    purchase: int
    expected: date
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Promise:
    """The ETA of one waiting line."""

    number: int
    position: int
    sku: str
    quantity: Decimal  # remaining
    eta: date | None
    source: str | None  # "stock", "purchase #N", or None
    short: Decimal  # what no known supply covers (0 when there is an ETA)


WaitingOrder = tuple[int, list[tuple[int, str, Decimal]]]


def promise_dates(
    orders: Iterable[WaitingOrder],
    stock: dict[str, Decimal],
    incoming: Iterable[Incoming],
    today: date,
) -> Iterator[Promise]:
    """The ETA of every waiting line: `orders` in the allocation's priority order, as
    `allocate_lines` takes them; `incoming` in any order. Yields in priority order."""
    supplies = [(s.expected, s.purchase, s.sku, s.quantity) for s in incoming]
    for row in promise_rows(orders, stock, supplies, today):
        yield Promise(*row)


def order_eta(promises: Iterable[Promise]) -> date | None:
    """An order's ETA: the latest of its lines', none when a line has none."""
    return latest_eta(promise.eta for promise in promises)


def parse_purchase_number(text: str) -> int:
    """`7` or `#7`: a purchase number as a person types it."""
    from .values import MAX_ORDER_NUMBER

    raw = text.strip()
    if re.fullmatch(r"#?[0-9]{1,19}", raw) and 1 <= int(raw.lstrip("#")) <= MAX_ORDER_NUMBER:
        return int(raw.lstrip("#"))
    raise InvalidInput(f"{text!r} is not a purchase number - give one like 7 or #7")


def parse_lead_time(text: str) -> int:
    """Days from ordering to arrival: a whole number from 0 to 3650."""
    raw = text.strip()
    if re.fullmatch(r"[0-9]{1,4}", raw) and int(raw) <= 3650:
        return int(raw)
    raise InvalidInput(f"lead time {text!r} is not a number of days from 0 to 3650")


def ensure_suppliers(skus_and_suppliers: Iterable[tuple[str, str]]) -> None:
    """Purchases are made per supplier: refuse when a SKU to buy has none."""
    nobody = [sku for sku, supplier in skus_and_suppliers if not supplier]
    if nobody:
        verb = "has" if len(nobody) == 1 else "have"
        raise NotAllowed(
            f"{', '.join(nobody)} {verb} no supplier - set one with "
            f"`backorder products edit {nobody[0]} --supplier NAME`, or leave "
            f"{'it' if len(nobody) == 1 else 'them'} out with --supplier",
            code="no_supplier",
        )


def purchase_violations(
    number: int, status: str, lines: Sequence[tuple[int, PurchaseLineLike]], known: set[str]
) -> list[str]:
    """What is wrong with a stored purchase (`check`): each line's amounts (none
    negative, received + canceled within what was ordered), its SKU in the catalogue,
    and the purchase's status following its lines. `lines` are (position, line)."""
    found = []
    for position, line in lines:
        where = f"purchase #{number}, line {position} ({line.sku})"
        for name in ("quantity", "received", "canceled"):
            value = getattr(line, name)
            if value < 0 or (name == "quantity" and value == 0):
                found.append(f"{where}: {name} is {format_quantity(value)}")
        if line.received + line.canceled > line.quantity:
            found.append(
                f"{where}: received {format_quantity(line.received)} + canceled "
                f"{format_quantity(line.canceled)} is more than the "
                f"{format_quantity(line.quantity)} ordered"
            )
        if line.sku not in known:
            found.append(f"{where}: SKU {line.sku} is not in the catalogue")
    if not lines:
        found.append(f"purchase #{number} has no lines")
    elif status != purchase_status([line for _p, line in lines]):
        should = purchase_status([line for _p, line in lines])
        found.append(f"purchase #{number}: status is {status} but its lines make it {should}")
    return found
