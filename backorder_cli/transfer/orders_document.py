"""The import document's `orders`: each order checked field by field with its lines,
invoices and credit notes, and history, every problem with its place."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..domain.credits import parse_credited
from ..domain.customers import parse_policy, parse_reference
from ..domain.orders import Status, order_status, parse_status
from ..domain.values import (
    ZERO,
    parse_price,
    parse_quantity,
    parse_stock,
    quantity_text,
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
from .rows import HistoryRow, InvoiceRow, LineRow, OrderRow, ProductRow

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
    if reference:  # text: one line, as `orders add --reference` takes it
        reference = problems.check(at("reference"), lambda: parse_reference(reference))
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
