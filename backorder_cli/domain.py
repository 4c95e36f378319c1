"""Pure rules of orders, shipments, invoices and backorders.

Nothing here touches a database, a terminal or a file: functions take plain values
(or any object with the attributes of an order line) and return plain values, or raise
an error from `errors`. The services apply what these functions decide.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol, TypeVar

from .errors import InvalidInput, NotAllowed

# How exact each kind of number is. Storage keeps exactly these places (models.py), so a
# value with more places is refused at input rather than silently rounded.
QUANTITY_PLACES = 3
PRICE_PLACES = 4
MONEY_PLACES = 2
# Far above any real order, far below what a 64-bit scaled integer can hold.
MAX_NUMBER = Decimal(10) ** 12
# An order's value (the sum of quantity x unit price over its lines) stays below this,
# so every amount and total, and `check`'s integer sums of quantity x unit price in
# thousandths x ten-thousandths (value x 10^7 < 2^63), fit a 64-bit integer on every
# backend.
MAX_ORDER_VALUE = Decimal(10) ** 11
# The highest order or invoice number, anywhere (typed, read from stdin, imported):
# 18 digits, so each 64-bit series still has some 8 * 10**18 numbers left after it.
MAX_ORDER_NUMBER = 10**18 - 1
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
    # Money (see `share`): what the line still stands for (neither canceled nor moved to
    # a backorder), and the part of `canceled` moved to backorders with its value.
    amount: Decimal
    backordered: Decimal
    backordered_amount: Decimal


class OrderLike(Protocol):
    number: int
    status: str
    archived: bool


# ---------------------------------------------------------------- parsing input

# ASCII digits only: `\d` would also take other scripts' digits (١٢).
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


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
    return value.copy_abs() if value.is_zero() else value  # -0 is 0


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


# Letters of these scripts look alike (Latin A, Cyrillic A, Greek Alpha).
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def parse_sku(text: str) -> str:
    """A SKU, typed or imported: the one rule for every entry point. A SKU names one
    product wherever it is shown or typed, so it is refused when it has spaces (also
    leading or trailing), `=` or `@`; control, invisible (zero-width, format) or bidi
    characters; a form that Unicode compatibility normalisation (NFKC) changes
    (fullwidth letters, ligatures, superscripts); or Latin, Cyrillic and Greek letters
    mixed (`CABLE` with a Cyrillic C is another SKU that looks the same)."""
    sku = text
    if not sku.strip():
        raise InvalidInput("SKU must not be empty")
    if len(sku) > 64:
        raise InvalidInput(f"SKU {text[:20]!r}... is longer than 64 characters")
    if sku != sku.strip():
        raise InvalidInput(f"SKU {text!r} must not start or end with spaces")
    if any(ch.isspace() for ch in sku) or "=" in sku or "@" in sku:
        raise InvalidInput(f"SKU {text!r} must not contain spaces, '=' or '@'")
    if not sku.isprintable():
        raise InvalidInput(
            f"SKU {text!r} must not contain control, invisible or bidi characters - "
            "type it again with letters, digits and punctuation only"
        )
    normal = unicodedata.normalize("NFKC", sku)
    if normal != sku:
        raise InvalidInput(f"SKU {text!r} is not in plain form - write it as {normal!r}")
    letters = {unicodedata.name(ch, "").partition(" ")[0] for ch in sku if ch.isalpha()}
    scripts = sorted(letters.intersection(_LOOKALIKE_SCRIPTS))
    if len(scripts) > 1:
        raise InvalidInput(
            f"SKU {text!r} mixes {' and '.join(s.title() for s in scripts)} letters, which "
            "look alike - write it in one alphabet"
        )
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
    return check_items(items)


def check_items(items: list[Item]) -> list[Item]:
    """Each SKU once, and the lines with a price worth less than the limit together."""
    seen: set[str] = set()
    for item in items:
        if item.sku in seen:
            raise InvalidInput(f"SKU {item.sku} is given twice - give each SKU once")
        seen.add(item.sku)
    check_order_value([(i.quantity, i.price) for i in items if i.price is not None])
    return items


def check_order_value(lines: Iterable[tuple[Decimal, Decimal]]) -> None:
    """Refuse an order whose value (quantity x unit price, summed) reaches the limit."""
    value = sum((quantity * price for quantity, price in lines), ZERO)
    if value >= MAX_ORDER_VALUE:
        raise InvalidInput(
            "the order is worth too much - its quantities times unit prices must add up "
            f"to less than {MAX_ORDER_VALUE:,}"
        )


_ORDER_NUMBER = re.compile(r"#?[0-9]{1,19}")


def parse_order_number(text: str) -> int:
    """`2401` or `#2401`, in ASCII digits, from 1 to 2^63-1: every order number a
    person types or pipes in, for every command."""
    raw = text.strip()
    if _ORDER_NUMBER.fullmatch(raw) and 1 <= int(raw.lstrip("#")) <= MAX_ORDER_NUMBER:
        return int(raw.lstrip("#"))
    raise InvalidInput(f"{text!r} is not an order number - give one like 2401 or #2401")


def parse_count(text: str, *, what: str) -> int:
    """A whole number from 1 up (a --limit), in ASCII digits."""
    raw = text.strip()
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 1 <= int(raw) <= MAX_ORDER_NUMBER:
        raise InvalidInput(
            f"{what} must be a whole number from 1 to {MAX_ORDER_NUMBER}, got {text!r}"
        )
    return int(raw)


def parse_day(text: str, *, what: str) -> date:
    """A calendar day as YYYY-MM-DD, in ASCII digits."""
    raw = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    subject = f"{what} {text!r}" if what else repr(text)
    raise InvalidInput(f"{subject} is not a date - write it as YYYY-MM-DD")


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
    # C0 but tab and newline, DEL and C1 (U+0080-009F: a lone U+009B starts an escape).
    if any((ord(ch) < 32 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise InvalidInput(f"{what} must not contain control characters")
    return value


def plain_user_name(text: str, *, limit: int = 64) -> str:
    """The OS login name as history records it: printable characters only (an escape
    sequence in $LOGNAME loses its control characters, a bidi override disappears),
    at most `limit` of them."""
    return "".join(ch for ch in text if ch.isprintable()).strip()[:limit]


# ---------------------------------------------------------------- showing numbers


def format_quantity(value: Decimal) -> str:
    """2.500 -> '2.5', 100 -> '100' (never '1E+2'), -0 -> '0'."""
    value = value.normalize()
    return format(value.copy_abs() if value.is_zero() else value, "f")


def format_money(value: Decimal) -> str:
    """At least two places: 12.5 -> '12.50'; a four-place unit price keeps its places."""
    value = value.normalize()
    if value.is_zero():
        value = value.copy_abs()  # never '-0.00'
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent > -MONEY_PLACES:
        value = value.quantize(CENT)
    return format(value, "f")


# ---------------------------------------------------------------- order lines


def quantities_text(pairs: Iterable[tuple[str, Decimal]]) -> str:
    """(SKU, quantity) pairs as people read them: `150 CABLE-15, 12 SWITCH-1`."""
    return ", ".join(f"{format_quantity(q)} {sku}" for sku, q in pairs)


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


def remaining(line: LineLike) -> Decimal:
    """What is still to be delivered: neither shipped nor canceled."""
    return line.quantity - line.shipped - line.canceled


def uninvoiced(line: LineLike) -> Decimal:
    return line.shipped - line.invoiced


def order_total(lines: list[LineLike]) -> Decimal:
    """The value the order still stands for: what is delivered or still to deliver,
    the sum of its lines' amounts.

    Canceled quantities are not counted, so a backordered original is worth what was
    shipped from it and the backorder is worth the rest, to the cent.
    """
    return sum((line.amount for line in lines), ZERO)


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
            # Only what was moved to backorders goes back, not what was canceled before.
            back = min(due, source.backordered - taken[id(source)])
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


def given_back_amount(line: LineLike, back: Decimal) -> Decimal:
    """The amount `line` gets back when `back` of its backordered units return from an
    undone backorder: what they took with them, all of it when all of them return."""
    rest = line.backordered - back
    return line.backordered_amount - share(line.backordered_amount, rest, line.backordered)


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
    problems.extend(money_violations(line))
    return problems


def money_violations(line: LineLike) -> list[str]:
    """What a line's money must satisfy on its own: nothing negative, nothing moved to
    backorders beyond what was canceled, and no amount left on nothing."""
    q, m = format_quantity, format_money
    problems = [
        f"{name} is negative ({m(value)})"
        for name, value in (
            ("amount", line.amount),
            ("backordered amount", line.backordered_amount),
        )
        if value < 0
    ]
    if line.backordered < 0:
        problems.append(f"backordered is negative ({q(line.backordered)})")
    if line.backordered > line.canceled:
        problems.append(
            f"backordered {q(line.backordered)} is more than canceled {q(line.canceled)}"
        )
    if line.quantity - line.canceled == 0 and line.amount != 0:
        problems.append(f"amount is {m(line.amount)} but all of it is canceled")
    if line.backordered == 0 and line.backordered_amount != 0:
        problems.append(
            f"backordered amount is {m(line.backordered_amount)} but nothing is backordered"
        )
    return problems


def billing_violations(line: LineLike, billed: Decimal) -> list[str]:
    """A line's invoices add up to its amount once all of it is invoiced, and never
    bill more than it."""
    m = format_money
    if line.invoiced == line.quantity - line.canceled and billed != line.amount:
        return [f"its invoices bill {m(billed)} but all of it is invoiced at {m(line.amount)}"]
    if billed > line.amount:
        return [f"its invoices bill {m(billed)}, more than its amount {m(line.amount)}"]
    return []


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
    origin: int,
    canceled: dict[str, Decimal],
    backordered: dict[str, Decimal],
    moved_amount: dict[str, Decimal] | None = None,
    held_amount: dict[str, Decimal] | None = None,
) -> list[Violation]:
    """A backorder holds exactly what its origin moved to it, SKU by SKU (`canceled`:
    the quantities the origin canceled into backorders, not what it canceled before;
    `backordered`: what the backorders hold), and exactly the money that left with it
    (`moved_amount` against `held_amount`: the backorders' amounts, including what
    they moved on to backorders of their own)."""
    found = []
    moved_amount, held_amount = moved_amount or {}, held_amount or {}
    for sku in sorted(set(canceled) | set(backordered) | set(moved_amount) | set(held_amount)):
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
        was, now = moved_amount.get(sku, ZERO), held_amount.get(sku, ZERO)
        if was != now:
            found.append(
                Violation(
                    f"{format_money(was)} of {sku} moved to backorders but they hold "
                    f"{format_money(now)}",
                    origin,
                    sku=sku,
                )
            )
    return found


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


def loop_violation(loop: list[int]) -> Violation:
    """One loop of backorder links, named at its lowest order number."""
    start = loop.index(min(loop))
    turn = loop[start:] + loop[:start]
    path = " -> ".join(f"#{n}" for n in [*turn, turn[0]])
    return Violation(
        f"backorder links go round in a loop: {path} (each a backorder of the next)", turn[0]
    )


# ---------------------------------------------------------------- money of lines from elsewhere
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
