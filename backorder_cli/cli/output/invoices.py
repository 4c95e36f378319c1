"""How invoices and credit notes are shown: the listing's fields and table, one
document in every format, and the plan of a credit shown before its question."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from rich.table import Table

from ...domain.values import format_money, format_quantity
from .flat import cell, write_csv, write_plain
from .tables import _ref, _when, console, err_console, text
from .text import safe_text

INVOICE_FIELDS = [
    "number",
    "kind",
    "order",
    "customer",
    "credit_of",
    "total",
    "created_at",
    "reason",
]
INVOICE_LINE_FIELDS = ["sku", "name", "unit", "quantity", "unit_price", "amount"]
INVOICE_HEAD_FIELDS = [*INVOICE_FIELDS, "credit_notes", "net"]


def invoices_table(invoices: Iterable[Any]) -> None:
    """Every field of the listing. The kind, the invoice a credit note credits and its
    reason share a column ("credit of #5: damaged"), so numbers, money and dates fit
    whole in 60 columns while names and reasons wrap."""
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Number", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Order", justify="right", no_wrap=True)
    table.add_column("Customer", ratio=1, min_width=6, overflow="fold")
    table.add_column("Kind", ratio=1, min_width=8, overflow="fold")
    table.add_column("Total", justify="right", no_wrap=True)
    count = 0
    for i in invoices:
        kind = "invoice" if i.credit_of is None else f"credit of #{i.credit_of}"
        table.add_row(
            _ref(i.number),
            i.created_at.date().isoformat(),
            _ref(i.order),
            text(i.customer),
            text(f"{kind}: {i.reason}" if i.reason else kind),
            format_money(i.total),
        )
        count += 1
    if count == 0:
        sys.stderr.write("No invoices match.\n")
        return
    console().print(table)


def _head(detail: Any) -> dict[str, Any]:
    head = {f: getattr(detail, f) for f in INVOICE_HEAD_FIELDS}
    head["credit_notes"] = " ".join(str(n) for n in detail.credit_notes)
    return head


def invoice_flat(detail: Any, fmt: str) -> None:
    """`invoices show` as CSV (one row per line, the document's fields repeated) or
    plain text (field/value lines, then the lines tab-separated)."""
    head = _head(detail)
    lines = [{f: getattr(line, f) for f in INVOICE_LINE_FIELDS} for line in detail.lines]
    if fmt == "csv":
        write_csv([*INVOICE_HEAD_FIELDS, *INVOICE_LINE_FIELDS], ({**head, **ln} for ln in lines))
        return
    for key, value in head.items():
        sys.stdout.write(f"{key}\t{safe_text(cell(value))}\n")
    sys.stdout.write("\n")
    write_plain(INVOICE_LINE_FIELDS, lines)


def invoice_detail(detail: Any) -> None:
    out = console()
    title = "Credit note" if detail.kind == "credit" else "Invoice"
    out.print(text(f"{title} #{detail.number}"), style="bold")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Order", _ref(detail.order))
    head.add_row("Customer", text(detail.customer))
    head.add_row("Date", _when(detail.created_at) + " UTC")
    if detail.credit_of is not None:
        head.add_row("Credit of", _ref(detail.credit_of))
    if detail.reason:
        head.add_row("Reason", text(detail.reason))
    head.add_row("Total", format_money(detail.total))
    if detail.credit_notes:
        head.add_row("Credit notes", ", ".join(_ref(n) for n in detail.credit_notes))
        head.add_row("Net", format_money(detail.net))
    out.print(head)
    lines = Table(title="Lines", title_justify="left", show_edge=False, header_style="bold")
    lines.add_column("SKU", no_wrap=True)
    lines.add_column("Name")
    for name in ("Quantity", "Unit price", "Amount"):
        lines.add_column(name, justify="right", no_wrap=True)
    for ln in detail.lines:
        lines.add_row(
            text(ln.sku),
            text(ln.name),
            text(f"{format_quantity(ln.quantity)} {ln.unit}"),
            format_money(ln.unit_price),
            format_money(ln.amount),
        )
    out.print()
    out.print(lines)


def credit_plan(preview: Any, *, to_stderr: bool) -> None:
    """What a credit will give back: shown before the question and by --dry-run."""
    out = err_console() if to_stderr else console()
    out.print(
        text(
            f"Invoice #{preview.invoice} (order #{preview.order}, {preview.customer}): "
            f"credit note #{preview.next_number} gives back:"
        )
    )
    table = Table(show_edge=False, header_style="bold")
    table.add_column("SKU", no_wrap=True)
    table.add_column("Quantity", justify="right", no_wrap=True)
    table.add_column("Amount", justify="right", no_wrap=True)
    for sku, quantity, amount in preview.lines:
        table.add_row(text(sku), format_quantity(quantity), format_money(amount))
    out.print(table)
    out.print(text(f"Total of the credit note: {format_money(preview.total)}"))
