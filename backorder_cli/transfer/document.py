"""The import/export document: the whole document checked, every problem with its place.

`parse_document` checks the sections in turn: settings, products and stock counts here,
orders in `orders_document`, purchases in `purchases_document`; the JSON itself is read
by `json_text`, the fields by `fields`, and what a checked document holds is in `rows`.
The names callers use are importable from here.
"""

from __future__ import annotations

import functools
from typing import Any

from ..domain.orders import parse_setting_change
from ..domain.supply import parse_lead_time
from ..domain.values import (
    parse_price,
    parse_stock,
)
from ..errors import InvalidInput
from .fields import (
    EARLIEST,
    LATEST,
    MAX_NUMBER,
    Places,
    _expect,
    _number_field,
    _Problems,
    _sku,
    _text,
    _timestamp,
    _unknown_keys,
    refusal,
)
from .json_text import MAX_DEPTH, load_json
from .orders_document import _parse_order
from .purchases_document import parse_purchases
from .rows import (
    Existing,
    HistoryRow,
    ImportPlan,
    InvoiceRow,
    LineRow,
    OrderRow,
    ProductRow,
    StockCountRow,
)

__all__ = [
    "EARLIEST",
    "FORMAT",
    "LATEST",
    "MAX_DEPTH",
    "MAX_NUMBER",
    "Existing",
    "HistoryRow",
    "ImportPlan",
    "InvoiceRow",
    "LineRow",
    "OrderRow",
    "Places",
    "ProductRow",
    "StockCountRow",
    "load_json",
    "parse_document",
    "refusal",
]

FORMAT = "backorder/1"  # what `orders export` writes in "format"
PRODUCT_KEYS = {"sku", "name", "unit", "price", "stock", "supplier", "lead_time"}
STOCK_COUNT_KEYS = {"sku", "at", "user", "before", "counted", "difference", "reason"}


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
    purchases = parse_purchases(problems, data.get("purchases", []), catalogue, existing)
    from .customers_document import parse_customers  # it builds on the fields

    customers = parse_customers(problems, data.get("customers", []))
    problems.raise_if_any(source)
    return ImportPlan(products, orders, settings, counts, purchases, customers)


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
