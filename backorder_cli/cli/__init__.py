"""The command-line apps: `backorder` and `orders` (the same as `backorder orders`).

Each family of commands registers itself (`commands/*.register`); commands import their
service module when they run, so start-up stays cheap.
"""

from __future__ import annotations

from .app import make_app, root_callback
from .commands import (
    backorders,
    catalogue,
    corrections,
    fulfilment,
    integrity,
    invoices,
    orders,
    reports,
    transfer,
)

app = make_app(
    help="Keep sales orders: ship, invoice, and split undeliverable orders into backorders."
)
app.callback()(root_callback)
for family in (transfer, fulfilment, backorders, corrections, integrity, reports, catalogue):
    family.register(app)

orders_app = make_app(help="List, show, add and book orders.")
orders.register(orders_app)
corrections.register_orders(orders_app)
transfer.register_export(orders_app)
app.add_typer(orders_app, name="orders")

invoices.register(app)
invoices_app = make_app(help="List and show invoices and credit notes.")
invoices.register_invoices(invoices_app)
app.add_typer(invoices_app, name="invoices")

# The `orders` script: the orders commands with the root options of their own.
orders_script = make_app(help="List, show, add and book orders (same as `backorder orders`).")
orders_script.callback()(root_callback)
orders.register(orders_script)
corrections.register_orders(orders_script)
transfer.register_export(orders_script)


def main() -> None:
    app(prog_name="backorder")


def orders_main() -> None:
    orders_script(prog_name="orders")
