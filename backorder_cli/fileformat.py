"""The import file format: read a JSON document into checked, plain values.

Pure: no database. The caller passes what it needs to know of the database (the
products it has, the order numbers it holds) and gets back either an `ImportPlan` or an
`InvalidInput` whose details list every problem with its place in the file
(`orders[3].lines[0].quantity: ...`), so a user can fix them all in one go.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .domain import (
    ZERO,
    Status,
    order_status,
    parse_price,
    parse_quantity,
    parse_setting,
    parse_sku,
    parse_stock,
    parse_text,
)
from .errors import BackorderError, InvalidInput

MAX_ORDER_NUMBER = 2**63 - 1


@dataclass
class ProductRow:
    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal


@dataclass
class LineRow:
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    canceled: Decimal = ZERO


@dataclass
class OrderRow:
    number: int
    customer: str
    comment: str
    status: Status
    archived: bool
    backorder_of: int | None
    created_at: datetime | None
    lines: list[LineRow] = field(default_factory=list)


@dataclass
class ImportPlan:
    products: list[ProductRow]
    orders: list[OrderRow]
    settings: dict[str, str]


def load_json(text: str, *, source: str) -> Any:
    """Parse JSON keeping every number exact (Decimal, never float)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}) - "
            "fix the file and import it again"
        ) from None


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def check(self, where: str, fn: Callable[[], Any]) -> Any:
        """Run one parser; record its refusal under `where` and return None."""
        try:
            return fn()
        except BackorderError as exc:
            self.add(where, exc.message)
            return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal, str)) and not isinstance(value, bool)


def _number_field(problems: _Problems, where: str, value: Any, parser: Callable) -> Any:
    if not _is_number(value):
        problems.add(where, f"must be a number, got {json.dumps(value, default=str)}")
        return None
    return problems.check(where, lambda: parser(value, what="value"))


def _order_number(problems: _Problems, where: str, value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.add(where, "must be a whole number")
        return None
    try:
        number = int(str(value).lstrip("#"))
    except ValueError:
        problems.add(where, f"must be a whole number, got {value!r}")
        return None
    if not 1 <= number <= MAX_ORDER_NUMBER:
        problems.add(where, f"must be between 1 and {MAX_ORDER_NUMBER}, got {number}")
        return None
    return number


def _expect(problems: _Problems, where: str, value: Any, kind: type, label: str) -> bool:
    if not isinstance(value, kind):
        problems.add(where, f"must be {label}")
        return False
    return True


def _unknown_keys(problems: _Problems, where: str, obj: dict, allowed: set[str]) -> None:
    for key in sorted(set(obj) - allowed):
        problems.add(
            f"{where}.{key}", f"unknown field - known fields: {', '.join(sorted(allowed))}"
        )


PRODUCT_KEYS = {"sku", "name", "unit", "price", "stock"}
ORDER_KEYS = {
    "number",
    "customer",
    "comment",
    "status",
    "archived",
    "backorder_of",
    "created_at",
    "lines",
}
LINE_KEYS = {"sku", "name", "unit", "quantity", "unit_price", "shipped", "invoiced", "canceled"}


def parse_document(
    data: Any,
    *,
    source: str,
    known_products: dict[str, ProductRow],
    existing_numbers: Callable[[list[int]], set[int]],
) -> ImportPlan:
    """Check a whole import document; raise one InvalidInput listing every problem."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise InvalidInput(f'{source} must hold a JSON object with "products" and "orders"')
    _unknown_keys(problems, "$", data, {"format", "products", "orders", "settings"})

    settings: dict[str, str] = {}
    raw_settings = data.get("settings", {})
    if _expect(problems, "settings", raw_settings, dict, "an object"):
        for key, value in raw_settings.items():
            pair = problems.check(
                f"settings.{key}", lambda k=key, v=value: parse_setting(k, str(v))
            )
            if pair:
                settings[pair[0]] = pair[1]

    products: list[ProductRow] = []
    catalogue = dict(known_products)
    file_skus: set[str] = set()
    raw_products = data.get("products", [])
    if _expect(problems, "products", raw_products, list, "a list"):
        for i, raw in enumerate(raw_products):
            where = f"products[{i}]"
            if not _expect(problems, where, raw, dict, "an object"):
                continue
            _unknown_keys(problems, where, raw, PRODUCT_KEYS)
            sku = problems.check(f"{where}.sku", lambda r=raw: parse_sku(str(r.get("sku", ""))))
            name = problems.check(
                f"{where}.name",
                lambda r=raw: parse_text(r.get("name"), what="name", required=True, limit=200),
            )
            unit = problems.check(
                f"{where}.unit",
                lambda r=raw: parse_text(r.get("unit", "pcs"), what="unit", limit=20),
            )
            price = _number_field(problems, f"{where}.price", raw.get("price", 0), parse_price)
            stock = _number_field(problems, f"{where}.stock", raw.get("stock", 0), parse_stock)
            if sku is None:
                continue
            if sku in catalogue or sku in file_skus:
                where_before = "the database" if sku in known_products else "this file"
                problems.add(f"{where}.sku", f"product {sku} already exists in {where_before}")
                continue
            file_skus.add(sku)
            if None not in (name, unit, price, stock):
                row = ProductRow(sku, name, unit or "pcs", price, stock)
                products.append(row)
                catalogue[sku] = row

    orders: list[OrderRow] = []
    raw_orders = data.get("orders", [])
    seen_numbers: dict[int, str] = {}
    if _expect(problems, "orders", raw_orders, list, "a list"):
        for i, raw in enumerate(raw_orders):
            where = f"orders[{i}]"
            if not _expect(problems, where, raw, dict, "an object"):
                continue
            order = _parse_order(problems, where, raw, catalogue)
            if order is None:
                continue
            if order.number in seen_numbers:
                problems.add(
                    f"{where}.number",
                    f"order #{order.number} is also at {seen_numbers[order.number]}",
                )
                continue
            seen_numbers[order.number] = where
            orders.append(order)
    taken = existing_numbers(list(seen_numbers))
    for number in sorted(taken):
        problems.add(
            f"{seen_numbers[number]}.number",
            f"order #{number} already exists in the database",
        )
    outside = {o.backorder_of for o in orders if o.backorder_of is not None} - set(seen_numbers)
    known_outside = existing_numbers(sorted(outside)) if outside else set()
    for order in orders:
        where = f"{seen_numbers[order.number]}.backorder_of"
        if order.backorder_of is None:
            continue
        if order.backorder_of == order.number:
            problems.add(where, "an order cannot be its own backorder")
        elif order.backorder_of in outside and order.backorder_of not in known_outside:
            problems.add(
                where, f"order #{order.backorder_of} is neither in this file nor in the database"
            )
    if problems.items:
        count = len(problems.items)
        raise InvalidInput(
            f"{source} has {count} problem{'s' if count != 1 else ''}, so nothing was imported - "
            "fix them and import again",
            details=problems.items,
        )
    return ImportPlan(products, orders, settings)


def _parse_order(
    problems: _Problems, where: str, raw: dict, catalogue: dict[str, ProductRow]
) -> OrderRow | None:
    before = len(problems.items)
    _unknown_keys(problems, where, raw, ORDER_KEYS)
    number = _order_number(problems, f"{where}.number", raw.get("number"))
    customer = problems.check(
        f"{where}.customer",
        lambda: parse_text(raw.get("customer"), what="customer", required=True, limit=200),
    )
    comment = problems.check(
        f"{where}.comment", lambda: parse_text(raw.get("comment"), what="comment")
    )
    archived = raw.get("archived", False)
    _expect(problems, f"{where}.archived", archived, bool, "true or false")
    backorder_of = None
    if raw.get("backorder_of") is not None:
        backorder_of = _order_number(problems, f"{where}.backorder_of", raw["backorder_of"])
    created_at = None
    if raw.get("created_at") is not None:
        try:
            created_at = datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00"))
            # A time without a zone is taken as UTC, like every time the tool writes.
            if created_at.tzinfo is None:
                created_at = created_at.replace(tzinfo=UTC)
            created_at = created_at.astimezone(UTC)
        except ValueError:
            problems.add(
                f"{where}.created_at", "must be an ISO date and time like 2026-11-02T09:30:00Z"
            )
    status_text = raw.get("status")
    status = None
    if status_text is not None:
        from .domain import parse_status

        status = problems.check(f"{where}.status", lambda: parse_status(str(status_text)))

    lines: list[LineRow] = []
    raw_lines = raw.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.add(f"{where}.lines", "must be a list of at least one line")
        raw_lines = []
    seen_skus: set[str] = set()
    for j, raw_line in enumerate(raw_lines):
        lw = f"{where}.lines[{j}]"
        if not _expect(problems, lw, raw_line, dict, "an object"):
            continue
        line = _parse_line(problems, lw, raw_line, catalogue)
        if line is None:
            continue
        if line.sku in seen_skus:
            problems.add(f"{lw}.sku", f"SKU {line.sku} is on this order twice - give it one line")
            continue
        seen_skus.add(line.sku)
        lines.append(line)
    if len(problems.items) > before or number is None:
        return None

    derived = order_status(Status.BOOKED, lines)
    if status is None:
        status = derived
    elif status == Status.DRAFT:
        if any(line.shipped > 0 for line in lines):
            problems.add(f"{where}.status", "a draft cannot have shipped quantities")
    elif status == Status.CANCELED:
        if any(line.quantity - line.shipped - line.canceled > 0 for line in lines):
            problems.add(
                f"{where}.status",
                "a canceled order must have nothing remaining: cancel what was not shipped",
            )
    elif status != derived:
        problems.add(
            f"{where}.status",
            f"{status.value} does not match the lines, which make it {derived.value}",
        )
    if len(problems.items) > before:
        return None
    return OrderRow(
        number, customer, comment or "", status, archived, backorder_of, created_at, lines
    )


def _parse_line(
    problems: _Problems, where: str, raw: dict, catalogue: dict[str, ProductRow]
) -> LineRow | None:
    before = len(problems.items)
    _unknown_keys(problems, where, raw, LINE_KEYS)
    sku = problems.check(f"{where}.sku", lambda: parse_sku(str(raw.get("sku", ""))))
    product = catalogue.get(sku) if sku else None
    if sku and product is None:
        problems.add(f"{where}.sku", f'unknown SKU {sku} - add it to "products" or the database')
    if "quantity" not in raw:
        problems.add(f"{where}.quantity", "is missing")
        return None
    quantity = _number_field(problems, f"{where}.quantity", raw["quantity"], parse_quantity)
    amounts = {
        key: _number_field(problems, f"{where}.{key}", raw.get(key, 0), parse_stock)
        for key in ("shipped", "invoiced", "canceled")
    }
    price = None
    if "unit_price" in raw:
        price = _number_field(problems, f"{where}.unit_price", raw["unit_price"], parse_price)
    name = problems.check(
        f"{where}.name", lambda: parse_text(raw.get("name"), what="name", limit=200)
    )
    if len(problems.items) > before or product is None:
        return None
    shipped, invoiced, canceled = amounts["shipped"], amounts["invoiced"], amounts["canceled"]
    if invoiced > shipped:
        problems.add(f"{where}.invoiced", "is more than was shipped")
    if shipped + canceled > quantity:
        problems.add(f"{where}.shipped", "shipped plus canceled is more than the quantity")
    if len(problems.items) > before:
        return None
    return LineRow(
        sku=sku,
        name=name or product.name,
        unit=str(raw.get("unit") or product.unit),
        quantity=quantity,
        unit_price=product.price if price is None else price,
        shipped=shipped,
        invoiced=invoiced,
        canceled=canceled,
    )
