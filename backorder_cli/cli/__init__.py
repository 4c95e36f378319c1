"""The command-line apps: `backorder` and `orders` (the same as `backorder orders`)."""

from __future__ import annotations

from . import delivery, orders, products, settings, workflow
from .app import make_app, root_callback

app = make_app(
    help="Keep sales orders: ship, invoice, and split undeliverable orders into backorders."
)
app.callback()(root_callback)
workflow.register(app)
delivery.register(app)

orders_app = make_app(help="List, show, add and book orders.")
orders.register(orders_app)
app.add_typer(orders_app, name="orders")
products.register_products(app)
settings.register_settings(app)

# The `orders` script: the orders commands with the root options of their own.
orders_script = make_app(help="List, show, add and book orders (same as `backorder orders`).")
orders_script.callback()(root_callback)
orders.register(orders_script)


def main() -> None:
    app(prog_name="backorder")


def orders_main() -> None:
    orders_script(prog_name="orders")
