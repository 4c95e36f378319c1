"""The import document's `purchases` (schema 7): each checked field by field, with its
place, like the rest of the document (`transfer.document`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..domain.values import (
    ZERO,
    format_quantity,
    parse_day,
    parse_price,
    parse_quantity,
    parse_stock,
)
from .fields import (
    Places,
    _expect,
    _number_field,
    _Problems,
    _sku,
    _text,
    _timestamp,
    _unknown_keys,
    _whole_number,
)
from .rows import Existing

PURCHASE_KEYS = {"number", "supplier", "expected", "comment", "created_at", "lines"}
PURCHASE_LINE_KEYS = {"sku", "quantity", "received", "canceled", "unit_cost"}


@dataclass
class PurchaseLineRow:
    sku: str
    quantity: Decimal
    received: Decimal = ZERO
    canceled: Decimal = ZERO
    unit_cost: Decimal = ZERO


@dataclass
class PurchaseRow:
    number: int
    supplier: str
    expected: date
    comment: str
    created_at: datetime | None
    lines: list[PurchaseLineRow] = field(default_factory=list)


def parse_purchases(
    problems: _Problems, raw: Any, catalogue: Mapping[str, object], existing: Existing
) -> list[PurchaseRow]:
    found: list[PurchaseRow] = []
    at: dict[int, str] = {}
    if not _expect(problems, "purchases", raw, list, "a list"):
        return found
    places = Places()
    for i, item in enumerate(raw):
        where = f"purchases[{i}]"
        if not _expect(problems, where, item, dict, "an object"):
            continue
        _unknown_keys(problems, places, where, item, PURCHASE_KEYS)
        number = _whole_number(problems, f"{where}.number", item.get("number"))
        supplier = _text(
            problems, f"{where}.supplier", item.get("supplier"), what="supplier", required=True,
            limit=200,
        )  # fmt: skip
        comment = _text(problems, f"{where}.comment", item.get("comment", ""), what="comment")
        expected = _day(problems, f"{where}.expected", item.get("expected"))
        created = item.get("created_at")
        created_at = (
            None if created is None else _timestamp(problems, f"{where}.created_at", created)
        )
        lines = _lines(problems, where, item.get("lines"), catalogue)
        if number is not None and number in at:
            problems.add(f"{where}.number", f"purchase #{number} is also at {at[number]}")
            continue
        if None in (number, supplier, comment, expected, lines) or (created and not created_at):
            continue
        assert number is not None and supplier is not None and comment is not None
        assert expected is not None and lines is not None
        at[number] = where
        found.append(PurchaseRow(number, supplier, expected, comment, created_at, lines))
    for number in sorted(existing("purchase", list(at))):
        problems.add(f"{at[number]}.number", f"purchase #{number} already exists in the database")
    return found


def _day(problems: _Problems, where: str, value: Any) -> date | None:
    if not isinstance(value, str):
        problems.add(where, "must be a date like 2026-12-01")
        return None
    return problems.check(where, lambda: parse_day(value, what="value"))


def _lines(
    problems: _Problems, where: str, raw: Any, catalogue: Mapping[str, object]
) -> list[PurchaseLineRow] | None:
    if not _expect(problems, f"{where}.lines", raw, list, "a list") or not raw:
        if isinstance(raw, list):
            problems.add(f"{where}.lines", "a purchase needs at least one line")
        return None
    rows: list[PurchaseLineRow] = []
    ok = True
    seen: set[str] = set()
    for j, item in enumerate(raw):
        at = f"{where}.lines[{j}]"
        if not _expect(problems, at, item, dict, "an object"):
            ok = False
            continue
        _unknown_keys(problems, Places(), at, item, PURCHASE_LINE_KEYS)
        sku = _sku(problems, f"{at}.sku", item.get("sku", ""))
        quantity = _number_field(problems, f"{at}.quantity", item.get("quantity"), parse_quantity)
        received = _number_field(problems, f"{at}.received", item.get("received", 0), parse_stock)
        canceled = _number_field(problems, f"{at}.canceled", item.get("canceled", 0), parse_stock)
        cost = _number_field(problems, f"{at}.unit_cost", item.get("unit_cost", 0), parse_price)
        if sku is not None and sku not in catalogue:
            problems.add(f"{at}.sku", f'unknown SKU {sku} - add it to "products" or the database')
            sku = None
        elif sku is not None and sku in seen:
            problems.add(f"{at}.sku", f"SKU {sku} is on the purchase twice - give each SKU once")
            sku = None
        if None in (sku, quantity, received, canceled, cost):
            ok = False
            continue
        assert sku is not None
        seen.add(sku)
        if received + canceled > quantity:
            problems.add(
                at,
                f"received {format_quantity(received)} + canceled {format_quantity(canceled)} "
                f"is more than the {format_quantity(quantity)} ordered",
            )
            ok = False
            continue
        rows.append(PurchaseLineRow(sku, quantity, received, canceled, cost))
    return rows if ok else None
