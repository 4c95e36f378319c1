"""The import/export document: JSON checked field by field, every problem with its place.

Why one module past 400 lines: it is one parser of one document; the field checkers
and the per-section parsers share its problem list and its places, and are read together
when the format changes (the CSV form, which only reshapes rows, lives in csv_format).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from ..domain.credits import parse_credited
from ..domain.customers import parse_policy
from ..domain.orders import Status, order_status, parse_setting_change, parse_status
from ..domain.supply import parse_lead_time
from ..domain.values import (
    MAX_ORDER_NUMBER,
    ZERO,
    parse_price,
    parse_quantity,
    parse_sku,
    parse_stock,
    parse_text,
    quantity_text,
)
from ..errors import BackorderError, InvalidInput

T = TypeVar("T")

# The highest order or invoice number an import may hold: the domain's one limit.
MAX_NUMBER = MAX_ORDER_NUMBER
# Deeper than the format ever goes (7 levels): anything nested more is refused before
# it is walked.
MAX_DEPTH = 32
FORMAT = "backorder/1"  # what `orders export` writes in "format"


@dataclass
class ProductRow:
    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal
    supplier: str = ""  # schema 4
    lead_time: int | None = None


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
    # Why the canceled units not moved to a backorder were canceled (schema 6), when the
    # document says: closed short, or canceled with the order.
    closed: Decimal | None = None
    canceled_with_order: Decimal | None = None


@dataclass
class InvoiceRow:
    number: int
    created_at: datetime | None
    lines: list[tuple[str, Decimal]]  # sku, quantity (negative on a credit note)
    credit_of: int | None = None  # a credit note: the number of the invoice it credits
    reason: str = ""


@dataclass
class HistoryRow:
    """One entry of an order's history as `orders export` writes it: kept on import, so
    who did what, when and why (a correction's reason) survives the round trip."""

    at: datetime
    user: str
    event: str
    detail: str


@dataclass
class StockCountRow:
    """A stock count (`products adjust`) as `orders export` writes it."""

    sku: str
    at: datetime
    user: str
    before: Decimal
    counted: Decimal
    reason: str


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
    # None: the file names no invoices, so invoiced quantities get one of their own.
    invoices: list[InvoiceRow] | None = None
    history: list[HistoryRow] = field(default_factory=list)
    where: str = ""  # its place in the file, for problems found later
    # Schema 8: where to deliver, the customer's reference, its own policy (None: the
    # customer's).
    address: str | None = None
    reference: str | None = None
    policy: str | None = None


@dataclass
class ImportPlan:
    products: list[ProductRow]
    orders: list[OrderRow]
    settings: dict[str, str]
    stock_counts: list[StockCountRow] = field(default_factory=list)
    purchases: list[Any] = field(default_factory=list)  # purchases_document.PurchaseRow
    customers: list[Any] = field(default_factory=list)  # customers_document.CustomerDocRow


# Looks up which of these numbers the database already holds: kind is 'order' or 'invoice'.
Existing = Callable[[str, list[int]], set[int]]


class Places:
    """How problems name their place: JSON paths, or CSV rows and columns."""

    def __init__(self, csv_rows: list[list[int]] | None = None) -> None:
        self.csv_rows = csv_rows  # per order, the file row of each of its lines

    def order(self, i: int) -> str:
        if self.csv_rows is None:
            return f"orders[{i}]"
        return f"row {self.csv_rows[i][0]}" if self.csv_rows[i] else f"order {i + 1}"

    def line(self, i: int, j: int) -> str:
        if self.csv_rows is None:
            return f"orders[{i}].lines[{j}]"
        return f"row {self.csv_rows[i][j]}"

    def field(self, where: str, name: str) -> str:
        return f"{where}, {name}" if self.csv_rows is not None else f"{where}.{name}"


def load_json(text: str, *, source: str) -> Any:
    """Parse JSON keeping every number exact (Decimal, never float). A UTF-8 byte order
    mark is allowed; nesting past MAX_DEPTH and text that is no character (a lone
    surrogate escape such as "\\ud800") are refused with their place."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text, parse_float=_json_decimal, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}) - "
            "fix the file and import it again"
        ) from None
    except RecursionError:
        raise InvalidInput(
            f"{source} nests lists and objects too deep - an import document goes "
            f"{MAX_DEPTH} levels deep at most"
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise InvalidInput(
            f"{source} is not a usable JSON document ({exc}) - fix the file"
        ) from None
    _check_json_values(data, source=source)
    return data


class _ExponentNumber:
    """A JSON number written with an exponent (`1e3`): kept as its text, so every field
    that reads a number refuses it as it refuses the same text in a string."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _json_decimal(text: str) -> Decimal | _ExponentNumber:
    """A JSON number with a fraction, exact (`2.5`); one with an exponent stays text."""
    return _ExponentNumber(text) if "e" in text.lower() else Decimal(text)


class _Repeated(dict[str, Any]):
    """A JSON object that names a key more than once (JSON allows it; Python would
    silently keep the last value): refused, with its place, by the walk below."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    keys = [key for key, _ in pairs]
    repeated = _Repeated(value)
    repeated.repeated = sorted({key for key in keys if keys.count(key) > 1})
    return repeated


def _check_json_values(data: Any, *, source: str) -> None:
    """Walk the parsed document (without recursion) for what JSON allows and no import
    can use: nesting past MAX_DEPTH, and strings that are not text."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"{source} nests lists and objects too deep at {where} - an import document "
                f"goes {MAX_DEPTH} levels deep at most"
            )
        if isinstance(value, _Repeated):
            names = ", ".join(json.dumps(key) for key in value.repeated)
            raise InvalidInput(
                f"{source} names {names} more than once in the object at {where or '$'} - "
                "keep one of each"
            )
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, source=source, where=where or "$")
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, source=source, where=where or "$")


def _check_text(text: str, *, source: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{source} has a \\u escape that is no character (a lone surrogate) at "
            f"{where.encode('utf-8', 'backslashreplace').decode()} - fix the text there"
        ) from None


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def check(self, where: str, fn: Callable[[], T]) -> T | None:
        """Run one parser; record its refusal under `where` and return None."""
        try:
            return fn()
        except BackorderError as exc:
            self.add(where, exc.message)
            return None

    def raise_if_any(self, source: str) -> None:
        if self.items:
            raise refusal(source, self.items)


def refusal(source: str, problems: list[str]) -> InvalidInput:
    """The one error of a refused import: how many problems, then each on its own line."""
    count = len(problems)
    return InvalidInput(
        f"{source} has {count} problem{'s' if count != 1 else ''}, so nothing was "
        "imported - fix them and import again",
        details=problems,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal, str)) and not isinstance(value, bool)


def _number_field(problems: _Problems, where: str, value: Any, parser: Callable[..., Any]) -> Any:
    if isinstance(value, _ExponentNumber):
        value = value.text  # refused by the parser, in the words of the string rule
    if not _is_number(value):
        problems.add(where, f"must be a number, got {json.dumps(value, default=str)}")
        return None
    return problems.check(where, lambda: parser(value, what="value"))


# A number is ASCII digits, nothing else: no sign, no spaces, no '_' (which int()
# would take), no other script's digits; CSV may write an order number as #2401.
_WHOLE_NUMBER = re.compile(r"#?[0-9]+", re.ASCII)


def _whole_number(problems: _Problems, where: str, value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.add(where, "must be a whole number")
        return None
    if isinstance(value, str):
        if not _WHOLE_NUMBER.fullmatch(value) or len(value) > 40:
            problems.add(where, f"must be a whole number in digits 0-9, got {value[:40]!r}")
            return None
        value = int(value.lstrip("#"))
    if not 1 <= value <= MAX_NUMBER:
        shown = str(value) if len(str(value)) <= 40 else f"a number of {len(str(value))} digits"
        problems.add(where, f"must be between 1 and {MAX_NUMBER:,}, got {shown}")
        return None
    return value


# Times are kept in UTC; a four-digit year there, so every time reads and writes back
# the same (ISO 8601 years 0001-0999 do not round-trip through every formatter).
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _timestamp(problems: _Problems, where: str, value: Any) -> datetime | None:
    message = "must be an ISO date and time like 2026-11-02T09:30:00Z"
    if not isinstance(value, str):
        problems.add(where, message)
        return None
    try:
        read = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        problems.add(where, message)
        return None
    try:
        # A time without a zone is taken as UTC, like every time the tool writes.
        at = (read if read.tzinfo else read.replace(tzinfo=UTC)).astimezone(UTC)
        in_range = EARLIEST <= at <= LATEST
    except OverflowError:  # before year 1 or after 9999 once in UTC
        in_range = False
    if not in_range:
        problems.add(where, f"must be between 1000-01-01 and 9999-12-31 in UTC, got {value[:40]!r}")
        return None
    return at


def _text(
    problems: _Problems,
    where: str,
    value: Any,
    *,
    what: str,
    required: bool = False,
    limit: int = 500,
) -> str | None:
    """A text field: a JSON string (or absent), then the domain's rules for text."""
    if value is not None and not isinstance(value, str):
        problems.add(where, f"must be text, got {json.dumps(value, default=str)[:40]}")
        return None
    return problems.check(
        where, lambda: parse_text(value, what=what, required=required, limit=limit)
    )


def _sku(problems: _Problems, where: str, value: Any) -> str | None:
    if not isinstance(value, str):
        problems.add(where, "must be text, the product's SKU")
        return None
    return problems.check(where, lambda: parse_sku(value))


def _expect(problems: _Problems, where: str, value: Any, kind: type, label: str) -> bool:
    if not isinstance(value, kind):
        problems.add(where, f"must be {label}")
        return False
    return True


def _unknown_keys(
    problems: _Problems, places: Places, where: str, obj: dict[str, Any], allowed: set[str]
) -> None:
    for key in sorted(set(obj) - allowed):
        problems.add(
            places.field(where, key), f"unknown field - known fields: {', '.join(sorted(allowed))}"
        )


PRODUCT_KEYS = {"sku", "name", "unit", "price", "stock", "supplier", "lead_time"}
ORDER_KEYS = {
    "number",
    "customer",
    "comment",
    "status",
    "archived",
    "backorder_of",
    "created_at",
    "lines",
    "invoices",
    "history",
    "address",
    "reference",
    "policy",
}
HISTORY_KEYS = {"at", "user", "event", "detail"}
STOCK_COUNT_KEYS = {"sku", "at", "user", "before", "counted", "difference", "reason"}
LINE_KEYS = {
    "sku",
    "name",
    "unit",
    "quantity",
    "unit_price",
    "shipped",
    "invoiced",
    "canceled",
    "closed",
    "canceled_with_order",
}
INVOICE_KEYS = {"number", "created_at", "lines", "credit_of", "reason"}


def parse_document(
    data: Any,
    *,
    source: str,
    known_products: dict[str, ProductRow],
    existing: Existing,
    places: Places | None = None,
    earlier: list[str] | None = None,
) -> ImportPlan:
    """Check a whole import document; raise one InvalidInput listing every problem,
    those `earlier` found while reading the file (CSV rows) included."""
    places = places or Places()
    problems = _Problems()
    problems.items.extend(earlier or [])
    if not isinstance(data, dict):
        raise InvalidInput(f'{source} must hold a JSON object with "products" and "orders"')
    _unknown_keys(
        problems,
        places,
        "$",
        data,
        {"format", "products", "orders", "settings", "stock_counts", "purchases", "customers"},
    )
    if data.get("format", FORMAT) != FORMAT:
        problems.add("format", f'must be "{FORMAT}", the format this backorder reads')
    settings = _parse_settings(problems, data.get("settings", {}))
    products, catalogue = _parse_products(problems, data.get("products", []), known_products)

    orders: list[OrderRow] = []
    order_at: dict[int, str] = {}
    invoice_at: dict[int, str] = {}
    raw_orders = data.get("orders", [])
    if _expect(problems, "orders", raw_orders, list, "a list"):
        for i, raw in enumerate(raw_orders):
            where = places.order(i)
            if not _expect(problems, where, raw, dict, "an object"):
                continue
            order = _parse_order(problems, places, i, raw, catalogue)
            if order is None:
                continue
            if order.number in order_at:
                problems.add(
                    places.field(where, "number"),
                    f"order #{order.number} is also at {order_at[order.number]}",
                )
                continue
            order_at[order.number] = order.where = where
            for invoice in order.invoices or []:
                if invoice.number in invoice_at:
                    problems.add(
                        places.field(where, "invoices"),
                        f"invoice #{invoice.number} is also at {invoice_at[invoice.number]}",
                    )
                invoice_at.setdefault(invoice.number, where)
            orders.append(order)

    for number in sorted(existing("order", list(order_at))):
        problems.add(
            places.field(order_at[number], "number"),
            f"order #{number} already exists in the database",
        )
    for number in sorted(existing("invoice", list(invoice_at))):
        problems.add(
            places.field(invoice_at[number], "invoices"),
            f"invoice #{number} already exists in the database",
        )
    origins = {o.backorder_of for o in orders if o.backorder_of is not None} - set(order_at)
    known_origins = existing("order", sorted(origins)) if origins else set()
    for order in orders:
        if order.backorder_of is None:
            continue
        where = places.field(order_at[order.number], "backorder_of")
        if order.backorder_of == order.number:
            problems.add(where, "an order cannot be its own backorder")
        elif order.backorder_of in origins and order.backorder_of not in known_origins:
            problems.add(
                where, f"order #{order.backorder_of} is neither in this file nor in the database"
            )
    counts = _parse_stock_counts(problems, places, data.get("stock_counts", []), catalogue)
    from .purchases_document import parse_purchases  # it builds on this module

    purchases = parse_purchases(problems, data.get("purchases", []), catalogue, existing)
    from .customers_document import parse_customers  # it builds on this module

    customers = parse_customers(problems, data.get("customers", []))
    problems.raise_if_any(source)
    return ImportPlan(products, orders, settings, counts, purchases, customers)


def _parse_history(problems: _Problems, places: Places, where: str, raw: Any) -> list[HistoryRow]:
    """An order's history as exported: each entry's time, user, event and detail."""
    entries: list[HistoryRow] = []
    if not _expect(problems, where, raw, list, "a list"):
        return entries
    for k, item in enumerate(raw):
        at_k = f"{where}[{k}]"
        if not _expect(problems, at_k, item, dict, "an object"):
            continue
        _unknown_keys(problems, places, at_k, item, HISTORY_KEYS)
        at = _timestamp(problems, f"{at_k}.at", item.get("at"))
        texts = [
            _text(problems, f"{at_k}.{key}", item.get(key), what=key, limit=100_000)
            for key in ("user", "event", "detail")
        ]
        user, event, detail = texts
        if at is not None and user is not None and event and detail is not None:
            entries.append(HistoryRow(at, user, event, detail))
        elif at is not None and not event:
            problems.add(f"{at_k}.event", "is missing")
    return entries


def _parse_stock_counts(
    problems: _Problems, places: Places, raw: Any, catalogue: dict[str, ProductRow]
) -> list[StockCountRow]:
    """Stock counts as exported (their difference is counted - before, recomputed)."""
    counts: list[StockCountRow] = []
    if not _expect(problems, "stock_counts", raw, list, "a list"):
        return counts
    for k, item in enumerate(raw):
        where = f"stock_counts[{k}]"
        if not _expect(problems, where, item, dict, "an object"):
            continue
        _unknown_keys(problems, places, where, item, STOCK_COUNT_KEYS)
        sku = _sku(problems, f"{where}.sku", item.get("sku", ""))
        if sku and sku not in catalogue:
            problems.add(
                f"{where}.sku", f'unknown SKU {sku} - add it to "products" or the database'
            )
        at = _timestamp(problems, f"{where}.at", item.get("at"))
        user = _text(problems, f"{where}.user", item.get("user"), what="user")
        reason = _text(
            problems, f"{where}.reason", item.get("reason"), what="reason", required=True
        )
        before, counted = (
            _number_field(problems, f"{where}.{key}", item.get(key), parse_stock)
            for key in ("before", "counted")
        )
        if None in (sku, at, user, reason, before, counted) or sku not in catalogue:
            continue
        counts.append(StockCountRow(sku, at, user, before, counted, reason))  # type: ignore[arg-type]
    return counts


def _parse_settings(problems: _Problems, raw: Any) -> dict[str, str]:
    settings: dict[str, str] = {}
    if _expect(problems, "settings", raw, dict, "an object"):
        for key, value in raw.items():
            pair = problems.check(
                f"settings.{key}", functools.partial(parse_setting_change, key, str(value))
            )
            if pair:
                settings[pair[0]] = pair[1]
    return settings


def _parse_products(
    problems: _Problems, raw_products: Any, known: dict[str, ProductRow]
) -> tuple[list[ProductRow], dict[str, ProductRow]]:
    products: list[ProductRow] = []
    catalogue = dict(known)
    seen: set[str] = set()
    if not _expect(problems, "products", raw_products, list, "a list"):
        return products, catalogue
    places = Places()
    for i, raw in enumerate(raw_products):
        where = f"products[{i}]"
        if not _expect(problems, where, raw, dict, "an object"):
            continue
        _unknown_keys(problems, places, where, raw, PRODUCT_KEYS)
        sku = _sku(problems, f"{where}.sku", raw.get("sku", ""))
        name = _text(
            problems, f"{where}.name", raw.get("name"), what="name", required=True, limit=200
        )
        unit = _text(problems, f"{where}.unit", raw.get("unit", "pcs"), what="unit", limit=20)
        price = _number_field(problems, f"{where}.price", raw.get("price", 0), parse_price)
        stock = _number_field(problems, f"{where}.stock", raw.get("stock", 0), parse_stock)
        supplier = _text(
            problems, f"{where}.supplier", raw.get("supplier", ""), what="supplier", limit=200
        )
        days = raw.get("lead_time")
        lead_time = None
        if days is not None:
            lead_time = problems.check(
                f"{where}.lead_time", functools.partial(parse_lead_time, str(days))
            )
        if sku is None:
            continue
        if sku in catalogue or sku in seen:
            where_before = "the database" if sku in known else "this file"
            problems.add(f"{where}.sku", f"product {sku} already exists in {where_before}")
            continue
        seen.add(sku)
        if name is not None and unit is not None and price is not None and stock is not None:
            row = ProductRow(sku, name, unit or "pcs", price, stock, supplier or "", lead_time)
            products.append(row)
            catalogue[sku] = row
    return products, catalogue


def _parse_order(
    problems: _Problems,
    places: Places,
    i: int,
    raw: dict[str, Any],
    catalogue: dict[str, ProductRow],
) -> OrderRow | None:
    where = places.order(i)

    def at(name: str) -> str:
        return places.field(where, name)

    before = len(problems.items)
    _unknown_keys(problems, places, where, raw, ORDER_KEYS)
    number = _whole_number(problems, at("number"), raw.get("number"))
    customer = _text(
        problems, at("customer"), raw.get("customer"), what="customer", required=True, limit=200
    )
    comment = _text(problems, at("comment"), raw.get("comment"), what="comment")
    address = _text(problems, at("address"), raw.get("address"), what="address")
    reference = _text(problems, at("reference"), raw.get("reference"), what="reference")
    policy = None
    if raw.get("policy") is not None:
        policy = problems.check(at("policy"), lambda: parse_policy(str(raw["policy"])).value)
    archived = raw.get("archived", False)
    _expect(problems, at("archived"), archived, bool, "true or false")
    backorder_of = None
    if raw.get("backorder_of") is not None:
        backorder_of = _whole_number(problems, at("backorder_of"), raw["backorder_of"])
    created_at = None
    if raw.get("created_at") is not None:
        created_at = _timestamp(problems, at("created_at"), raw["created_at"])
    status = None
    if raw.get("status") is not None:
        status = problems.check(at("status"), lambda: parse_status(str(raw["status"])))

    lines: list[LineRow] = []
    raw_lines = raw.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        problems.add(at("lines"), "must be a list of at least one line")
        raw_lines = []
    seen_skus: set[str] = set()
    explicit_invoiced: set[str] = set()
    for j, raw_line in enumerate(raw_lines):
        lw = places.line(i, j)
        if not _expect(problems, lw, raw_line, dict, "an object"):
            continue
        line = _parse_line(problems, places, lw, raw_line, catalogue)
        if line is None:
            continue
        if line.sku in seen_skus:
            problems.add(
                places.field(lw, "sku"), f"SKU {line.sku} is on this order twice - give it one line"
            )
            continue
        seen_skus.add(line.sku)
        if "invoiced" in raw_line:
            explicit_invoiced.add(line.sku)
        lines.append(line)

    history = []
    if raw.get("history") is not None:
        history = _parse_history(problems, places, at("history"), raw["history"])
    invoices = None
    if raw.get("invoices") is not None:
        invoices = _parse_invoices(
            problems, places, at("invoices"), raw["invoices"], lines, explicit_invoiced
        )
    if len(problems.items) > before or number is None or customer is None:
        return None

    derived = order_status(Status.BOOKED, lines)
    if status is None:
        status = derived
    elif status == Status.DRAFT:
        if any(line.shipped > 0 for line in lines):
            problems.add(at("status"), "a draft cannot have shipped quantities")
    elif status == Status.CANCELED:
        if any(line.quantity - line.shipped - line.canceled > 0 for line in lines):
            problems.add(
                at("status"),
                "a canceled order must have nothing remaining: cancel what was not shipped",
            )
    elif status != derived:
        problems.add(
            at("status"), f"{status.value} does not match the lines, which make it {derived.value}"
        )
    if len(problems.items) > before:
        return None
    return OrderRow(
        number,
        customer,
        comment or "",
        status,
        archived,
        backorder_of,
        created_at,
        lines,
        invoices,
        history,
        address=address or None,
        reference=reference or None,
        policy=policy,
    )


def _parse_invoices(
    problems: _Problems,
    places: Places,
    where: str,
    raw: Any,
    lines: list[LineRow],
    explicit_invoiced: set[str],
) -> list[InvoiceRow] | None:
    """Invoices and credit notes as exported: their numbers kept, their quantities
    (invoiced less credited) adding up to each line's invoiced quantity; a credit note
    gives back only what an invoice listed before it billed, less earlier credits."""
    if not _expect(problems, where, raw, list, "a list"):
        return None
    by_sku = {line.sku: line for line in lines}
    billed: dict[str, Decimal] = {}
    invoices: list[InvoiceRow] = []
    credited: dict[int, dict[str, Decimal]] = {}  # invoice -> SKU -> not yet credited
    for k, raw_invoice in enumerate(raw):
        iw = f"{where}[{k}]"
        if not _expect(problems, iw, raw_invoice, dict, "an object"):
            continue
        _unknown_keys(problems, places, iw, raw_invoice, INVOICE_KEYS)
        number = _whole_number(problems, f"{iw}.number", raw_invoice.get("number"))
        created_at = None
        if raw_invoice.get("created_at") is not None:
            created_at = _timestamp(problems, f"{iw}.created_at", raw_invoice["created_at"])
        credit_of, reason = None, ""
        if raw_invoice.get("credit_of") is not None:
            credit_of = _whole_number(problems, f"{iw}.credit_of", raw_invoice["credit_of"])
            reason = (
                _text(problems, f"{iw}.reason", raw_invoice.get("reason"), what="reason", limit=200)
                or ""
            )
            if credit_of is not None and credit_of not in credited:
                problems.add(
                    f"{iw}.credit_of",
                    f"#{credit_of} is no invoice of this order listed before this credit note",
                )
                continue
        elif raw_invoice.get("reason") not in (None, ""):
            problems.add(f"{iw}.reason", "only a credit note (with credit_of) has a reason")
        items: list[tuple[str, Decimal]] = []
        raw_items = raw_invoice.get("lines")
        if not isinstance(raw_items, list) or not raw_items:
            problems.add(f"{iw}.lines", "must be a list of at least one line")
            continue
        named: set[str] = set()  # an invoice bills each of the order's lines once
        for m, item in enumerate(raw_items):
            mw = f"{iw}.lines[{m}]"
            if not _expect(problems, mw, item, dict, "an object"):
                continue
            sku = str(item.get("sku", ""))
            if sku not in by_sku:
                problems.add(f"{mw}.sku", f"SKU {sku!r} is not on this order")
                continue
            if sku in named:
                entry = "credit note" if credit_of is not None else "invoice"
                problems.add(f"{mw}.sku", f"SKU {sku} is on this {entry} twice - give it one line")
                continue
            named.add(sku)
            parse = parse_quantity if credit_of is None else parse_credited
            quantity = _number_field(problems, f"{mw}.quantity", item.get("quantity"), parse)
            if quantity is None:
                continue
            if credit_of is not None:
                left = credited[credit_of].get(sku, ZERO)
                if -quantity > left:
                    problems.add(
                        f"{mw}.quantity",
                        f"gives back {-quantity} of {sku}, but invoice #{credit_of} billed "
                        f"{left} not yet credited",
                    )
                    continue
                credited[credit_of][sku] = left + quantity
            items.append((sku, quantity))
            billed[sku] = billed.get(sku, ZERO) + quantity
        if number is not None:
            invoices.append(InvoiceRow(number, created_at, items, credit_of, reason))
            if credit_of is None:
                credited[number] = dict(items)  # what its credit notes may give back
    for sku, line in by_sku.items():
        total = billed.get(sku, ZERO)
        if sku in explicit_invoiced and line.invoiced != total:
            problems.add(
                where,
                f"invoices bill {quantity_text(sku, total)} "
                f"but its line says {line.invoiced} invoiced",
            )
        elif total > line.shipped:
            problems.add(
                where,
                f"invoices bill {quantity_text(sku, total)}, more than the {line.shipped} shipped",
            )
        line.invoiced = total
    return invoices


def _parse_line(
    problems: _Problems,
    places: Places,
    where: str,
    raw: dict[str, Any],
    catalogue: dict[str, ProductRow],
) -> LineRow | None:
    def at(name: str) -> str:
        return places.field(where, name)

    before = len(problems.items)
    _unknown_keys(problems, places, where, raw, LINE_KEYS)
    sku = _sku(problems, at("sku"), raw.get("sku", ""))
    product = catalogue.get(sku) if sku else None
    if sku and product is None:
        problems.add(at("sku"), f'unknown SKU {sku} - add it to "products" or the database')
    if "quantity" not in raw:
        problems.add(at("quantity"), "is missing")
        return None
    quantity = _number_field(problems, at("quantity"), raw["quantity"], parse_quantity)
    amounts = {
        key: _number_field(problems, at(key), raw.get(key, 0), parse_stock)
        for key in ("shipped", "invoiced", "canceled")
    }
    reasons = {
        key: _number_field(problems, at(key), raw[key], parse_stock)
        for key in ("closed", "canceled_with_order")
        if raw.get(key) not in (None, "")
    }
    price = None
    if raw.get("unit_price") not in (None, ""):
        price = _number_field(problems, at("unit_price"), raw["unit_price"], parse_price)
    name = _text(problems, at("name"), raw.get("name"), what="name", limit=200)
    unit = _text(problems, at("unit"), raw.get("unit"), what="unit", limit=20)
    if len(problems.items) > before or product is None or sku is None:
        return None
    shipped, invoiced, canceled = amounts["shipped"], amounts["invoiced"], amounts["canceled"]
    if invoiced > shipped:
        problems.add(at("invoiced"), "is more than was shipped")
    if shipped + canceled > quantity:
        problems.add(at("shipped"), "shipped plus canceled is more than the quantity")
    if sum(reasons.values(), ZERO) > canceled:
        problems.add(at("closed"), "closed plus canceled_with_order is more than canceled")
    if len(problems.items) > before:
        return None
    return LineRow(
        sku=sku,
        name=name or product.name,
        unit=unit or product.unit,
        quantity=quantity,
        unit_price=product.price if price is None else price,
        shipped=shipped,
        invoiced=invoiced,
        canceled=canceled,
        closed=reasons.get("closed"),
        canceled_with_order=reasons.get("canceled_with_order"),
    )
