"""Customers: the register's rules. A customer's name is unique compared casefolded
(`Hansen & Søn VVS` and `hansen & søn vvs` are one customer); each has a fulfilment
policy and a priority (higher is served first by the allocation).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ..errors import InvalidInput
from .values import close_match, parse_text

NAME_LIMIT = 200  # the limit orders.customer always had
# Priorities are small integers people type; the bound keeps them in any INTEGER column.
PRIORITY_LIMIT = 1_000_000


class Policy(StrEnum):
    """What a partial shipment does to the rest of an order (issue 16)."""

    MANUAL = "manual"  # today's behaviour: left partially shipped until create or close
    BACKORDER = "backorder"  # invoice what shipped, move the rest to a backorder
    CANCEL_REST = "cancel-rest"  # close the rest short
    SHIP_COMPLETE = "ship-complete"  # partial shipments are refused (--force overrides)


DEFAULT_POLICY = Policy.MANUAL


def name_key(name: str) -> str:
    """What customer names are compared by: the project's case fold (`str.casefold`, the
    fold `--search` and `--customer` use), so a name is found however it is cased."""
    return name.casefold()


def parse_name(text: str | None) -> str:
    """A customer's name as typed: trimmed, not empty, printable, at most 200 characters,
    in Unicode's composed form (NFC), so that `Café` typed as e + a combining accent is
    the same customer as `Café` typed with é."""
    return unicodedata.normalize(
        "NFC", parse_text(text, what="customer", required=True, limit=NAME_LIMIT)
    )


def parse_reference(text: str | None) -> str:
    """The customer's reference for an order: one line (it goes into a letter's subject),
    printable, at most 200 characters; empty removes it."""
    value = parse_text(text, what="reference", limit=200)
    if "\n" in value or "\t" in value:
        raise InvalidInput("reference must be one line (no line breaks or tabs)")
    return value


def parse_policy(text: str) -> Policy:
    """`backorder`, `cancel-rest` (or `cancel_rest`, any case) ...; a misspelling names
    the one meant."""
    key = text.strip().casefold().replace("_", "-").replace(" ", "-")
    try:
        return Policy(key)
    except ValueError:
        known = [p.value for p in Policy]
        meant = close_match(key, known)
        hint = f" - did you mean {meant}?" if meant else ""
        raise InvalidInput(
            f"unknown policy {text!r}{hint} (policies: {', '.join(known)})"
        ) from None


def parse_order_policy(text: str) -> str:
    """An order's own policy (`orders edit --policy`), or '' for `customer`: follow the
    customer's again."""
    return "" if text.strip().casefold() == "customer" else parse_policy(text).value


def parse_priority(value: int | str) -> int:
    """A priority as typed (`--priority -2`) or stored: a whole number within the limit."""
    if isinstance(value, str):
        raw = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", raw):
            raise InvalidInput(f"priority must be a whole number, like 5 or -1, got {value!r}")
        value = int(raw)
    if not -PRIORITY_LIMIT <= value <= PRIORITY_LIMIT:
        raise InvalidInput(
            f"priority must be a whole number from {-PRIORITY_LIMIT} to {PRIORITY_LIMIT}, "
            f"got {value}"
        )
    return value


@dataclass(frozen=True)
class Spelling:
    """One spelling of a customer's name as found on orders: how many orders use it and
    the first order (number) that did."""

    name: str
    orders: int
    first_order: int


def register_from_spellings(spellings: Iterable[Spelling]) -> dict[str, str]:
    """One customer per casefolded name: name_key -> the name it is registered under,
    the most used spelling (ties: the one on the earliest order)."""
    best: dict[str, Spelling] = {}
    for spelling in spellings:
        key = name_key(spelling.name)
        held = best.get(key)
        if held is None or (spelling.orders, -spelling.first_order) > (
            held.orders,
            -held.first_order,
        ):
            best[key] = spelling
    return {key: spelling.name for key, spelling in best.items()}


def _skeleton(name: str) -> str:
    """A name with its case, accents, spaces and punctuation taken away: what two
    spellings of one customer keep in common (`Hansen & Søn VVS`, `hansen og son vvs` ->
    `hansensonvvs` and `hansenogsonvvs`)."""
    decomposed = unicodedata.normalize("NFKD", name_key(name))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters NFKD does not split: the Nordic and German ones people type plainly.
    for letter, spelled in (("ø", "o"), ("æ", "ae"), ("œ", "oe"), ("đ", "d"), ("ł", "l")):
        plain = plain.replace(letter, spelled)
    return "".join(ch for ch in plain if ch.isalnum())


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one letter added, removed, changed or two swapped turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        swapped = a[start + 1 : start + 2] + a[start : start + 1]
        return a[start + 1 :] == b[start + 1 :] or (
            swapped == b[start : start + 2] and a[start + 2 :] == b[start + 2 :]
        )
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1 :] == shorter[start:]


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The registered name a new `name` most likely means, or None: the same name but
    for accents, spaces or punctuation (`Hansen & Son VVS` for `Hansen & Søn VVS`), or
    one letter apart (`Hanssen & Søn VVS`) in a name of five letters or more. Digits must
    agree (`Customer 0002` is not `Customer 0001`). `orders add --customer` refuses such a
    name rather than register a second customer."""
    key = name_key(name)
    mine = _skeleton(name)
    digits = re.sub(r"\D", "", mine)
    best: str | None = None
    for other in known:
        if name_key(other) == key:
            continue
        theirs = _skeleton(other)
        if theirs == mine:
            return other
        if (
            best is None
            and len(mine) >= 5
            and re.sub(r"\D", "", theirs) == digits
            and _one_edit_apart(mine, theirs)
        ):
            best = other
    return best


def customer_violations(name: str, key: str, policy: str, priority: int) -> Iterator[str]:
    """What `check` finds wrong with a customer as stored."""
    if not name.strip():
        yield "has an empty name"
    if key != name_key(name):
        yield f"is filed under {key!r}, not its name's case fold {name_key(name)!r}"
    if policy not in set(Policy):
        yield f"has policy {policy!r}, which is none of {', '.join(Policy)}"
    if not -PRIORITY_LIMIT <= priority <= PRIORITY_LIMIT:
        yield f"has priority {priority}, outside {-PRIORITY_LIMIT}..{PRIORITY_LIMIT}"


def order_customer_violations(
    customer: str, policy: str | None, priority: int, registered: tuple[str, int] | None
) -> Iterator[str]:
    """What `check` finds wrong with an order's customer fields: the name and priority
    it carries are its customer's (`registered`: name and priority, None when the order's
    customer_id names no customer), and its policy is one or none."""
    if registered is None:
        yield "names a customer that is not in the register"
        return
    name, wanted = registered
    if customer != name:
        yield f"carries customer name {customer!r}, but its customer is registered as {name!r}"
    if priority != wanted:
        yield f"has priority {priority}, but its customer {name!r} has priority {wanted}"
    if policy is not None and policy not in set(Policy):
        yield f"has policy {policy!r}, which is none of {', '.join(Policy)}"


_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def parse_email(text: str) -> str:
    """An address to write to (`notice --format eml`): one `local@domain.tld`, nothing
    around it; an empty one means none."""
    value = text.strip()
    if value and (len(value) > 254 or not _EMAIL.fullmatch(value)):
        raise InvalidInput(f"{text!r} is not an email address - give one like orders@example.com")
    return value


def parse_details(
    *,
    email: str | None = None,
    address: str | None = None,
    policy: str | None = None,
    priority: int | None = None,
) -> dict[str, str | int | None]:
    """A customer's fields as given (None: not given; an empty email or address: none)."""
    return {
        "email": None if email is None else parse_email(email),
        "address": None if address is None else parse_text(address, what="address"),
        "policy": None if policy is None else parse_policy(policy).value,
        "priority": None if priority is None else parse_priority(priority),
    }
