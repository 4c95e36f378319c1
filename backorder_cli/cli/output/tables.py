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
from .columns import KEEP, TEXT, WORDS, Column, Kind, print_table
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
    return _Console(
        file=file, width=width, highlight=False, soft_wrap=False, markup=False, emoji=False
    )


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (a pager quit, `| head`): Rich would exit 1 here; the
        error goes up instead, to the one place that handles it (the pager, the app)."""
        raise BrokenPipeError(32, "the reader of the output went away")


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


_ORDER_COLUMNS = (
    Column("Order", KEEP, "right"),
    Column("Status", WORDS),
    Column("Customer", TEXT),
    Column("Total", KEEP, "right"),
    Column("Backorder of", KEEP, "right"),
)


def orders_table(orders: Iterable[Any]) -> int:
    """Streamed: rows are printed as the orders come. The count printed."""
    rows = (
        (
            _ref(o.number),
            text(status_label(o.status, o.archived)),
            text(o.customer),
            format_money(o.total),
            _ref(o.backorder_of),
        )
        for o in orders
    )
    count = print_table(console(), _ORDER_COLUMNS, rows)
    if count == 0:
        sys.stderr.write("No orders match.\n")
    return count


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
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")  # wraps between words: a number or date stays whole
    head.add_row("Customer", text(order.customer))
    for label, value in (("Reference", order.reference), ("Address", order.address)):
        if value:
            head.add_row(label, text(value))
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
    waits = any(ln.eta_source is not None or ln.short is not None for ln in order.lines)
    if waits:
        head.add_row("ETA", order.eta.isoformat() if order.eta else "none: not all is covered")
    out.print(head)

    out.print()
    print_table(
        out,
        (*_LINE_COLUMNS, _ETA_COLUMN) if waits else _LINE_COLUMNS,
        (
            (
                text(ln.sku),
                text(ln.name),
                text(f"{format_quantity(ln.quantity)} {ln.unit}"),
                format_quantity(ln.shipped),
                format_quantity(ln.invoiced),
                format_quantity(ln.canceled),
                format_quantity(ln.remaining),
                format_money(ln.unit_price),
                *([eta_text(ln)] if waits else []),
            )
            for ln in order.lines
        ),
        title="Lines",
    )
    if order.invoices:
        out.print()
        # The "Credit of" column only when the order has credit notes: an order without
        # them shows as it always did.
        credits = any(inv.credit_of is not None for inv in order.invoices)
        print_table(
            out,
            (*_INVOICE_COLUMNS, _CREDIT_OF_COLUMN) if credits else _INVOICE_COLUMNS,
            (
                (
                    _ref(inv.number),
                    inv.created_at.date().isoformat(),
                    format_money(inv.total),
                    *([_ref(inv.credit_of)] if credits else []),
                )
                for inv in order.invoices
            ),
            title="Invoices",
        )
    if order.history:
        out.print()
        print_table(
            out,
            _HISTORY_COLUMNS,
            ((_when(h.at), text(h.user), text(h.event), text(h.detail)) for h in order.history),
            title="History",
        )


_LINE_COLUMNS = (
    Column("SKU", KEEP),
    Column("Name", TEXT),
    Column("Quantity", KEEP, "right"),
    Column("Shipped", KEEP, "right"),
    Column("Invoiced", KEEP, "right"),
    Column("Canceled", KEEP, "right"),
    Column("Remaining", KEEP, "right"),
    Column("Unit price", KEEP, "right"),
)
# Only on an order that waits: the date stays whole, its source wraps between words.
_ETA_COLUMN = Column("ETA", WORDS)
_INVOICE_COLUMNS = (
    Column("Invoice", KEEP, "right"),
    Column("Date", KEEP),
    Column("Total", KEEP, "right"),
)
_CREDIT_OF_COLUMN = Column("Credit of", KEEP, "right")
_HISTORY_COLUMNS = (
    Column("When (UTC)", KEEP),
    Column("Who", TEXT),
    Column("Event", WORDS),
    Column("Detail", TEXT),
)


def eta_text(line: Any) -> str:
    """A waiting line's promise: `2027-01-20 (purchase #1)`, `2026-11-26 (stock)`, or
    `none (3 short)`; empty on a line that does not wait."""
    if line.eta is not None:
        return f"{line.eta.isoformat()} ({line.eta_source})"
    if line.short is not None:
        return f"none ({format_quantity(line.short)} short)"
    return ""


def products_table(products: list[Any]) -> None:
    if not products:
        sys.stderr.write(
            "No products yet - add one with `backorder products add SKU --name NAME`.\n"
        )
        return
    columns = (
        Column("SKU", KEEP),
        Column("Name", TEXT),
        Column("Unit", WORDS),
        Column("Price", KEEP, "right"),
        Column("Stock", KEEP, "right"),
        Column("Claimed", KEEP, "right"),
        Column("Available", KEEP, "right"),
        Column("Incoming", KEEP, "right"),
    )
    rows = (
        (
            text(p.sku),
            text(p.name),
            text(p.unit),
            format_money(p.price),
            format_quantity(p.stock),
            format_quantity(p.claimed),
            format_quantity(p.available),
            format_quantity(p.incoming),
        )
        for p in products
    )
    print_table(console(), columns, rows)


def settings_table(settings: dict[str, str]) -> None:
    columns = (Column("Setting", KEEP), Column("Value", TEXT))
    print_table(console(), columns, ((text(k), text(v)) for k, v in settings.items()))


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
    columns = (
        Column("SKU", KEEP),
        Column("Name", TEXT),
        Column("Quantity", KEEP, "right"),
        Column("Unit price", KEEP, "right"),
    )
    rows = (
        (
            text(m.sku),
            text(m.name),
            text(f"{format_quantity(m.quantity)} {m.unit}"),
            format_money(m.unit_price),
        )
        for m in preview.moves
    )
    print_table(out, columns, rows)


def ready_table(rows: list[dict[str, Any]], *, to_stderr: bool = False) -> None:
    if not rows:
        return
    columns = (
        Column("Order", KEEP, "right"),
        Column("Cover", WORDS),
        Column("Customer", TEXT),
        Column("Backorder of", KEEP, "right"),
        Column("Waiting since", KEEP),
        Column("Ships now", WORDS),
        Column("Still waiting", WORDS),
    )
    cells = (
        (
            _ref(r["number"]),
            text(r["cover"]),
            text(r["customer"]),
            _ref(r["backorder_of"]),
            r["created_at"].astimezone(UTC).date().isoformat(),
            text(r["ship"]),
            text(r["waiting"]),
        )
        for r in rows
    )
    print_table(err_console() if to_stderr else console(), columns, cells)


def chain_tree(rows: list[dict[str, Any]], number: int) -> None:
    """The chain as a Rich tree: each backorder under the order it came from."""
    from rich.tree import Tree

    def label(r: dict[str, Any]) -> Text:
        shown = Text.assemble(
            (f"#{r['number']}", "bold" if r["number"] == number else ""),
            f"  {safe_text(status_label(r['status'], r['archived']))}  ",
            safe_text(r["customer"]),
        )
        waiting = r["remaining"]
        shown.append(f"  waiting for {safe_text(waiting)}" if waiting else "")
        return shown

    root = Tree(label(rows[0]))
    node = root
    for r in rows[1:]:
        node = node.add(label(r))
    console().print(root)


_REPORT_TITLES = {
    "sku": "SKU",
    "oldest_days": "Oldest (days)",
    "quantity": "Backordered",
    "waiting": "Waiting (all orders)",
    "incoming": "Incoming",
    "shortfall": "To buy (as suggest)",
}
_MONEY_FIELDS = {"value"}
_QUANTITY_FIELDS = {"quantity", "on_hand", "shortfall", "waiting", "incoming"}


def report_table(rows: list[dict[str, Any]], fields: list[str]) -> None:
    if not any(r["orders"] for r in rows):
        sys.stderr.write("No open backorders.\n")
        if not rows:
            return
    # No total of orders: one order can count in several rows.
    footers = {
        fields[0]: "Total",
        "lines": str(sum(r["lines"] for r in rows)),
        "value": format_money(sum((r["value"] for r in rows), Decimal(0))),
    }
    columns = [
        Column(
            _REPORT_TITLES.get(f, f.replace("_", " ").capitalize()),
            _REPORT_KINDS.get(f, KEEP),
            "left" if f in ("sku", "name", "customer", "age") else "right",
        )
        for f in fields
    ]
    cells_of_rows = []
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
        cells_of_rows.append(cells)
    print_table(console(), columns, cells_of_rows, footers=[footers.get(f, "") for f in fields])


_REPORT_KINDS: dict[str, Kind] = {"name": TEXT, "customer": TEXT, "age": WORDS}


_LOG_COLUMNS = (
    Column("When (UTC)", KEEP),
    Column("Who", TEXT),
    Column("Order", KEEP, "right"),
    Column("Event", WORDS),
    Column("Detail", TEXT),
)


def log_table(entries: Iterable[Any], *, highest_order: int | None = None) -> int:
    """Streamed: rows are printed as the entries come, the Order column as wide as the
    highest order number from the first row on. The count printed."""
    rows = (
        (_when(e.at), text(e.user), _ref(e.order), text(e.event), text(e.detail)) for e in entries
    )
    widest = ("", "", _ref(highest_order), "", "")
    count = print_table(console(), _LOG_COLUMNS, rows, widest=widest)
    if count == 0:
        sys.stderr.write("No changes match.\n")
    return count
