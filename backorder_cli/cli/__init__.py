"""The command-line apps: `backorder` and `orders` (the same as `backorder orders`).

Each family of commands registers itself (`commands/*.register`); the tables below say
which module holds which command, so that a command imports only its own module, and
Typer builds only that command, when it runs (`lazy.py`). Commands import their service
module when they run, so start-up stays cheap.
"""

from __future__ import annotations

from .app import root_callback
from .lazy import lazy_app

# Command name -> the module in cli/commands/ whose `register(app)` adds it (or
# "module:function"). A new command is added by its module's `register` and listed here,
# in the order help shows them (tests/cli/test_lazy_commands.py checks both agree).
COMMANDS = {
    "init": "transfer",
    "import": "transfer",
    "ship": "fulfilment",
    "invoice": "fulfilment",
    "credit": "invoices",
    "ready": "fulfilment",
    "create": "backorders",
    "undo": "backorders",
    "close": "corrections",
    "unship": "corrections",
    "chain": "backorders",
    "check": "integrity",
    "migrate": "integrity",
    "report": "reports",
    "suggest": "supply",
    "log": "reports",
    "statement": "letters",
    "notice": "letters",
    "products": "catalogue",
    "customers": "customers",
    "purchases": "purchases",
    "invoices": "invoices:register_group",
    "settings": "catalogue",
}
# `backorder orders ...` and the `orders` script.
ORDERS_COMMANDS = {
    "add": "orders",
    "book": "orders",
    "list": "orders",
    "show": "orders",
    "cancel": "corrections:register_orders",
    "edit": "corrections:register_orders",
    "export": "transfer:register_export",
}

app = lazy_app(
    COMMANDS,
    help="Keep sales orders: ship, invoice, and split undeliverable orders into backorders.",
)
app.callback()(root_callback)

orders_app = lazy_app(
    ORDERS_COMMANDS, help="List, show, add, book, cancel, edit and export orders."
)
app.add_typer(orders_app, name="orders")

# The `orders` script: the orders commands with the root options of their own.
orders_script = lazy_app(
    ORDERS_COMMANDS,
    help="List, show, add, book, cancel, edit and export orders (same as `backorder orders`).",
)
orders_script.callback()(root_callback)


def main() -> None:
    app(prog_name="backorder")


def orders_main() -> None:
    orders_script(prog_name="orders")
