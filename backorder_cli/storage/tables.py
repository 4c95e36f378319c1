"""The tables the read paths of `orders show` and `orders list` use, as plain SQLAlchemy
Core tables: building them costs a small part of what SQLModel's classes in `models`
cost (bench/NOTES.md), which every such command would pay at start-up.

`models` stays the schema: migrations, `init` and every write use its classes. These
mirror the columns the reads need, with the same names, types and order;
`tests/integration/test_core_tables.py` fails when one disagrees with its model.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, MetaData, Table
from sqlmodel.sql.sqltypes import AutoString

from .types import Money, Price, Quantity, UtcDateTime

METADATA = MetaData()


def _text(name: str, *, nullable: bool = False) -> Column[str]:
    return Column(name, AutoString(), nullable=nullable)


ORDERS = Table(
    "orders",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", BigInteger, nullable=False),
    _text("customer"),
    _text("comment"),
    _text("status"),
    Column("archived", Boolean, nullable=False),
    Column("backorder_of", BigInteger, nullable=True),
    Column("total", Money, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("customer_id", Integer, nullable=False),
    _text("address", nullable=True),
    _text("reference", nullable=True),
    _text("policy", nullable=True),
    Column("priority", Integer, nullable=False),
)

# Schema 8: the register, for the policy `orders show` names.
CUSTOMERS = Table(
    "customers",
    METADATA,
    Column("id", Integer, primary_key=True),
    _text("name"),
    _text("name_key"),
    _text("email", nullable=True),
    _text("address", nullable=True),
    _text("policy"),
    Column("priority", Integer, nullable=False),
)

LINES = Table(
    "order_lines",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    _text("sku"),
    _text("name"),
    _text("unit"),
    Column("quantity", Quantity, nullable=False),
    Column("shipped", Quantity, nullable=False),
    Column("invoiced", Quantity, nullable=False),
    Column("canceled", Quantity, nullable=False),
    Column("unit_price", Price, nullable=False),
    Column("amount", Money, nullable=False),
    Column("backordered", Quantity, nullable=False),
    Column("backordered_amount", Money, nullable=False),
    Column("closed", Quantity, nullable=False),
    Column("canceled_with_order", Quantity, nullable=False),
    Column("canceled_amount", Money, nullable=False),
)

INVOICES = Table(
    "invoices",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", BigInteger, nullable=False),
    Column("order_id", Integer, nullable=False),
    Column("total", Money, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("credit_of", Integer, nullable=True),
    _text("reason"),
)

HISTORY = Table(
    "history",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    _text("user"),
    _text("event"),
    _text("detail"),
    _text("subject"),
)

# Schema 7: what the promise dates of `orders show` read (`services.waiting`).
PRODUCTS = Table(
    "product",
    METADATA,
    Column("id", Integer, primary_key=True),
    _text("sku"),
    _text("name"),
    _text("unit"),
    Column("price", Price, nullable=False),
    Column("stock", Quantity, nullable=False),
    _text("supplier"),
    Column("lead_time", Integer, nullable=True),
)

PURCHASES = Table(
    "purchases",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("number", BigInteger, nullable=False),
    _text("supplier"),
    Column("expected", Date, nullable=False),
    _text("comment"),
    _text("status"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

PURCHASE_LINES = Table(
    "purchase_lines",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("purchase_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    _text("sku"),
    Column("quantity", Quantity, nullable=False),
    Column("received", Quantity, nullable=False),
    Column("canceled", Quantity, nullable=False),
    Column("unit_cost", Price, nullable=False),
)
