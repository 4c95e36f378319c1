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
class FollowUpResult:
    """What an order's fulfilment policy did after its shipment (`domain.policies`):
    `action` is none, backordered, closed or forced (shipped in part with --force);
    `rest` what was left to follow (moved to the backorder, closed, or still waiting);
    a backorder's number and the invoice of what shipped."""

    policy: str
    action: str
    rest: list[tuple[str, Decimal]] = field(default_factory=list)
    backorder: int | None = None
    invoice: int | None = None
    invoice_total: Decimal | None = None


NO_FOLLOW_UP = FollowUpResult("manual", "none")


@dataclass(frozen=True)
class ShipmentResult:
    number: int
    status: str
    shipped: list[tuple[str, Decimal]]
    then: FollowUpResult = NO_FOLLOW_UP


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
    code: str | None = None  # the refusal's stable name (`BackorderError.code`)


@dataclass(frozen=True)
class InvoiceOutcome:
    order: int
    ok: bool
    invoice: int | None = None
    total: Decimal | None = None
    error: str | None = None
    code: str | None = None  # the refusal's stable name (`BackorderError.code`)


@dataclass(frozen=True)
class InvoicePreview:
    """What `invoice` would bill an order: `invoice --dry-run` and the question of
    `invoice --all`."""

    order: int
    customer: str
    lines: list[tuple[str, Decimal, Decimal]]  # sku, quantity, amount

    @property
    def total(self) -> Decimal:
        return sum((amount for _sku, _qty, amount in self.lines), values.ZERO)


@dataclass(frozen=True)
class InvoiceSummary:
    """One row of `invoices list`: an invoice, or a credit note (`credit_of` is then the
    number of the invoice it credits, its total negative)."""

    number: int
    kind: str  # "invoice" or "credit"
    order: int
    customer: str
    credit_of: int | None
    total: Decimal
    created_at: datetime
    reason: str


@dataclass(frozen=True)
class InvoiceLineView:
    sku: str
    name: str
    unit: str
    quantity: Decimal  # negative on a credit note
    unit_price: Decimal
    amount: Decimal  # negative on a credit note


@dataclass(frozen=True)
class InvoiceDetail:
    """`invoices show`: the document, its lines, and for an invoice the credit notes
    of it and what it still bills (`net`: its total less what they gave back)."""

    number: int
    kind: str
    order: int
    customer: str
    credit_of: int | None
    total: Decimal
    created_at: datetime
    reason: str
    lines: list[InvoiceLineView]
    credit_notes: list[int]
    net: Decimal


@dataclass(frozen=True)
class CreditPreview:
    """What `credit_invoice` would write: the credit note's next number and its lines
    (SKU, quantity, amount, as positive numbers given back)."""

    invoice: int
    order: int
    customer: str
    next_number: int
    lines: list[tuple[str, Decimal, Decimal]]

    @property
    def total(self) -> Decimal:
        return -sum((amount for _sku, _q, amount in self.lines), values.ZERO)


@dataclass(frozen=True)
class CreditResult:
    """A credit note written: its lines and total are negative."""

    number: int
    invoice: int
    order: int
    order_status: str
    reason: str
    total: Decimal
    lines: list[tuple[str, Decimal, Decimal]]


@dataclass(frozen=True)
class ReadyOutcome:
    """One order's result of `ship_ready`."""

    order: int
    ok: bool
    cover: str
    status: str | None = None
    shipped: list[tuple[str, Decimal]] = field(default_factory=list)
    error: str | None = None
    code: str | None = None  # the refusal's stable name (`BackorderError.code`)
    then: FollowUpResult = NO_FOLLOW_UP


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
    # By SKU only: what to buy (`suggest`'s number: the demand of every waiting order,
    # less on hand and incoming), with that demand and what open purchases bring.
    shortfall: Decimal | None = None
    oldest_days: int | None = None  # by customer only
    waiting: Decimal | None = None  # by SKU only
    incoming: Decimal | None = None  # by SKU only


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    user: str
    order: int | None  # None: a change of no order (a product, a setting, a stock count)
    event: str
    detail: str


@dataclass(frozen=True)
class Correction:
    """What a correction of an order did (or, in a dry run, would do): `action` is
    canceled, closed, edited or unshipped; `lines` the (SKU, quantity) it concerns;
    `changes` what an edit changed, in words."""

    number: int
    action: str
    status: str
    total: Decimal
    lines: list[tuple[str, Decimal]]
    reason: str
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StockCount:
    """A stock count (`products adjust`): stock on hand from `before` to `counted`."""

    sku: str
    unit: str
    before: Decimal
    counted: Decimal
    difference: Decimal
    reason: str


@dataclass(frozen=True)
class SeriesMove:
    """`settings set next-order-number`: the next new order's number, from `before` to
    `after` (the numbers between are never used)."""

    before: int
    after: int


@dataclass(frozen=True)
class PlacedOrder:
    """A new order (`orders add`): its number, its customer's registered name, and
    whether this order registered that customer (the CLI says so)."""

    number: int
    customer: str
    customer_created: bool


@dataclass(frozen=True)
class CustomerSummary:
    """A customer in `customers list`: the register's fields, how many of its orders
    wait (booked or partially shipped, not archived) and what they still owe it."""

    name: str
    email: str | None
    address: str | None
    policy: str
    priority: int
    open_orders: int
    owed: Decimal


@dataclass(frozen=True)
class OwedLine:
    order: int
    sku: str
    quantity: Decimal  # still to deliver
    value: Decimal  # the part of the line's amount those units stand for


@dataclass(frozen=True)
class OpenOrder:
    number: int
    status: str
    backorder_of: int | None
    address: str | None
    reference: str | None
    policy: str  # the order's own, else its customer's
    total: Decimal


@dataclass(frozen=True)
class CustomerDetail:
    """`customers show`: the customer, its waiting orders, and every line still owed."""

    customer: CustomerSummary
    orders: list[OpenOrder]
    owed: list[OwedLine]


@dataclass(frozen=True)
class CustomerChange:
    """What `customers add` or `customers edit` did (or, in a dry run, would do)."""

    name: str
    added: bool
    changes: list[str]
    orders_updated: int  # orders whose copy of the name or priority changed
