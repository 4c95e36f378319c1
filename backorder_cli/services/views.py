"""What reading orders returns: the plain views `orders list` and `orders show` render.

Apart from results.py so that those commands define only the types they use (each
dataclass costs a little at start-up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class LineView:
    sku: str
    name: str
    unit: str
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal
    canceled: Decimal
    remaining: Decimal
    unit_price: Decimal
    # The promise date of a waiting line (domain.supply): when, from what, and what no
    # known supply covers when there is none. None on a line that does not wait.
    eta: date | None = None
    eta_source: str | None = None
    short: Decimal | None = None


@dataclass(frozen=True)
class InvoiceView:
    number: int
    total: Decimal
    created_at: datetime
    credit_of: int | None = None  # a credit note: the number of the invoice it credits


@dataclass(frozen=True)
class HistoryView:
    at: datetime
    user: str
    event: str
    detail: str


@dataclass(frozen=True)
class OrderSummary:
    number: int
    status: str
    archived: bool
    customer: str
    total: Decimal
    backorder_of: int | None
    eta: date | None = None  # filled only where the listing asks for it


@dataclass(frozen=True)
class OrderDetail:
    number: int
    status: str
    archived: bool
    customer: str
    comment: str
    backorder_of: int | None
    backorders: list[int]
    created_at: datetime
    total: Decimal
    lines: list[LineView]
    invoices: list[InvoiceView]
    history: list[HistoryView]
    chain: list[int] = field(default_factory=list)  # the backorder chain, oldest first
    eta: date | None = None  # the latest of its waiting lines' ETAs; None if one has none
    # Schema 8: where it goes, the customer's reference, the policy that applies (its
    # own, else its customer's) and its place in the allocation (the customer's).
    address: str | None = None
    reference: str | None = None
    policy: str = "manual"
    priority: int = 0
