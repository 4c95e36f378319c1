"""What each listing shows: its fields, and a record of plain values per item (the same
fields in every format). No Rich here: flat output never loads it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...domain.orders import Status
from ...domain.values import format_money, format_quantity, quantities_text
from .flat import cell, records, write_csv, write_plain
from .text import safe_text

ORDER_FIELDS = ["number", "status", "archived", "customer", "total", "backorder_of"]
# JSON and CSV listings of orders carry each waiting order's promise date too.
ORDER_ETA_FIELDS = [*ORDER_FIELDS, "eta"]
PRODUCT_FIELDS = [
    "sku",
    "name",
    "unit",
    "price",
    "stock",
    "claimed",
    "available",
    "incoming",
]
LINE_FIELDS = [
    "sku",
    "name",
    "unit",
    "quantity",
    "shipped",
    "invoiced",
    "canceled",
    "remaining",
    "unit_price",
    "eta",
    "eta_source",
    "short",
]
ORDER_HEAD_FIELDS = [
    "number",
    "status",
    "archived",
    "customer",
    "comment",
    "backorder_of",
    "backorders",
    "chain",
    "created_at",
    "total",
    "eta",
    # Schema 8: where it goes, the customer's reference, the policy that applies.
    "address",
    "reference",
    "policy",
    "priority",
]


def chain_text(chain: list[int]) -> str:
    """`#2390 -> #2391 -> #2399`; empty for an order that is in no chain."""
    return " -> ".join(f"#{n}" for n in chain) if len(chain) > 1 else ""


def _items(items: Iterable[tuple[Any, ...]], fmt: str) -> Any:
    """(…, sku, quantity) pairs: a list of objects in JSON, `150 x CABLE-15, 12 x
    SWITCH-1` in a table (the human form of every message), `SKU=QTY ...` (the `ship`
    command's own syntax) in the flat formats for scripts."""
    pairs = [(item[-2], item[-1]) for item in items]
    if fmt == "json":
        return [{"sku": sku, "quantity": q} for sku, q in pairs]
    if fmt == "table":
        return quantities_text(pairs)
    return " ".join(f"{sku}={format_quantity(q)}" for sku, q in pairs)


def order_flat(order: Any, fmt: str) -> None:
    """`orders show` as CSV (one row per line, the order's fields repeated) or plain text
    (the header as field/value lines, then each section as a tab-separated block)."""
    head = {f: getattr(order, f) for f in ORDER_HEAD_FIELDS}
    head["backorders"] = " ".join(str(n) for n in order.backorders)
    head["chain"] = chain_text(order.chain)
    if fmt == "csv":
        # The order's own fields first, named so that none repeats a line's (`eta`).
        named = {"number": "order", "eta": "order_eta"}
        fields = [named.get(f, f) for f in ORDER_HEAD_FIELDS] + LINE_FIELDS
        rows = (
            {
                **{named.get(k, k): v for k, v in head.items()},
                **{f: getattr(line, f) for f in LINE_FIELDS},
            }
            for line in order.lines
        )
        write_csv(fields, rows)
        return
    out = sys.stdout
    for key, value in head.items():
        out.write(f"{key}\t{safe_text(cell(value, key))}\n")
    out.write("\n")
    write_plain(LINE_FIELDS, records(order.lines, LINE_FIELDS))
    out.write("\n")
    write_plain(
        ["invoice", "total", "created_at"],
        (
            {"invoice": i.number, "total": i.total, "created_at": i.created_at}
            for i in order.invoices
        ),
    )
    out.write("\n")
    write_plain(
        ["at", "user", "event", "detail"], records(order.history, ["at", "user", "event", "detail"])
    )


READY_FIELDS = ["number", "cover", "customer", "backorder_of", "created_at", "ship", "waiting"]


def ready_record(allocation: Any, fmt: str) -> dict[str, Any]:
    return {
        "number": allocation.number,
        "cover": allocation.cover,
        "customer": allocation.customer,
        "backorder_of": allocation.backorder_of,
        "created_at": allocation.created_at,
        "ship": _items(allocation.ship, fmt),
        "waiting": _items(allocation.waiting, fmt),
    }


@dataclass(frozen=True)
class ReadyShipped:
    """One order's result of `ready --ship` as JSON shows it: what shipped as
    {"sku", "quantity"} objects, like the dry run and `ready` list them, and what the
    order's policy did after (`follow_up_record`)."""

    order: int
    ok: bool
    cover: str
    status: str | None
    shipped: list[dict[str, Any]]
    error: str | None
    code: str | None
    policy: str
    action: str
    rest: list[dict[str, Any]]
    backorder: int | None
    invoice: int | None
    invoice_total: Any


def ready_shipped(outcome: Any) -> ReadyShipped:
    return ReadyShipped(
        outcome.order,
        outcome.ok,
        outcome.cover,
        outcome.status,
        [{"sku": sku, "quantity": q} for sku, q in outcome.shipped],
        outcome.error,
        outcome.code,
        **follow_up_record(outcome.then),
    )


def follow_up_record(then: Any) -> dict[str, Any]:
    """What a shipment's policy did, as `ship` and `ready --ship` give it in JSON: the
    policy, the action (none, backordered, closed, forced), what was left to follow
    (`rest`), the backorder made and the invoice of what shipped."""
    return {
        "policy": then.policy,
        "action": then.action,
        "rest": [{"sku": sku, "quantity": q} for sku, q in then.rest],
        "backorder": then.backorder,
        "invoice": then.invoice,
        "invoice_total": then.invoice_total,
    }


def follow_up_text(then: Any) -> str:
    """What a shipment's policy did, in a sentence ("" when it did nothing)."""
    rest = quantities_text(then.rest)
    if then.action == "backordered":
        billed = (
            f"invoice #{then.invoice} (total {format_money(then.invoice_total)}) billed what "
            "shipped, and "
            if then.invoice is not None
            else ""
        )
        return f"Policy backorder: {billed}{rest} moved to backorder #{then.backorder}."
    if then.action == "closed":
        return f"Policy cancel-rest: the rest was closed short ({rest} canceled)."
    if then.action == "forced":
        return (
            f"Policy ship-complete overridden with --force: {rest} still to follow "
            "(recorded in the order's history)."
        )
    return ""


def shipped_text(outcome: Any) -> str:
    moved = quantities_text(outcome.shipped)
    how = "in full" if outcome.cover == "full" else "in part"
    then = follow_up_text(outcome.then)
    status = Status(outcome.status).label
    return (
        f"Shipped order #{outcome.order} {how}: {moved} (now {status}).{' ' + then if then else ''}"
    )


CHAIN_FIELDS = [
    "number",
    "status",
    "archived",
    "customer",
    "backorder_of",
    "created_at",
    "remaining",
]


def chain_record(link: Any, fmt: str) -> dict[str, Any]:
    record = {f: getattr(link, f) for f in CHAIN_FIELDS if f != "remaining"}
    record["remaining"] = _items(link.remaining, fmt)
    return record


REPORT_FIELDS = {
    "sku": [
        "sku",
        "name",
        "quantity",
        "waiting",
        "on_hand",
        "incoming",
        "shortfall",
        "orders",
        "lines",
        "value",
    ],
    "customer": ["customer", "orders", "lines", "value", "oldest_days"],
    "age": ["age", "orders", "lines", "value"],
}


def report_record(row: Any, by: str) -> dict[str, Any]:
    fields = REPORT_FIELDS[by]
    record = {f: getattr(row, f, None) for f in fields[1:]}
    return {fields[0]: row.key, **record}


LOG_FIELDS = ["at", "user", "order", "event", "detail"]
