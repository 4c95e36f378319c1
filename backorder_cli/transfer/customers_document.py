"""The import document's `customers` (schema 8): the register, each checked field by
field with its place, like the rest of the document (`transfer.document`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from ..domain.customers import NAME_LIMIT, name_key, parse_email, parse_policy, parse_priority
from .fields import Places, _expect, _Problems, _text, _unknown_keys

CUSTOMER_KEYS = {"name", "email", "address", "policy", "priority"}


@dataclass
class CustomerDocRow:
    name: str
    email: str | None
    address: str | None
    policy: str
    priority: int


def parse_customers(problems: _Problems, raw: Any) -> list[CustomerDocRow]:
    found: list[CustomerDocRow] = []
    at: dict[str, str] = {}
    if not _expect(problems, "customers", raw, list, "a list"):
        return found
    places = Places()
    for i, item in enumerate(raw):
        where = f"customers[{i}]"
        if not _expect(problems, where, item, dict, "an object"):
            continue
        before = len(problems.items)
        _unknown_keys(problems, places, where, item, CUSTOMER_KEYS)
        name = _text(
            problems, f"{where}.name", item.get("name"), what="customer", required=True,
            limit=NAME_LIMIT,
        )  # fmt: skip
        email = _text(problems, f"{where}.email", item.get("email"), what="email")
        if email:
            email = problems.check(f"{where}.email", partial(parse_email, email))
        address = _text(problems, f"{where}.address", item.get("address"), what="address")
        policy = item.get("policy", "manual")
        chosen = None
        if _expect(problems, f"{where}.policy", policy, str, "text"):
            chosen = problems.check(f"{where}.policy", partial(_policy, policy))
        priority = _priority(problems, f"{where}.priority", item.get("priority", 0))
        if len(problems.items) > before or name is None or chosen is None or priority is None:
            continue
        key = name_key(name)
        if key in at:
            problems.add(f"{where}.name", f"customer {name!r} is also at {at[key]}")
            continue
        at[key] = where
        found.append(CustomerDocRow(name, email or None, address or None, chosen, priority))
    return found


def _priority(problems: _Problems, where: str, value: Any) -> int | None:
    """A whole number, positive, zero or negative (JSON numbers arrive as Decimals)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        problems.add(where, "must be a whole number")
        return None
    if isinstance(value, Decimal) and (not value.is_finite() or value != int(value)):
        problems.add(where, "must be a whole number")
        return None
    return problems.check(where, lambda: parse_priority(int(value)))


def _policy(text: str) -> str:
    return parse_policy(text).value
