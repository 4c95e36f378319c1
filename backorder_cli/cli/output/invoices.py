"""How invoices and credit notes are shown: the listing's fields and table, one
document in every format, and the plan of a credit shown before its question."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text

from ...domain.values import format_money, format_quantity
from .columns import KEEP, TEXT, WORDS, Column, print_table
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


_LIST_COLUMNS = (
    Column("Number", KEEP, "right"),
    Column("Date", KEEP),
    Column("Order", KEEP, "right"),
    Column("Customer", TEXT),
    Column("Kind", WORDS),
    Column("Total", KEEP, "right"),
)


def invoices_table(invoices: Iterable[Any]) -> int:
    """Every field of the listing, streamed: rows are printed as the invoices come
    (`print_table`). The kind, the invoice a credit note credits and its reason share a
    column ("credit of #5: damaged") that wraps only between words, so the invoice
    number in it is never cut; numbers, money and dates are never cut, customers wrap.
    The count printed."""
    rows = (
        (
            _ref(i.number),
            i.created_at.date().isoformat(),
            _ref(i.order),
            text(i.customer),
            _kind(i.credit_of, i.reason),
            format_money(i.total),
        )
        for i in invoices
    )
    count = print_table(console(), _LIST_COLUMNS, rows)
    if count == 0:
        sys.stderr.write("No invoices match.\n")
    return count


def _kind(credit_of: int | None, reason: str) -> Text:
    kind = "invoice" if credit_of is None else f"credit of #{credit_of}"
    return text(f"{kind}: {reason}" if reason else kind)


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
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")  # wraps between words: a number or date stays whole
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
    out.print()
    print_table(
        out,
        _LINE_COLUMNS,
        (
            (
                text(ln.sku),
                text(ln.name),
                text(f"{format_quantity(ln.quantity)} {ln.unit}"),
                format_money(ln.unit_price),
                format_money(ln.amount),
            )
            for ln in detail.lines
        ),
        title="Lines",
    )


_LINE_COLUMNS = (
    Column("SKU", KEEP),
    Column("Name", TEXT),
    Column("Quantity", KEEP, "right"),
    Column("Unit price", KEEP, "right"),
    Column("Amount", KEEP, "right"),
)


def credit_plan(preview: Any, *, to_stderr: bool) -> None:
    """What a credit will give back: shown before the question and by --dry-run."""
    out = err_console() if to_stderr else console()
    out.print(
        text(
            f"Invoice #{preview.invoice} (order #{preview.order}, {preview.customer}): "
            f"credit note #{preview.next_number} gives back:"
        )
    )
    columns = (
        Column("SKU", KEEP),
        Column("Quantity", KEEP, "right"),
        Column("Amount", KEEP, "right"),
    )
    rows = (
        (text(sku), format_quantity(quantity), format_money(amount))
        for sku, quantity, amount in preview.lines
    )
    print_table(out, columns, rows)
    out.print(text(f"Total of the credit note: {format_money(preview.total)}"))
