"""Rich tables and trees for a person at a terminal. Data never passes through markup
(every cell is a `Text`), and is escaped first.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...domain.orders import Status
from ...domain.values import format_money, format_quantity, quantities_text
from .flat import cell
from .records import chain_text
from .text import safe_text


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
        cells: list[str | Text] = []
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
