"""Values: how exact each kind of number is, the limits, and how input is parsed and
numbers are shown. Exact decimals throughout: never a float.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import InvalidInput

# How exact each kind of number is. Storage keeps exactly these places (storage/models.py), so a
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
    """Refuse an order whose value (quantity x unit price, summed) reaches the limit,
    before or after its line amounts are rounded to cents."""
    value = ZERO
    for quantity, price in lines:
        exact = quantity * price
        value += max(exact, exact.quantize(CENT, rounding=ROUND_HALF_UP))
    if value >= MAX_ORDER_VALUE:
        raise InvalidInput(
            "the order is worth too much - its quantities times unit prices must add up "
            f"to less than {MAX_ORDER_VALUE:,}"
        )


_ORDER_NUMBER = re.compile(r"#?[0-9]{1,19}")


def close_match(word: str, known: Iterable[str]) -> str | None:
    """The known name a mistyped `word` most likely means, for a "did you mean": the same
    name in another case first (`cable-25` -> `CABLE-25`), else the closest spelling
    (difflib, ignoring case), else None. `word` itself is never suggested."""
    folded: dict[str, str] = {}
    for name in known:
        folded.setdefault(name.casefold(), name)
    key = word.casefold()
    if key in folded:
        return folded[key] if folded[key] != word else None
    found = difflib.get_close_matches(key, folded, n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def parse_order_number(text: str) -> int:
    """`2401` or `#2401`, in ASCII digits, from 1 to MAX_ORDER_NUMBER: every order number a
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


def parse_limit(text: str, *, what: str) -> int:
    """A --limit, in ASCII digits: a count from 1 up, or 0 for no limit."""
    raw = text.strip()
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 0 <= int(raw) <= MAX_ORDER_NUMBER:
        raise InvalidInput(
            f"{what} must be a whole number from 0 (no limit) to {MAX_ORDER_NUMBER}, got {text!r}"
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


def parse_interval(text: str) -> Decimal:
    """Seconds between two looks (`log --follow --interval`): 0.01 to 3600, in ASCII
    digits with a point (`0.5`, `2`)."""
    raw = text.strip()
    if re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,3})?", raw):
        value = Decimal(raw)
        if Decimal("0.01") <= value <= 3600:
            return value
    raise InvalidInput(
        f"{text!r} is not an interval - give seconds from 0.01 to 3600, e.g. 1 or 0.5"
    )


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


def format_quantity(value: Decimal) -> str:
    """2.500 -> '2.5', 100 -> '100' (never '1E+2'), -0 -> '0'."""
    text = str(value)
    # Most values print without an exponent: then their text less its trailing zeros is
    # the answer, at half the cost (a JSON listing writes a million). Up to 28 characters,
    # so within the context's 28 digits, where normalize() would round.
    if len(text) <= 28 and text.lstrip("-").replace(".", "", 1).isdigit():
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
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


def quantity_text(sku: str, quantity: Decimal) -> str:
    """A quantity of a SKU the one way people read it everywhere: `150 x CABLE-15`."""
    return f"{format_quantity(quantity)} x {sku}"


def quantities_text(pairs: Iterable[tuple[str, Decimal]]) -> str:
    """(SKU, quantity) pairs as people read them: `150 x CABLE-15, 12 x SWITCH-1`."""
    return ", ".join(quantity_text(sku, q) for sku, q in pairs)
