"""Pure rules of orders, shipments, invoices and backorders.

Nothing here touches a database, a terminal or a file: functions take plain values
(or any object with the attributes of an order line) and return plain values, or raise
an error from `errors`. The services apply what these functions decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol, TypeVar

from .errors import InvalidInput, NotAllowed

# How exact each kind of number is. Storage keeps exactly these places (db.py), so a
# value with more places is refused at input rather than silently rounded.
QUANTITY_PLACES = 3
PRICE_PLACES = 4
MONEY_PLACES = 2
# Far above any real order, far below what a 64-bit scaled integer can hold.
MAX_NUMBER = Decimal(10) ** 12
CENT = Decimal("0.01")
ZERO = Decimal(0)

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


class LineLike(Protocol):
    sku: str
    name: str
    unit: str
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal
    canceled: Decimal
    unit_price: Decimal


class OrderLike(Protocol):
    number: int
    status: str
    archived: bool


# ---------------------------------------------------------------- parsing input

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_decimal(text: str | int | Decimal, *, what: str, places: int) -> Decimal:
    """Turn typed or imported text into an exact Decimal, refusing anything inexact.

    Exponents, NaN and infinities are refused, and so is a value with more decimal
    places than `places`: it would otherwise be rounded without anyone noticing.
    """
    if isinstance(text, bool):
        raise InvalidInput(f"{what} must be a number, got {text!r}")
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    else:
        raw = str(text).strip()
        if not _DECIMAL_TEXT.fullmatch(raw):
            raise InvalidInput(f"{what} must be a plain decimal number like 2 or 2.5, got {text!r}")
        try:
            value = Decimal(raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
            raise InvalidInput(f"{what} must be a number, got {text!r}") from None
    if not value.is_finite():
        raise InvalidInput(f"{what} must be a finite number, got {text!r}")
    if abs(value) >= MAX_NUMBER:
        raise InvalidInput(f"{what} {text} is too large - the limit is {MAX_NUMBER:,}")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{what} {text} has more than {places} decimal places")
    return value


def parse_quantity(text: str | int | Decimal, *, what: str = "quantity") -> Decimal:
    """A quantity that must be above zero (2, 2.5, 0.125)."""
    value = parse_decimal(text, what=what, places=QUANTITY_PLACES)
    if value <= 0:
        raise InvalidInput(f"{what} must be greater than zero, got {text}")
    return value


def parse_stock(text: str | int | Decimal, *, what: str = "stock") -> Decimal:
    """A stock level or other quantity that may be zero but never negative."""
    value = parse_decimal(text, what=what, places=QUANTITY_PLACES)
    if value < 0:
        raise InvalidInput(f"{what} must not be negative, got {text}")
    return value


def parse_price(text: str | int | Decimal, *, what: str = "price") -> Decimal:
    """A unit price: zero (a free item) or more, at most four decimal places."""
    value = parse_decimal(text, what=what, places=PRICE_PLACES)
    if value < 0:
        raise InvalidInput(f"{what} must not be negative, got {text}")
    return value


@dataclass(frozen=True)
class Item:
    """One `SKU=QTY[@PRICE]` argument."""

    sku: str
    quantity: Decimal
    price: Decimal | None = None


def parse_sku(text: str) -> str:
    sku = text.strip()
    if not sku:
        raise InvalidInput("SKU must not be empty")
    if any(ch.isspace() for ch in sku) or "=" in sku or "@" in sku:
        raise InvalidInput(f"SKU {text!r} must not contain spaces, '=' or '@'")
    if len(sku) > 64:
        raise InvalidInput(f"SKU {text[:20]!r}... is longer than 64 characters")
    return sku


def parse_item(text: str, *, with_price: bool = True) -> Item:
    """Parse `SKU=QTY` or, where prices are allowed, `SKU=QTY@PRICE`."""
    form = "SKU=QTY[@PRICE]" if with_price else "SKU=QTY"
    sku, sep, rest = text.partition("=")
    if not sep or not sku.strip() or not rest.strip():
        raise InvalidInput(f"{text!r} is not of the form {form}, e.g. CABLE-25=2.5")
    quantity_text, at, price_text = rest.partition("@")
    if at and not with_price:
        raise InvalidInput(f"{text!r} is not of the form {form}: no price is taken here")
    sku = parse_sku(sku)
    quantity = parse_quantity(quantity_text, what=f"quantity of {sku}")
    price = parse_price(price_text, what=f"price of {sku}") if at else None
    return Item(sku, quantity, price)


def parse_items(texts: list[str], *, with_price: bool = True) -> list[Item]:
    items = [parse_item(text, with_price=with_price) for text in texts]
    seen: set[str] = set()
    for item in items:
        if item.sku in seen:
            raise InvalidInput(f"SKU {item.sku} is given twice - give each SKU once")
        seen.add(item.sku)
    return items


def parse_status(text: str) -> Status:
    """Accept `partially-shipped`, `partially_shipped` or `Partially Shipped`."""
    key = re.sub(r"[\s_-]+", "_", text.strip().lower())
    try:
        return Status(key)
    except ValueError:
        names = ", ".join(s.value.replace("_", "-") for s in Status)
        raise InvalidInput(f"unknown status {text!r} - use one of {names}") from None


def parse_setting(key: str, value: str) -> tuple[str, str]:
    if key not in SETTINGS:
        raise InvalidInput(f"unknown setting {key!r} - known settings: {', '.join(SETTINGS)}")
    allowed, _default = SETTINGS[key]
    value = value.strip().lower()
    if value not in allowed:
        raise InvalidInput(f"setting {key} takes {' or '.join(allowed)}, got {value!r}")
    return key, value


def parse_text(text: str | None, *, what: str, required: bool = False, limit: int = 500) -> str:
    """Free text (customer, comment): stored verbatim, but bounded and printable."""
    value = (text or "").strip()
    if required and not value:
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    if any(ord(ch) < 32 and ch not in "\t\n" for ch in value):
        raise InvalidInput(f"{what} must not contain control characters")
    return value


# ---------------------------------------------------------------- showing numbers


def format_quantity(value: Decimal) -> str:
    """2.500 -> '2.5', 100 -> '100' (never '1E+2')."""
    text = format(value.normalize(), "f")
    return text


def format_money(value: Decimal) -> str:
    """At least two places: 12.5 -> '12.50'; a four-place unit price keeps its places."""
    value = value.normalize()
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > -MONEY_PLACES:
        value = value.quantize(CENT)
    return format(value, "f")


# ---------------------------------------------------------------- order lines


def quantities_text(pairs: Iterable[tuple[str, Decimal]]) -> str:
    """(SKU, quantity) pairs as people read them: `150 CABLE-15, 12 SWITCH-1`."""
    return ", ".join(f"{format_quantity(q)} {sku}" for sku, q in pairs)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity times unit price, rounded to cents half-up (one line of an invoice)."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def remaining(line: LineLike) -> Decimal:
    """What is still to be delivered: neither shipped nor canceled."""
    return line.quantity - line.shipped - line.canceled


def uninvoiced(line: LineLike) -> Decimal:
    return line.shipped - line.invoiced


def order_total(lines: list[LineLike]) -> Decimal:
    """The value the order still stands for: what is delivered or still to deliver.

    Canceled quantities are not counted, so a backordered original is worth what was
    shipped from it and the backorder is worth the rest.
    """
    return sum(
        (line_amount(line.quantity - line.canceled, line.unit_price) for line in lines), ZERO
    )


def order_status(current: Status | str, lines: list[LineLike]) -> Status:
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
        raise NotAllowed(f"order #{n} is canceled - a canceled order cannot {action}")
    if order.archived:
        raise NotAllowed(f"order #{n} is archived - an archived order cannot {action}")
    if order.status == Status.DRAFT:
        raise NotAllowed(f"order #{n} is a draft - book it first with `backorder orders book {n}`")


# ---------------------------------------------------------------- shipping


def plan_shipment(
    order: OrderLike,
    lines: list[LineLike],
    stock: dict[str, Decimal],
    requested: list[Item] | None,
) -> list[tuple[LineLike, Decimal]]:
    """Which quantity ships from which line.

    `requested=None` means "everything stock on hand covers" (`--available`): each
    line ships min(remaining, stock), lines in order, so two lines of one SKU never
    count the same units. Otherwise every requested quantity must fit both what
    remains on its line and the stock on hand.
    """
    ensure_changeable(order, "be shipped")
    n = order.number
    left = dict(stock)
    plan: list[tuple[LineLike, Decimal]] = []
    if requested is None:
        for line in lines:
            quantity = min(remaining(line), left.get(line.sku, ZERO))
            if quantity > 0:
                plan.append((line, quantity))
                left[line.sku] -= quantity
        if not plan:
            if not any(remaining(line) > 0 for line in lines):
                raise NotAllowed(f"order #{n} has nothing left to ship")
            raise NotAllowed(
                f"no stock on hand for what remains on order #{n} - "
                "receive stock with `backorder products receive SKU QTY` first"
            )
        return plan
    by_sku = {line.sku: line for line in lines}
    for item in requested:
        line = by_sku.get(item.sku)
        if line is None:
            raise NotAllowed(
                f"order #{n} has no line for SKU {item.sku} - "
                f"see its lines with `backorder orders show {n}`"
            )
        rest = remaining(line)
        if item.quantity > rest:
            raise NotAllowed(
                f"cannot ship {format_quantity(item.quantity)} of {item.sku} on order #{n}: "
                f"only {format_quantity(rest)} remains"
            )
        on_hand = left.get(item.sku, ZERO)
        if item.quantity > on_hand:
            raise NotAllowed(
                f"cannot ship {format_quantity(item.quantity)} of {item.sku}: only "
                f"{format_quantity(on_hand)} in stock - receive stock with "
                f"`backorder products receive {item.sku} QTY` first"
            )
        left[item.sku] = on_hand - item.quantity
        plan.append((line, item.quantity))
    return plan


# ---------------------------------------------------------------- invoicing


def plan_invoice(order: OrderLike, lines: list[LineLike]) -> list[tuple[LineLike, Decimal]]:
    """Every shipped, not yet invoiced quantity, line by line."""
    n = order.number
    if order.status == Status.CANCELED:
        raise NotAllowed(
            f"order #{n} is canceled and invoices cannot be created for a canceled order - "
            "create the invoice manually"
        )
    ensure_changeable(order, "be invoiced")
    plan = [(line, uninvoiced(line)) for line in lines if uninvoiced(line) > 0]
    if not plan:
        raise NotAllowed(
            f"order #{n} has nothing to invoice: every shipped quantity is invoiced - "
            f"ship first with `backorder ship {n}`"
        )
    return plan


def invoice_total(plan: list[tuple[LineLike, Decimal]]) -> Decimal:
    return sum((line_amount(qty, line.unit_price) for line, qty in plan), ZERO)


# ---------------------------------------------------------------- backorders


@dataclass(frozen=True)
class Move:
    """One line of a backorder: what leaves the original and opens on the new order."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class BackorderPlan:
    number: int
    moves: list[Move]
    # Shipped, not invoiced quantities that --invoice bills before the cancellation.
    to_invoice: list[tuple[LineLike, Decimal]]


def confirmation_text(number: int) -> str:
    """The question the user confirms, in Rackbeat's words."""
    return f"This will cancel order no. #{number} and create a new one for the undelivered items."


def backorder_comment(origin: int, comment: str = "") -> str:
    text = f"Backorder from order #{origin}"
    return f"{text}. {comment}" if comment else text


def plan_backorder(
    order: OrderLike,
    lines: list[LineLike],
    *,
    inventory_value_on_invoicing: bool,
    invoice_first: bool,
    backordered_as: int | None,
) -> BackorderPlan:
    """Decide whether `order` can be split into a backorder, and what moves.

    The checks run in the documented order (setting, canceled, partially shipped,
    invoiced) and the first that fails is the refusal.
    """
    n = order.number
    if inventory_value_on_invoicing:
        raise NotAllowed(
            "backorders are not possible while inventory value is associated with invoicing - "
            "turn it off with `backorder settings set inventory-value-on-invoicing off`"
        )
    if order.status == Status.CANCELED:
        if backordered_as is not None:
            raise NotAllowed(
                f"order #{n} is already backordered as #{backordered_as} - "
                f"see it with `backorder orders show {backordered_as}`"
            )
        raise NotAllowed(f"order #{n} is canceled - there is nothing left to backorder")
    if order.archived:
        raise NotAllowed(f"order #{n} is archived - there is nothing left to backorder")
    status = Status(order.status)
    if status != Status.PARTIALLY_SHIPPED:
        if status == Status.DRAFT:
            why = "is a draft with nothing shipped"
        elif status == Status.BOOKED:
            why = "has nothing shipped yet (status booked)"
        else:
            why = f"is fully shipped (status {status.label}), so nothing is left to backorder"
        raise NotAllowed(
            f"order #{n} {why} - a backorder is made from a partially shipped order; "
            f"ship what you can first with `backorder ship {n} --available`"
        )
    to_invoice = [(line, uninvoiced(line)) for line in lines if uninvoiced(line) > 0]
    if to_invoice and not invoice_first:
        raise NotAllowed(
            f"order #{n} has shipped items that are not invoiced, and invoices cannot be "
            f"created for a canceled order - run `backorder invoice {n}` first, or pass --invoice"
        )
    moves = [
        Move(line.sku, line.name, line.unit, remaining(line), line.unit_price)
        for line in lines
        if remaining(line) > 0
    ]
    return BackorderPlan(number=n, moves=moves, to_invoice=to_invoice)


# ---------------------------------------------------------------- after the backorder
# What comes next: which waiting orders stock on hand can now cover, undoing a backorder
# made by mistake, and how old the waiting is.


@dataclass(frozen=True)
class Allocation:
    """What stock on hand covers of one waiting order: whole lines only."""

    number: int
    customer: str
    backorder_of: int | None
    created_at: datetime
    ship: list[tuple[int, str, Decimal]]  # (position, sku, quantity): each a whole line
    waiting: list[tuple[int, str, Decimal]]  # lines stock does not cover

    @property
    def cover(self) -> str:
        return "partial" if self.waiting else "full"


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


def plan_ready_shipment(
    order: OrderLike,
    lines: list[LineLike],
    planned: list[tuple[int, str, Decimal]],
    stock: dict[str, Decimal],
) -> list[tuple[LineLike, Decimal]]:
    """Recheck an allocation against the order as it is now (inside the shipment's
    transaction): every planned line must still need exactly that, and stock cover it."""
    ensure_changeable(order, "be shipped")
    n = order.number
    left = dict(stock)
    plan = []
    for position, sku, quantity in planned:
        line = lines[position - 1] if 0 < position <= len(lines) else None
        if line is None or line.sku != sku or remaining(line) != quantity:
            raise NotAllowed(
                f"order #{n} changed since it was listed - run `backorder ready` again"
            )
        if left.get(sku, ZERO) < quantity:
            raise NotAllowed(
                f"stock of {sku} no longer covers order #{n} - run `backorder ready` again"
            )
        left[sku] -= quantity
        plan.append((line, quantity))
    return plan


def undo_confirmation_text(number: int, origin: int) -> str:
    return f"This will cancel backorder no. #{number} and give its items back to order #{origin}."


def undone_comment(origin: int, reason: str) -> str:
    return f"Backorder from order #{origin}, undone ({reason}): its items went back to #{origin}"


def plan_undo(
    backorder: OrderLike,
    backorder_of: int | None,
    lines: list[LineLike],
    *,
    invoiced: bool,
    origin: OrderLike | None,
    origin_lines: list[LineLike],
    undone_at: datetime | None = None,
) -> list[tuple[LineLike, Decimal]]:
    """Decide whether a backorder can be undone, and which origin line gets back what.

    Only a backorder with no shipment and no invoice, whose origin is still the
    canceled, archived order it came from. Returns (origin line, quantity given back):
    each backorder line returns to origin lines of its SKU and price, in line order.
    """
    n = backorder.number
    if backorder_of is None and undone_at is not None:
        # Undoing unlinks it: say what happened to it rather than "not a backorder".
        raise NotAllowed(
            f"backorder #{n} was already undone on "
            f"{undone_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC - there is nothing left to undo "
            f"(`backorder orders show {n}` shows its history)"
        )
    if backorder_of is None:
        raise NotAllowed(
            f"order #{n} is not a backorder - only a backorder can be undone "
            "(`backorder chain` shows where an order came from)"
        )
    if backorder.status == Status.CANCELED:
        raise NotAllowed(f"backorder #{n} is canceled - there is nothing to undo")
    if any(line.shipped > 0 for line in lines):
        raise NotAllowed(
            f"backorder #{n} is already shipped in part - a shipped backorder cannot be undone"
        )
    if invoiced:
        raise NotAllowed(f"backorder #{n} is already invoiced - it cannot be undone")
    if origin is None or origin.status != Status.CANCELED:
        raise NotAllowed(
            f"order #{backorder_of}, which #{n} came from, is no longer canceled - "
            "the backorder cannot be undone"
        )
    taken = {id(line): ZERO for line in origin_lines}
    plan: list[tuple[LineLike, Decimal]] = []
    for line in lines:
        due = line.quantity - line.canceled
        for source in origin_lines:
            if due <= 0:
                break
            if source.sku != line.sku or source.unit_price != line.unit_price:
                continue
            back = min(due, source.canceled - taken[id(source)])
            if back > 0:
                taken[id(source)] += back
                plan.append((source, back))
                due -= back
        if due > 0:
            raise NotAllowed(
                f"order #{backorder_of} did not cancel {format_quantity(due)} of {line.sku} - "
                f"backorder #{n} cannot be given back; check the database with `backorder check`"
            )
    return plan


AGE_BUCKETS: list[tuple[str, int, int | None]] = [
    ("0-7 days", 0, 7),
    ("8-30 days", 8, 30),
    ("31-90 days", 31, 90),
    ("over 90 days", 91, None),
]


def age_bucket(days: int) -> str:
    """The report's age band of something `days` old (whole days since it was made)."""
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]  # made "in the future" (a clock ahead): counts as new


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


# ---------------------------------------------------------------- invariants
# What must hold in every database, whatever wrote it. `backorder check` reports each
# broken one; the tests check them after every step of random work.


@dataclass(frozen=True)
class Violation:
    """One broken invariant, placed at its order and line where it has one."""

    problem: str
    order: int | None = None
    line: int | None = None  # the line's position on its order, from 1
    sku: str | None = None

    def __str__(self) -> str:
        where = []
        if self.order is not None:
            where.append(f"order #{self.order}")
        if self.line is not None:
            where.append(f"line {self.line}" + (f" ({self.sku})" if self.sku else ""))
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


def line_violations(line: LineLike) -> list[str]:
    """quantity = shipped + canceled + remaining, invoiced <= shipped, nothing negative."""
    q = format_quantity
    problems = [
        f"{name} is negative ({q(value)})"
        for name, value in (
            ("quantity", line.quantity),
            ("shipped", line.shipped),
            ("invoiced", line.invoiced),
            ("canceled", line.canceled),
        )
        if value < 0
    ]
    if line.quantity == 0:
        problems.append("quantity is zero")
    if line.shipped + line.canceled > line.quantity:
        problems.append(
            f"shipped {q(line.shipped)} + canceled {q(line.canceled)} is more than the "
            f"quantity {q(line.quantity)}"
        )
    if line.invoiced > line.shipped:
        problems.append(f"invoiced {q(line.invoiced)} is more than shipped {q(line.shipped)}")
    return problems


def order_violations(
    number: int, status: str, total: Decimal, lines: list[LineLike]
) -> list[Violation]:
    """Every line's invariants, and the order's status and total agreeing with its lines."""
    found = [
        Violation(problem, number, position, line.sku)
        for position, line in enumerate(lines, start=1)
        for problem in line_violations(line)
    ]
    if not lines:
        found.append(Violation("has no lines", number))
    try:
        stored = Status(status)
    except ValueError:
        return [*found, Violation(f"unknown status {status!r}", number)]
    if found:
        return found  # status and total are meaningless on broken lines
    if stored == Status.CANCELED and any(remaining(line) > 0 for line in lines):
        found.append(Violation("is canceled but still has quantities remaining", number))
    elif stored == Status.DRAFT and any(line.shipped > 0 for line in lines):
        found.append(Violation("is a draft but has shipped quantities", number))
    else:
        expected = order_status(stored, lines)
        if expected != stored:
            found.append(
                Violation(
                    f"status is {stored.value} but its lines make it {expected.value}", number
                )
            )
    expected_total = order_total(lines)
    if total != expected_total:
        found.append(
            Violation(
                f"total is {format_money(total)} but its lines make it "
                f"{format_money(expected_total)}",
                number,
            )
        )
    return found


def backorder_violations(
    origin: int, canceled: dict[str, Decimal], backordered: dict[str, Decimal]
) -> list[Violation]:
    """A backorder holds exactly what was canceled on its origin, SKU by SKU."""
    found = []
    for sku in sorted(set(canceled) | set(backordered)):
        was, now = canceled.get(sku, ZERO), backordered.get(sku, ZERO)
        if was != now:
            found.append(
                Violation(
                    f"{format_quantity(was)} of {sku} were canceled but its backorders hold "
                    f"{format_quantity(now)}",
                    origin,
                    sku=sku,
                )
            )
    return found
