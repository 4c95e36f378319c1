"""Tables of the customer register: the list, and one customer with what it is owed."""

from __future__ import annotations

import sys
from typing import Any

from rich.table import Table
from rich.text import Text

from ...domain.values import ZERO, format_money, format_quantity
from .columns import KEEP, TEXT, WORDS, Column, print_table
from .tables import console, status_label, text
from .text import safe_text

_CUSTOMER_COLUMNS = (
    Column("Customer", TEXT),
    Column("Email", TEXT),
    Column("Address", TEXT),
    Column("Policy", KEEP),
    Column("Priority", KEEP, "right"),
    Column("Waiting orders", KEEP, "right"),
    Column("Owed", KEEP, "right"),
)
_ORDER_COLUMNS = (
    Column("Order", KEEP, "right"),
    Column("Status", WORDS),
    Column("Backorder of", KEEP, "right"),
    Column("Reference", TEXT),
    Column("Address", TEXT),
    Column("Policy", KEEP),
    Column("Total", KEEP, "right"),
)
_OWED_COLUMNS = (
    Column("Order", KEEP, "right"),
    Column("SKU", KEEP),
    Column("Quantity", KEEP, "right"),
    Column("Value", KEEP, "right"),
)


def _or_dash(value: str | None) -> Text:
    return text(value) if value else Text("-")


def customers_table(rows: list[Any]) -> None:
    if not rows:
        sys.stderr.write("No customers yet - add one with `backorder customers add NAME`.\n")
        return
    cells = (
        (
            text(r.name),
            _or_dash(r.email),
            _or_dash(r.address),
            r.policy,
            str(r.priority),
            str(r.open_orders),
            format_money(r.owed),
        )
        for r in rows
    )
    print_table(console(), _CUSTOMER_COLUMNS, cells)


def customer_detail(detail: Any) -> None:
    c = detail.customer
    out = console()
    out.print(Text(safe_text(c.name), style="bold"))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column(overflow="fold")
    head.add_row("Email", _or_dash(c.email))
    head.add_row("Address", _or_dash(c.address))
    head.add_row("Policy", c.policy)
    head.add_row("Priority", str(c.priority))
    head.add_row("Waiting orders", str(c.open_orders))
    head.add_row("Owed", format_money(c.owed))
    out.print(head)
    if detail.orders:
        out.print()
        print_table(
            out,
            _ORDER_COLUMNS,
            (
                (
                    f"#{o.number}",
                    status_label(o.status),
                    f"#{o.backorder_of}" if o.backorder_of else "",
                    _or_dash(o.reference),
                    _or_dash(o.address),
                    o.policy,
                    format_money(o.total),
                )
                for o in detail.orders
            ),
            title="Waiting orders",
        )
    if detail.owed:
        out.print()
        print_table(
            out,
            _OWED_COLUMNS,
            (
                (f"#{o.order}", text(o.sku), format_quantity(o.quantity), format_money(o.value))
                for o in detail.owed
            ),
            title="Still owed",
        )
        total = sum((o.value for o in detail.owed), ZERO)
        out.print(f"Total owed: {format_money(total)}")
