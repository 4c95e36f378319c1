"""What a checked import document holds: plain rows, ready to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..domain.orders import Status
from ..domain.values import ZERO


@dataclass
class ProductRow:
    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal
    supplier: str = ""  # schema 4
    lead_time: int | None = None


@dataclass
class LineRow:
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    canceled: Decimal = ZERO
    # Why the canceled units not moved to a backorder were canceled (schema 6), when the
    # document says: closed short, or canceled with the order.
    closed: Decimal | None = None
    canceled_with_order: Decimal | None = None


@dataclass
class InvoiceRow:
    number: int
    created_at: datetime | None
    lines: list[tuple[str, Decimal]]  # sku, quantity (negative on a credit note)
    credit_of: int | None = None  # a credit note: the number of the invoice it credits
    reason: str = ""


@dataclass
class HistoryRow:
    """One entry of an order's history as `orders export` writes it: kept on import, so
    who did what, when and why (a correction's reason) survives the round trip."""

    at: datetime
    user: str
    event: str
    detail: str


@dataclass
class StockCountRow:
    """A stock count (`products adjust`) as `orders export` writes it."""

    sku: str
    at: datetime
    user: str
    before: Decimal
    counted: Decimal
    reason: str


@dataclass
class OrderRow:
    number: int
    customer: str
    comment: str
    status: Status
    archived: bool
    backorder_of: int | None
    created_at: datetime | None
    lines: list[LineRow] = field(default_factory=list)
    # None: the file names no invoices, so invoiced quantities get one of their own.
    invoices: list[InvoiceRow] | None = None
    history: list[HistoryRow] = field(default_factory=list)
    where: str = ""  # its place in the file, for problems found later
    # Schema 8: where to deliver, the customer's reference, its own policy (None: the
    # customer's).
    address: str | None = None
    reference: str | None = None
    policy: str | None = None


@dataclass
class ImportPlan:
    products: list[ProductRow]
    orders: list[OrderRow]
    settings: dict[str, str]
    stock_counts: list[StockCountRow] = field(default_factory=list)
    purchases: list[Any] = field(default_factory=list)  # purchases_document.PurchaseRow
    customers: list[Any] = field(default_factory=list)  # customers_document.CustomerDocRow


# Looks up which of these numbers the database already holds: kind is 'order' or 'invoice'.
Existing = Callable[[str, list[int]], set[int]]
