"""The plain results the use cases return and the CLI renders (what reading orders
returns is in views.py: `orders show` and `orders list` import only those)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..domain import values
from ..domain.backorders import Move


@dataclass(frozen=True)
class ProductView:
    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal


@dataclass(frozen=True)
class ShipmentResult:
    number: int
    status: str
    shipped: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class InvoiceResult:
    order: int
    number: int
    total: Decimal
    lines: list[tuple[str, Decimal, Decimal]]  # sku, quantity, amount


@dataclass(frozen=True)
class BackorderPreview:
    number: int
    customer: str
    next_number: int
    moves: list[Move]
    to_invoice: list[tuple[str, Decimal, Decimal]]  # sku, quantity, amount

    @property
    def invoice_total(self) -> Decimal:
        return sum((amount for _sku, _qty, amount in self.to_invoice), values.ZERO)


@dataclass(frozen=True)
class BackorderResult:
    original: int
    backorder: int
    moves: list[Move]
    invoice: InvoiceResult | None


@dataclass(frozen=True)
class ImportResult:
    products: int
    orders: int
    invoices: int
    settings: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BackorderOutcome:
    """One order of a bulk `create`: done (with its new number) or refused (why)."""

    order: int
    ok: bool
    backorder: int | None = None
    invoice: int | None = None  # made first, with --invoice
    invoice_total: Decimal | None = None
    error: str | None = None


@dataclass(frozen=True)
class InvoiceOutcome:
    order: int
    ok: bool
    invoice: int | None = None
    total: Decimal | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReadyOutcome:
    """One order's result of `ship_ready`."""

    order: int
    ok: bool
    cover: str
    status: str | None = None
    shipped: list[tuple[str, Decimal]] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class UndoPreview:
    number: int
    origin: int
    customer: str
    lines: list[tuple[str, Decimal]]  # sku, quantity going back


@dataclass(frozen=True)
class UndoResult:
    number: int
    origin: int
    origin_status: str
    lines: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class ChainLink:
    """One order of a backorder chain, with what it still waits for."""

    number: int
    status: str
    archived: bool
    customer: str
    backorder_of: int | None
    created_at: datetime
    remaining: list[tuple[str, Decimal]]  # sku, remaining > 0, in line order


@dataclass(frozen=True)
class ReportRow:
    """One row of `backorder report`: a SKU, a customer or an age band."""

    key: str
    orders: int
    lines: int
    value: Decimal  # open backordered quantities at their unit prices
    quantity: Decimal | None = None  # by SKU only: open backordered quantity
    name: str | None = None  # by SKU only
    on_hand: Decimal | None = None  # by SKU only
    shortfall: Decimal | None = None  # by SKU only: what to buy
    oldest_days: int | None = None  # by customer only


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    user: str
    order: int
    event: str
    detail: str
