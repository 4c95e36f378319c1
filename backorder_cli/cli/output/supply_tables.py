"""Tables of supply: purchases, a purchase, a product's supply and demand, suggestions."""

from __future__ import annotations

import sys
from typing import Any

from rich.table import Table
from rich.text import Text

from ...domain.values import format_money, format_quantity, quantity_text
from .columns import KEEP, TEXT, WORDS, Column, print_table
from .tables import _when, console, err_console, eta_text, text
from .text import safe_text


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "-"


_PURCHASE_COLUMNS = (
    Column("Purchase", KEEP, "right"),
    Column("Supplier", TEXT),
    Column("Expected", KEEP),
    Column("Status", WORDS),
    Column("Still to come", WORDS),
)


def purchases_table(rows: list[Any]) -> None:
    if not rows:
        sys.stderr.write("No purchases match.\n")
        return
    cells = (
        (f"#{r.number}", text(r.supplier), _day(r.expected), text(r.status), text(r.open))
        for r in rows
    )
    print_table(console(), _PURCHASE_COLUMNS, cells)


_PURCHASE_LINE_COLUMNS = (
    Column("SKU", KEEP),
    Column("Ordered", KEEP, "right"),
    Column("Received", KEEP, "right"),
    Column("Canceled", KEEP, "right"),
    Column("Open", KEEP, "right"),
    Column("Unit cost", KEEP, "right"),
)
_HISTORY_COLUMNS = (
    Column("When (UTC)", KEEP),
    Column("Who", TEXT),
    Column("Event", WORDS),
    Column("Detail", TEXT),
)


def purchase_detail(p: Any) -> None:
    out = console()
    out.print(Text.assemble((f"Purchase #{p.number}", "bold"), "  ", safe_text(p.status)))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")
    head.add_row("Supplier", text(p.supplier))
    head.add_row("Expected", _day(p.expected))
    if p.comment:
        head.add_row("Comment", text(p.comment))
    head.add_row("Created", _when(p.created_at) + " UTC")
    out.print(head)
    out.print()
    print_table(
        out,
        _PURCHASE_LINE_COLUMNS,
        (
            (
                text(ln.sku),
                format_quantity(ln.ordered),
                format_quantity(ln.received),
                format_quantity(ln.canceled),
                format_quantity(ln.open),
                format_money(ln.unit_cost),
            )
            for ln in p.lines
        ),
        title="Lines",
    )
    if p.history:
        out.print()
        print_table(
            out,
            _HISTORY_COLUMNS,
            ((_when(h.at), text(h.user), text(h.event), text(h.detail)) for h in p.history),
            title="History",
        )


_INCOMING_COLUMNS = (
    Column("Purchase", KEEP, "right"),
    Column("Supplier", TEXT),
    Column("Expected", KEEP),
    Column("Quantity", KEEP, "right"),
)
_WAITING_COLUMNS = (
    Column("Order", KEEP, "right"),
    Column("Customer", TEXT),
    Column("Remaining", KEEP, "right"),
    # The date stays whole; its source wraps between words.
    Column("ETA", WORDS),
)


def product_supply(p: Any) -> None:
    out = console()
    out.print(Text.assemble((safe_text(p.sku), "bold"), "  ", safe_text(p.name)))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column(justify="right", no_wrap=True)
    head.add_column(overflow="fold")
    unit = safe_text(p.unit)
    head.add_row("On hand", format_quantity(p.stock), unit)
    head.add_row("Claimed", format_quantity(p.claimed), "by waiting orders")
    head.add_row("Available", format_quantity(p.available), "on hand - claimed")
    head.add_row("Incoming", format_quantity(p.incoming), "on open purchases")
    if p.supplier:
        days = "" if p.lead_time is None else f", lead time {p.lead_time} days"
        head.add_row("Supplier", "", text(p.supplier + days))
    out.print(head)
    if p.purchases:
        out.print()
        print_table(
            out,
            _INCOMING_COLUMNS,
            (
                (f"#{c.purchase}", text(c.supplier), _day(c.expected), format_quantity(c.quantity))
                for c in p.purchases
            ),
            title="Incoming",
        )
    if p.waiting:
        out.print()
        print_table(
            out,
            _WAITING_COLUMNS,
            (
                (f"#{w.number}", text(w.customer), format_quantity(w.quantity), eta_text(w))
                for w in p.waiting
            ),
            title="Waiting orders (first in line first)",
        )


_SUGGEST_COLUMNS = (
    Column("Supplier", TEXT),
    Column("SKU", KEEP),
    Column("Name", TEXT),
    Column("Waiting for", KEEP, "right"),
    Column("On hand", KEEP, "right"),
    Column("Incoming", KEEP, "right"),
    Column("To buy", KEEP, "right"),
    Column("Could arrive", KEEP),
)


def suggest_table(rows: list[Any], *, to_stderr: bool = False) -> None:
    if not rows:
        return
    cells = (
        (
            text(r.supplier or "(none)"),
            text(r.sku),
            text(r.name),
            format_quantity(r.demand),
            format_quantity(r.stock),
            format_quantity(r.incoming),
            format_quantity(r.quantity),
            _day(r.arrives),
        )
        for r in rows
    )
    print_table(err_console() if to_stderr else console(), _SUGGEST_COLUMNS, cells)


def explanation_text(e: Any) -> str:
    """`#2400 waits for 24 x SWITCH-1: 10 on hand went to #2399 (6), #2398 (4) first; ETA
    2026-12-10 (purchase #1)` - one waiting line that does not ship now."""
    head = f"#{e.number} waits for {quantity_text(e.sku, e.quantity)}: "
    if e.taken_by:
        shown = ", ".join(f"#{n} ({format_quantity(q)})" for n, q in e.taken_by[:5])
        more = f" and {len(e.taken_by) - 5} more" if len(e.taken_by) > 5 else ""
        why = f"{format_quantity(e.on_hand)} on hand went to {shown}{more} first"
    else:
        why = f"{format_quantity(e.on_hand)} on hand"
    if e.eta is not None:
        when = f"ETA {e.eta.isoformat()} ({e.eta_source})"
    else:
        when = f"no ETA: {format_quantity(e.short)} short"
    return head + why + "; " + when
