"""Every output format lives here: Rich tables for people, JSON for scripts.

JSON numbers are written straight from Decimals (`2.5`, `1234.50`), never through a
float, so a script reads back exactly what was stored.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..domain.orders import Status
from ..domain.values import format_money, format_quantity, quantities_text
from ..transfer.csv_format import csv_text
from .app import safe_text

# ---------------------------------------------------------------- JSON

# The C string encoder behind json.dumps(ensure_ascii=False), without its per-call setup.
_c_quote = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
# What that encoder leaves raw but a terminal acts on or reorders: DEL, C1 controls, bidi
# marks and overrides, line separators, lone surrogates. JSON gets them as \u escapes,
# so JSON on a terminal is safe too and still reads back as the exact text.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _quote(text: str) -> str:
    quoted = _c_quote(text)
    return _JSON_UNSAFE.sub(_json_escape, quoted) if _JSON_UNSAFE.search(quoted) else quoted


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _encode(value: Any, indent: int, level: int) -> str:
    if isinstance(value, Decimal):
        return format_quantity(value)  # plain, exact, no exponent: 2.5, 1234.5, 100
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        items = [
            f"{inner}{json.dumps(k)}: {_encode(v, indent, level + 1)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        return (
            "[\n"
            + ",\n".join(inner + _encode(v, indent, level + 1) for v in value)
            + "\n"
            + pad
            + "]"
        )
    return _quote(value) if isinstance(value, str) else json.dumps(value)


def to_json(value: Any) -> str:
    """Indented JSON with Decimals as exact JSON numbers."""
    return _encode(_plain(value), 2, 0)


def print_json(value: Any) -> None:
    sys.stdout.write(to_json(value) + "\n")


_SCALARS = (str, int, Decimal, type(None))


def _scalar(value: Any) -> str:
    """One JSON scalar, the way `_encode` writes it, without its generality."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_quantity(value)
    return str(value)


def print_json_stream(items: Iterable[Any]) -> None:
    """A JSON array written element by element as the items arrive: a listing of a
    million orders starts at once and never sits in memory whole. Flat records (every
    field a string, number or null) take a fast path with their keys encoded once; the
    text is the same as `to_json` writes."""
    out = sys.stdout
    first = True
    keys: list[tuple[str, str]] | None = None
    try:
        for item in items:
            if keys is None and dataclasses.is_dataclass(item):
                keys = [(f.name, f"    {json.dumps(f.name)}: ") for f in dataclasses.fields(item)]
            values = [getattr(item, name) for name, _ in keys] if keys else None
            if values is not None and all(isinstance(v, _SCALARS) for v in values):
                text = (
                    "{\n"
                    + ",\n".join(key + _scalar(v) for (_, key), v in zip(keys, values, strict=True))
                    + "\n  }"
                )
            else:
                text = _encode(_plain(item), 2, 1)
            # One write per element: an interrupt lands between elements, never inside.
            out.write(("[\n  " if first else ",\n  ") + text)
            first = False
    except KeyboardInterrupt:
        # Ctrl-C: what was written stays valid JSON; the caller says what was done.
        out.write("[]\n" if first else "\n]\n")
        raise
    out.write("[]\n" if first else "\n]\n")


def print_export(header: dict[str, Any], orders: Iterable[dict[str, Any]]) -> None:
    """The export document: the header's keys, then "orders" streamed one by one."""
    out = sys.stdout
    out.write("{\n")
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {_encode(_plain(value), 2, 1)},\n")
    out.write('  "orders": ')
    first = True
    for order in orders:
        out.write("[\n    " if first else ",\n    ")
        out.write(_encode(_plain(order), 2, 2))
        first = False
    out.write("[]\n}\n" if first else "\n  ]\n}\n")


# ---------------------------------------------------------------- flat formats


def cell(value: Any) -> str:
    """One value as text for CSV and plain output: exact numbers, ISO times, empty None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_quantity(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def csv_cell(value: Any) -> str:
    """`cell`, with text that a spreadsheet would run as a formula neutralised (README,
    "CSV cells"); numbers and times are not text, so `-5` stays `-5`."""
    return csv_text(value) if isinstance(value, str) else cell(value)


def write_csv(fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_cell(record.get(f)) for f in fields])


def write_plain(fields: list[str], records: Iterable[dict[str, Any]]) -> None:
    """Tab-separated, a header line then one line per record: stable columns for cut,
    awk and sort, whatever the terminal width. It is read by people too (`| less`), so
    text is escaped as everywhere on a terminal: a tab or newline in data is `\\t` or
    `\\n`, never a column or record break."""
    out = sys.stdout
    out.write("\t".join(fields) + "\n")
    for record in records:
        out.write("\t".join(safe_text(cell(record.get(f))) for f in fields) + "\n")


def write_ids(key: str, records: Iterable[dict[str, Any]]) -> None:
    """One key per line. Escaped like the other flat formats: an order number is
    unchanged, and a SKU that needs escaping could not be typed back anyway."""
    out = sys.stdout
    for record in records:
        out.write(f"{safe_text(cell(record[key]))}\n")


def records(
    items: Iterable[Any], fields: list[str], getter: Callable[[Any, str], Any] = getattr
) -> Iterator[dict[str, Any]]:
    for item in items:
        yield {f: getter(item, f) for f in fields}


def emit(
    items: Iterable[Any],
    fields: list[str],
    fmt: str,
    *,
    table: Callable[[list[Any]], None],
    ids_key: str | None = None,
    getter: Callable[[Any, str], Any] = getattr,
) -> None:
    """A listing in any format, with the same fields in each; all but the table stream.
    Items are objects with the fields as attributes, or (with `getter=dict.get`) dicts."""
    if fmt == "json":
        print_json_stream(items)
    elif fmt == "csv":
        write_csv(fields, records(items, fields, getter))
    elif fmt == "plain":
        write_plain(fields, records(items, fields, getter))
    elif fmt == "ids":
        write_ids(ids_key or fields[0], records(items, fields, getter))
    else:
        table(list(items))


ORDER_FIELDS = ["number", "status", "archived", "customer", "total", "backorder_of"]
PRODUCT_FIELDS = ["sku", "name", "unit", "price", "stock"]
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
]


def order_flat(order: Any, fmt: str) -> None:
    """`orders show` as CSV (one row per line, the order's fields repeated) or plain text
    (the header as field/value lines, then each section as a tab-separated block)."""
    head = {f: getattr(order, f) for f in ORDER_HEAD_FIELDS}
    head["backorders"] = " ".join(str(n) for n in order.backorders)
    head["chain"] = chain_text(order.chain)
    if fmt == "csv":
        fields = ["order" if f == "number" else f for f in ORDER_HEAD_FIELDS] + LINE_FIELDS
        rows = (
            {
                "order": order.number,
                **{k: v for k, v in head.items() if k != "number"},
                **{f: getattr(line, f) for f in LINE_FIELDS},
            }
            for line in order.lines
        )
        write_csv(fields, rows)
        return
    out = sys.stdout
    for key, value in head.items():
        out.write(f"{key}\t{safe_text(cell(value))}\n")
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


# ---------------------------------------------------------------- tables


def console() -> Console:
    """A console on stdout, made per call so test runners that swap stdout are seen.
    Piped output gets a wide fixed width so columns are not cut. No markup and no
    emoji codes: a string that reaches it is never parsed (data goes in as `text()`)."""
    return _console(sys.stdout)


def err_console() -> Console:
    return _console(sys.stderr)


def _console(file: Any) -> Console:
    width = None if file.isatty() else 200
    return Console(
        file=file, width=width, highlight=False, soft_wrap=False, markup=False, emoji=False
    )


def text(value: Any) -> Text:
    """A value from data as a table cell or label: escaped (`safe_text`), never markup."""
    return Text(safe_text(cell(value)))


def status_label(status: str, archived: bool = False) -> str:
    label = Status(status).label
    return f"{label}, archived" if archived else label


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _ref(number: int | None) -> str:
    return f"#{number}" if number is not None else ""


def chain_text(chain: list[int]) -> str:
    """`#2390 -> #2391 -> #2399`; empty for an order that is in no chain."""
    return " -> ".join(f"#{n}" for n in chain) if len(chain) > 1 else ""


def orders_table(orders: Iterable[Any]) -> None:
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Order", justify="right")
    table.add_column("Status")
    table.add_column("Customer")
    table.add_column("Total", justify="right")
    table.add_column("Backorder of", justify="right")
    count = 0
    for o in orders:
        table.add_row(
            _ref(o.number),
            text(status_label(o.status, o.archived)),
            text(o.customer),
            format_money(o.total),
            _ref(o.backorder_of),
        )
        count += 1
    if count == 0:
        sys.stderr.write("No orders match.\n")
        return
    console().print(table)


def order_detail(order: Any) -> None:
    out = console()
    out.print(
        Text.assemble(
            (f"Order #{order.number}", "bold"),
            "  ",
            safe_text(status_label(order.status, order.archived)),
        )
    )
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Customer", text(order.customer))
    if order.comment:
        head.add_row("Comment", text(order.comment))
    head.add_row("Created", _when(order.created_at) + " UTC")
    if order.backorder_of is not None:
        head.add_row("Backorder of", _ref(order.backorder_of))
    if order.backorders:
        head.add_row("Backorders", ", ".join(_ref(n) for n in order.backorders))
    if len(order.chain) > 1:
        head.add_row("Chain", chain_text(order.chain))
    head.add_row("Total", format_money(order.total))
    out.print(head)

    lines = Table(title="Lines", title_justify="left", show_edge=False, header_style="bold")
    for name in ("SKU", "Name"):
        lines.add_column(name)
    for name in ("Quantity", "Shipped", "Invoiced", "Canceled", "Remaining", "Unit price"):
        lines.add_column(name, justify="right")
    for ln in order.lines:
        lines.add_row(
            text(ln.sku),
            text(ln.name),
            text(f"{format_quantity(ln.quantity)} {ln.unit}"),
            format_quantity(ln.shipped),
            format_quantity(ln.invoiced),
            format_quantity(ln.canceled),
            format_quantity(ln.remaining),
            format_money(ln.unit_price),
        )
    out.print()
    out.print(lines)
    if order.invoices:
        invoices = Table(
            title="Invoices", title_justify="left", show_edge=False, header_style="bold"
        )
        invoices.add_column("Invoice", justify="right")
        invoices.add_column("Date")
        invoices.add_column("Total", justify="right")
        for inv in order.invoices:
            invoices.add_row(
                _ref(inv.number), inv.created_at.date().isoformat(), format_money(inv.total)
            )
        out.print()
        out.print(invoices)
    if order.history:
        history = Table(title="History", title_justify="left", show_edge=False, header_style="bold")
        for name in ("When (UTC)", "Who", "Event", "Detail"):
            history.add_column(name)
        for h in order.history:
            history.add_row(_when(h.at), text(h.user), text(h.event), text(h.detail))
        out.print()
        out.print(history)


def products_table(products: list[Any]) -> None:
    if not products:
        sys.stderr.write(
            "No products yet - add one with `backorder products add SKU --name NAME`.\n"
        )
        return
    table = Table(show_edge=False, header_style="bold")
    table.add_column("SKU")
    table.add_column("Name")
    table.add_column("Unit")
    table.add_column("Price", justify="right")
    table.add_column("Stock", justify="right")
    for p in products:
        table.add_row(
            text(p.sku), text(p.name), text(p.unit), format_money(p.price), format_quantity(p.stock)
        )
    console().print(table)


def settings_table(settings: dict[str, str]) -> None:
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Setting")
    table.add_column("Value")
    for key, value in settings.items():
        table.add_row(text(key), text(value))
    console().print(table)


def backorder_plan(preview: Any, *, to_stderr: bool) -> None:
    """What a backorder will move: the plan shown before the question and by --dry-run."""
    out = err_console() if to_stderr else console()
    if preview.to_invoice:
        out.print(
            text(
                f"First, shipped items of order #{preview.number} are invoiced: "
                + quantities_text((sku, q) for sku, q, _a in preview.to_invoice)
                + f" (total {format_money(preview.invoice_total)})."
            )
        )
    out.print(
        text(
            f"Order #{preview.number} ({preview.customer}): these undelivered quantities are "
            f"canceled and move to a new order, #{preview.next_number}:"
        )
    )
    table = Table(show_edge=False, header_style="bold")
    table.add_column("SKU")
    table.add_column("Name")
    table.add_column("Quantity", justify="right")
    table.add_column("Unit price", justify="right")
    for m in preview.moves:
        table.add_row(
            text(m.sku),
            text(m.name),
            text(f"{format_quantity(m.quantity)} {m.unit}"),
            format_money(m.unit_price),
        )
    out.print(table)


# ---------------------------------------------------------------- after the backorder


def _items(items: Iterable[tuple[Any, ...]], fmt: str) -> Any:
    """(…, sku, quantity) pairs: a list of objects in JSON, `SKU=QTY ...` (the `ship`
    command's own syntax) in every flat format."""
    pairs = [(item[-2], item[-1]) for item in items]
    if fmt == "json":
        return [{"sku": sku, "quantity": q} for sku, q in pairs]
    return " ".join(f"{sku}={format_quantity(q)}" for sku, q in pairs)


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


def ready_table(rows: list[dict[str, Any]], *, to_stderr: bool = False) -> None:
    if not rows:
        return
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Order", justify="right")
    table.add_column("Cover")
    table.add_column("Customer")
    table.add_column("Backorder of", justify="right")
    table.add_column("Waiting since")
    table.add_column("Ships now")
    table.add_column("Still waiting")
    for r in rows:
        table.add_row(
            _ref(r["number"]),
            text(r["cover"]),
            text(r["customer"]),
            _ref(r["backorder_of"]),
            r["created_at"].astimezone(UTC).date().isoformat(),
            text(r["ship"]),
            text(r["waiting"]),
        )
    (err_console() if to_stderr else console()).print(table)


def shipped_text(outcome: Any) -> str:
    moved = quantities_text(outcome.shipped)
    how = "in full" if outcome.cover == "full" else "in part"
    return f"Shipped order #{outcome.order} {how}: {moved} (now {Status(outcome.status).label})."


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


def chain_tree(rows: list[dict[str, Any]], number: int) -> None:
    """The chain as a Rich tree: each backorder under the order it came from."""
    from rich.tree import Tree

    def label(r: dict[str, Any]) -> Text:
        shown = Text.assemble(
            (f"#{r['number']}", "bold" if r["number"] == number else ""),
            f"  {safe_text(status_label(r['status'], r['archived']))}  ",
            safe_text(r["customer"]),
        )
        waiting = r["remaining"].replace("=", " ")
        shown.append(f"  waiting for {safe_text(waiting)}" if waiting else "")
        return shown

    root = Tree(label(rows[0]))
    node = root
    for r in rows[1:]:
        node = node.add(label(r))
    console().print(root)


REPORT_FIELDS = {
    "sku": ["sku", "name", "quantity", "on_hand", "shortfall", "orders", "lines", "value"],
    "customer": ["customer", "orders", "lines", "value", "oldest_days"],
    "age": ["age", "orders", "lines", "value"],
}


def report_record(row: Any, by: str) -> dict[str, Any]:
    fields = REPORT_FIELDS[by]
    record = {f: getattr(row, f, None) for f in fields[1:]}
    return {fields[0]: row.key, **record}


_REPORT_TITLES = {"sku": "SKU", "oldest_days": "Oldest (days)"}
_MONEY_FIELDS = {"value"}
_QUANTITY_FIELDS = {"quantity", "on_hand", "shortfall"}


def report_table(rows: list[dict[str, Any]], fields: list[str]) -> None:
    if not any(r["orders"] for r in rows):
        sys.stderr.write("No open backorders.\n")
        if not rows:
            return
    table = Table(show_edge=False, header_style="bold", show_footer=True)
    # No total of orders: one order can count in several rows.
    footers = {
        fields[0]: "Total",
        "lines": str(sum(r["lines"] for r in rows)),
        "value": format_money(sum((r["value"] for r in rows), Decimal(0))),
    }
    for f in fields:
        title = _REPORT_TITLES.get(f, f.replace("_", " ").capitalize())
        footer = footers.get(f, "")
        numeric = f not in ("sku", "name", "customer", "age")
        table.add_column(title, justify="right" if numeric else "left", footer=footer)
    for r in rows:
        cells = []
        for f in fields:
            value = r[f]
            if f in _MONEY_FIELDS:
                cells.append(format_money(value))
            elif f in _QUANTITY_FIELDS:
                cells.append(format_quantity(value))
            else:
                cells.append(text(value))
        table.add_row(*cells)
    console().print(table)


LOG_FIELDS = ["at", "user", "order", "event", "detail"]


def log_table(entries: list[Any]) -> None:
    if not entries:
        sys.stderr.write("No changes match.\n")
        return
    table = Table(show_edge=False, header_style="bold")
    for name in ("When (UTC)", "Who", "Order", "Event", "Detail"):
        table.add_column(name, justify="right" if name == "Order" else "left")
    for e in entries:
        table.add_row(_when(e.at), text(e.user), _ref(e.order), text(e.event), text(e.detail))
    console().print(table)
