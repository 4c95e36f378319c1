"""Orders: statuses, settings, lines and totals, and the plans for shipping and invoicing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..errors import InvalidInput, NotAllowed
from .values import ZERO, close_match, format_quantity, quantity_text

if TYPE_CHECKING:
    from .values import Item


# Every setting, with its allowed values and default.
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "inventory-value-on-invoicing": (("on", "off"), "off"),
}


class Status(StrEnum):
    DRAFT = "draft"
    BOOKED = "booked"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CANCELED = "canceled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Quantities(Protocol):
    """What a line's status follows from: its quantities (an import row has no money yet).
    Read-only members, so table rows, frozen dataclasses and rows all match."""

    @property
    def quantity(self) -> Decimal: ...
    @property
    def shipped(self) -> Decimal: ...
    @property
    def invoiced(self) -> Decimal: ...
    @property
    def canceled(self) -> Decimal: ...


class Archived(StrEnum):
    """Which orders a listing or an export takes: those not archived, the archived, all."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = "all"


class LineLike(Quantities, Protocol):
    """An order line as the rules read it: a table row or a plain value."""

    @property
    def sku(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def unit_price(self) -> Decimal: ...

    # Money (see `share`): what the line still stands for (neither canceled nor moved to
    # a backorder), and the part of `canceled` moved to backorders with its value.
    @property
    def amount(self) -> Decimal: ...
    @property
    def backordered(self) -> Decimal: ...
    @property
    def backordered_amount(self) -> Decimal: ...


# A plan hands back the caller's own lines: given table rows, it returns table rows.
L = TypeVar("L", bound=LineLike)


class OrderLike(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def archived(self) -> bool: ...


def parse_status(text: str) -> Status:
    """Accept `partially-shipped`, `partially_shipped` or `Partially Shipped`."""
    key = re.sub(r"[\s_-]+", "_", text.strip().lower())
    try:
        return Status(key)
    except ValueError:
        names = [s.value.replace("_", "-") for s in Status]
        listed = ", ".join(names)
        guess = close_match(key.replace("_", "-"), names)
        fix = f"did you mean {guess}? (statuses: {listed})" if guess else f"use one of {listed}"
        raise InvalidInput(f"unknown status {text!r} - {fix}") from None


# Not a stored setting but the order series: `settings set next-order-number N` moves it
# up, so the next new order gets N (never down: a number is never handed out twice).
NEXT_ORDER_NUMBER = "next-order-number"


def parse_setting_change(key: str, value: str) -> tuple[str, str]:
    """What `settings set` may change: a stored setting, or the next order number (any
    order number: `2401` or `#2401`; whether it is high enough the database says)."""
    if key == NEXT_ORDER_NUMBER:
        from .values import parse_order_number

        try:
            return key, str(parse_order_number(value))
        except InvalidInput:
            raise InvalidInput(
                f"{NEXT_ORDER_NUMBER} takes an order number like 5001, got {value!r}"
            ) from None
    if key not in SETTINGS:
        raise InvalidInput(_unknown_setting(key))
    return parse_setting(key, value)


def _unknown_setting(key: str) -> str:
    names = [*SETTINGS, NEXT_ORDER_NUMBER]
    guess = close_match(key, names)
    listed = ", ".join(names)
    fix = f"did you mean {guess}? (settings: {listed})" if guess else f"known settings: {listed}"
    return f"unknown setting {key!r} - {fix}"


def parse_setting(key: str, value: str) -> tuple[str, str]:
    """A stored setting (as `settings set` and an import file give it)."""
    if key not in SETTINGS:
        raise InvalidInput(_unknown_setting(key))
    allowed, _default = SETTINGS[key]
    value = value.strip().lower()
    if value not in allowed:
        raise InvalidInput(f"setting {key} takes {' or '.join(allowed)}, got {value!r}")
    return key, value


def remaining(line: Quantities) -> Decimal:
    """What is still to be delivered: neither shipped nor canceled."""
    return line.quantity - line.shipped - line.canceled


def uninvoiced(line: Quantities) -> Decimal:
    return line.shipped - line.invoiced


def order_total(lines: Iterable[LineLike]) -> Decimal:
    """The value the order still stands for: what is delivered or still to deliver,
    the sum of its lines' amounts.

    Canceled quantities are not counted, so a backordered original is worth what was
    shipped from it and the backorder is worth the rest, to the cent.
    """
    return sum((line.amount for line in lines), ZERO)


def order_status(current: Status | str, lines: Sequence[Quantities]) -> Status:
    """The status the lines call for. Draft and canceled are decisions, not quantities,
    so they stay; every other status follows from what is shipped and invoiced."""
    current = Status(current)
    if current in (Status.DRAFT, Status.CANCELED):
        return current
    if not any(line.shipped > 0 for line in lines):
        return Status.BOOKED
    if any(remaining(line) > 0 for line in lines):
        return Status.PARTIALLY_SHIPPED
    if any(uninvoiced(line) > 0 for line in lines):
        return Status.SHIPPED
    return Status.INVOICED


def ensure_changeable(order: OrderLike, action: str) -> None:
    """Refuse any change (`action`: 'ship', 'invoice', ...) to a draft, canceled or archived
    order, naming what to do instead."""
    n = order.number
    if order.status == Status.CANCELED:
        raise NotAllowed(
            f"order #{n} is canceled - a canceled order cannot {action}", code="canceled"
        )
    if order.archived:
        raise NotAllowed(
            f"order #{n} is archived - an archived order cannot {action}", code="archived"
        )
    if order.status == Status.DRAFT:
        raise NotAllowed(
            f"order #{n} is a draft - book it first with `backorder orders book {n}`", code="draft"
        )


def plan_shipment(
    order: OrderLike,
    lines: Sequence[L],
    stock: dict[str, Decimal],
    requested: list[Item] | None,
) -> list[tuple[L, Decimal]]:
    """Which quantity ships from which line.

    `requested=None` means "everything stock on hand covers" (`--available`): each
    line ships min(remaining, stock), lines in order, so two lines of one SKU never
    count the same units. Otherwise every requested quantity must fit both what
    remains on its line and the stock on hand.
    """
    ensure_changeable(order, "be shipped")
    n = order.number
    left = dict(stock)
    plan: list[tuple[L, Decimal]] = []
    if requested is None:
        for line in lines:
            quantity = min(remaining(line), left.get(line.sku, ZERO))
            if quantity > 0:
                plan.append((line, quantity))
                left[line.sku] -= quantity
        if not plan:
            if not any(remaining(line) > 0 for line in lines):
                raise NotAllowed(f"order #{n} has nothing left to ship", code="nothing_to_ship")
            raise NotAllowed(
                f"no stock on hand for what remains on order #{n} - "
                "receive stock with `backorder products receive SKU QTY` first",
                code="no_stock",
            )
        return plan
    by_sku = {line.sku: line for line in lines}
    for item in requested:
        found = by_sku.get(item.sku)
        if found is None:
            guess = close_match(item.sku, by_sku)
            see = f"see its lines with `backorder orders show {n}`"
            fix = f"did you mean {guess}? ({see})" if guess else see
            raise NotAllowed(
                f"order #{n} has no line for SKU {item.sku} - {fix}", code="no_such_line"
            )
        line = found
        rest = remaining(line)
        if item.quantity > rest:
            raise NotAllowed(
                f"cannot ship {quantity_text(item.sku, item.quantity)} on order #{n}: "
                f"only {format_quantity(rest)} remains",
                code="more_than_remains",
            )
        on_hand = left.get(item.sku, ZERO)
        if item.quantity > on_hand:
            raise NotAllowed(
                f"cannot ship {quantity_text(item.sku, item.quantity)}: only "
                f"{format_quantity(on_hand)} in stock - receive stock with "
                f"`backorder products receive {item.sku} QTY` first",
                code="no_stock",
            )
        left[item.sku] = on_hand - item.quantity
        plan.append((line, item.quantity))
    return plan


def plan_invoice(
    order: OrderLike, lines: Sequence[L], *, backordered_as: int | None = None
) -> list[tuple[L, Decimal]]:
    """Every shipped, not yet invoiced quantity, line by line. A canceled order is
    refused, pointing to its backorder (`backordered_as`) when it has one."""
    n = order.number
    if order.status == Status.CANCELED:
        if backordered_as is not None:
            raise NotAllowed(
                f"order #{n} is canceled and invoices cannot be created for a canceled order - "
                f"its undelivered items moved to backorder #{backordered_as}: invoice that "
                f"once it ships, with `backorder invoice {backordered_as}`",
                code="canceled",
            )
        raise NotAllowed(
            f"order #{n} is canceled and invoices cannot be created for a canceled order - "
            f"nothing on it can be invoiced any more (`backorder orders show {n}` shows "
            "its invoices)",
            code="canceled",
        )
    ensure_changeable(order, "be invoiced")
    plan = [(line, uninvoiced(line)) for line in lines if uninvoiced(line) > 0]
    if not plan:
        if not any(remaining(line) > 0 for line in lines):
            raise NotAllowed(
                f"order #{n} is fully invoiced: everything on it was shipped and invoiced - "
                "there is nothing left to invoice "
                f"(`backorder orders show {n}` lists its invoices)",
                code="nothing_to_invoice",
            )
        raise NotAllowed(
            f"order #{n} has nothing to invoice: every shipped quantity is invoiced - "
            f"ship first with `backorder ship {n}`",
            code="nothing_to_invoice",
        )
    return plan
