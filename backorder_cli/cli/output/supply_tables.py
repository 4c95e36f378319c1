"""Tables of supply: purchases, a purchase, a product's supply and demand, suggestions."""

from __future__ import annotations

import sys
from typing import Any

from rich.table import Table
from rich.text import Text

from ...domain.values import format_money, format_quantity
from .tables import _when, console, err_console, eta_text, text
from .text import safe_text


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else "-"


def purchases_table(rows: list[Any]) -> None:
    if not rows:
        sys.stderr.write("No purchases match.\n")
        return
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Purchase", justify="right")
    table.add_column("Supplier")
    table.add_column("Expected")
    table.add_column("Status")
    table.add_column("Still to come")
    for r in rows:
        table.add_row(f"#{r.number}", text(r.supplier), _day(r.expected), r.status, text(r.open))
    console().print(table)


def purchase_detail(p: Any) -> None:
    out = console()
    out.print(Text.assemble((f"Purchase #{p.number}", "bold"), "  ", safe_text(p.status)))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("Supplier", text(p.supplier))
    head.add_row("Expected", _day(p.expected))
    if p.comment:
        head.add_row("Comment", text(p.comment))
    head.add_row("Created", _when(p.created_at) + " UTC")
    out.print(head)
    lines = Table(title="Lines", title_justify="left", show_edge=False, header_style="bold")
    lines.add_column("SKU")
    for name in ("Ordered", "Received", "Canceled", "Open", "Unit cost"):
        lines.add_column(name, justify="right")
    for ln in p.lines:
        lines.add_row(
            text(ln.sku),
            format_quantity(ln.ordered),
            format_quantity(ln.received),
            format_quantity(ln.canceled),
            format_quantity(ln.open),
            format_money(ln.unit_cost),
        )
    out.print()
    out.print(lines)
    if p.history:
        history = Table(title="History", title_justify="left", show_edge=False, header_style="bold")
        for name in ("When (UTC)", "Who", "Event", "Detail"):
            history.add_column(name)
        for h in p.history:
            history.add_row(_when(h.at), text(h.user), text(h.event), text(h.detail))
        out.print()
        out.print(history)


def product_supply(p: Any) -> None:
    out = console()
    out.print(Text.assemble((p.sku, "bold"), "  ", safe_text(p.name)))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(justify="right")
    head.add_column()
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
        coming = Table(title="Incoming", title_justify="left", show_edge=False, header_style="bold")
        coming.add_column("Purchase", justify="right")
        coming.add_column("Supplier")
        coming.add_column("Expected")
        coming.add_column("Quantity", justify="right")
        for c in p.purchases:
            coming.add_row(
                f"#{c.purchase}", text(c.supplier), _day(c.expected), format_quantity(c.quantity)
            )
        out.print()
        out.print(coming)
    if p.waiting:
        waiting = Table(
            title="Waiting orders (first in line first)",
            title_justify="left",
            show_edge=False,
            header_style="bold",
        )
        waiting.add_column("Order", justify="right")
        waiting.add_column("Customer")
        waiting.add_column("Remaining", justify="right")
        waiting.add_column("ETA")
        for w in p.waiting:
            waiting.add_row(
                f"#{w.number}", text(w.customer), format_quantity(w.quantity), eta_text(w)
            )
        out.print()
        out.print(waiting)


def suggest_table(rows: list[Any], *, to_stderr: bool = False) -> None:
    if not rows:
        return
    table = Table(show_edge=False, header_style="bold")
    table.add_column("Supplier")
    table.add_column("SKU")
    table.add_column("Name")
    for title in ("Waiting for", "On hand", "Incoming", "To buy"):
        table.add_column(title, justify="right")
    table.add_column("Could arrive")
    for r in rows:
        table.add_row(
            text(r.supplier or "(none)"),
            text(r.sku),
            text(r.name),
            format_quantity(r.demand),
            format_quantity(r.stock),
            format_quantity(r.incoming),
            format_quantity(r.quantity),
            _day(r.arrives),
        )
    (err_console() if to_stderr else console()).print(table)


def explanation_text(e: Any) -> str:
    """`#2400 waits for 24 SWITCH-1: 10 on hand went to #2399 (6), #2398 (4) first; ETA
    2026-12-10 (purchase #1)` - one waiting line that does not ship now."""
    head = f"#{e.number} waits for {format_quantity(e.quantity)} {e.sku}: "
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
