"""Every table, in one module (SQLModel's recommended layout).

Quantities and money are `Decimal` in Python and scaled integers in the database
(`ScaledDecimal`): SQLite has no decimal type, and an integer count of thousandths is
exact, sortable and summable on SQLite and PostgreSQL alike. Nothing is ever a float.

No `from __future__ import annotations` here: with real annotations, SQLModel and
SQLAlchemy need not evaluate a string per field when the tables are built, which every
command pays at start-up (about 15 % of this module's import; bench/NOTES.md). A field's
type must therefore exist when its line runs (quote a forward reference).
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, Index, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel
from sqlmodel._compat import SQLModelConfig  # the type of model_config (not re-exported)

from ..domain.values import MONEY_PLACES, PRICE_PLACES, QUANTITY_PLACES
from ..errors import DatabaseProblem


class Table(SQLModel):
    """The base of every table: pydantic's validators are built on first use, not at
    import (table models are never validated on construction; a command that reads
    two orders must not pay for building them all)."""

    model_config = SQLModelConfig(defer_build=True)


# Bumped with every migration in migrations/versions; meta.schema_version holds it.
SCHEMA_VERSION = 7


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of places, stored as an integer (2.5 -> 2500)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: object) -> int | None:
        if value is None:
            return None
        # Bulk writes send hundreds of thousands of these: no copy of a Decimal.
        scaled = (value if type(value) is Decimal else Decimal(value)).scaleb(self.places)
        whole = int(scaled)
        if scaled != whole:
            # Input parsing refuses such values first; this guards every other path.
            raise ValueError(f"{value} has more than {self.places} decimal places")
        return whole

    def process_result_value(self, value: int | None, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).scaleb(-self.places)


Quantity = ScaledDecimal(QUANTITY_PLACES)
Price = ScaledDecimal(PRICE_PLACES)
Money = ScaledDecimal(MONEY_PLACES)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, stored as naive UTC (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("datetimes must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """SQLite keeps dates as text, which another tool can edit into anything: a value
        that is not a date is a refusal naming it, not a crash."""
        process = super().result_processor(dialect, coltype)
        if process is None:  # pragma: no cover - every dialect converts dates
            return None

        def read(value: Any) -> datetime | None:
            try:
                return process(value)
            except (ValueError, TypeError, OverflowError):
                shown = repr(value if len(str(value)) <= 40 else f"{str(value)[:40]}...")
                raise DatabaseProblem(
                    f"a stored date {shown} cannot be read: the database was edited by hand - "
                    "find the rows with `backorder check`"
                ) from None

        return read


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Meta(Table, table=True):
    """Facts about the database itself: its schema version."""

    key: str = Field(primary_key=True)
    value: str


class Counter(Table, table=True):
    """The last number handed out in a series ('order', 'invoice'). Numbers only go up,
    so a number is never reused, whatever was deleted or imported."""

    name: str = Field(primary_key=True)
    value: int = Field(sa_type=BigInteger)


class Setting(Table, table=True):
    key: str = Field(primary_key=True)
    value: str


class Product(Table, table=True):
    __table_args__ = (
        CheckConstraint("stock >= 0", name="ck_product_stock_not_negative"),
        CheckConstraint("price >= 0", name="ck_product_price_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, index=True)
    name: str
    unit: str = "pcs"
    price: Decimal = Field(default=Decimal(0), sa_type=Price)
    stock: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    # Schema 7 (migration 0007): who the product is bought from, and how many days an
    # order to them takes to arrive (`suggest`).
    supplier: str = ""
    lead_time: int | None = None


class Order(Table, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # The list's default view and its filters walk these, newest number first.
        Index("ix_orders_archived_number", "archived", "number"),
        Index("ix_orders_status_archived_number", "status", "archived", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(sa_type=BigInteger, unique=True)
    customer: str
    comment: str = ""
    status: str
    archived: bool = False
    # The number of the order this one is a backorder of.
    backorder_of: int | None = Field(default=None, sa_type=BigInteger, index=True)
    # Kept in step with the lines by every change (services._refresh), so that listing
    # orders needs no line at all.
    total: Decimal = Field(default=Decimal(0), sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class OrderLine(Table, table=True):
    __tablename__ = "order_lines"
    # The database refuses impossible lines too (migration 0002), whatever writes them.
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        CheckConstraint(
            "shipped >= 0 AND invoiced >= 0 AND canceled >= 0",
            name="ck_order_lines_amounts_not_negative",
        ),
        CheckConstraint("invoiced <= shipped", name="ck_order_lines_invoiced_within_shipped"),
        CheckConstraint(
            "shipped + canceled <= quantity", name="ck_order_lines_delivered_within_quantity"
        ),
        CheckConstraint("unit_price >= 0", name="ck_order_lines_unit_price_not_negative"),
        # Schema 3 (migration 0003): the money of a line.
        CheckConstraint(
            "amount >= 0 AND backordered_amount >= 0", name="ck_order_lines_money_not_negative"
        ),
        CheckConstraint(
            "backordered >= 0 AND backordered <= canceled",
            name="ck_order_lines_backordered_within_canceled",
        ),
        # Schema 6 (migration 0006): why each canceled unit was canceled, and its money.
        CheckConstraint(
            "closed >= 0 AND canceled_with_order >= 0 AND canceled_amount >= 0",
            name="ck_order_lines_corrections_not_negative",
        ),
        CheckConstraint(
            "canceled = backordered + closed + canceled_with_order",
            name="ck_order_lines_canceled_adds_up",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    position: int
    sku: str
    name: str
    unit: str = "pcs"
    quantity: Decimal = Field(sa_type=Quantity)
    shipped: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    invoiced: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    canceled: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    unit_price: Decimal = Field(sa_type=Price)
    # What the line still stands for (neither canceled nor moved to a backorder): its
    # quantity times its price rounded once, less the exact parts it gave away. Its
    # invoices add up to it (domain.share).
    amount: Decimal = Field(default=Decimal(0), sa_type=Money)
    # The part of `canceled` that moved to backorders, and the amount that left with it.
    backordered: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    backordered_amount: Decimal = Field(default=Decimal(0), sa_type=Money)
    # The rest of `canceled` (schema 6): closed short (`backorder close`) and canceled
    # with the whole order (`orders cancel`, an undone backorder), and the money that
    # left with those units: amount + backordered_amount + canceled_amount is the line's
    # whole value.
    closed: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    canceled_with_order: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    canceled_amount: Decimal = Field(default=Decimal(0), sa_type=Money)


class Invoice(Table, table=True):
    """An invoice, or (schema 4) a credit note: `credit_of` is then the id of the
    invoice it gives back (part of), `reason` says why, and its lines and total are
    negative."""

    __tablename__ = "invoices"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(sa_type=BigInteger, unique=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    total: Decimal = Field(sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    credit_of: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    reason: str = Field(default="", sa_column_kwargs={"server_default": ""})


class InvoiceLine(Table, table=True):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        UniqueConstraint("invoice_id", "line_id"),
        # A credit note's lines are negative (schema 4); no line is ever zero.
        CheckConstraint("quantity <> 0", name="ck_invoice_lines_quantity_not_zero"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    line_id: int = Field(foreign_key="order_lines.id", index=True)
    quantity: Decimal = Field(sa_type=Quantity)
    amount: Decimal = Field(sa_type=Money)


class History(Table, table=True):
    """One entry per change: when, who (the OS user), what. An order's entries name the
    order; a product's or a setting's have no order and name their `subject` (the SKU,
    the setting's key)."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    user: str = ""
    event: str
    detail: str = ""
    subject: str = ""


class StockAdjustment(Table, table=True):
    """A stock count (`products adjust`, schema 6): stock on hand set from `before` to
    `counted`, the difference and why, when and by whom."""

    __tablename__ = "stock_adjustments"
    __table_args__ = (
        CheckConstraint("counted >= 0", name="ck_stock_adjustments_counted_not_negative"),
        CheckConstraint(
            "difference = counted - before", name="ck_stock_adjustments_difference_adds_up"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    user: str = ""
    before: Decimal = Field(sa_type=Quantity)
    counted: Decimal = Field(sa_type=Quantity)
    difference: Decimal = Field(sa_type=Quantity)
    reason: str


class Purchase(Table, table=True):
    """Incoming supply (schema 7): a purchase order to a supplier, expected on a day."""

    __tablename__ = "purchases"
    __table_args__ = (Index("ix_purchases_status_expected", "status", "expected"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(sa_type=BigInteger, unique=True)
    supplier: str
    expected: date = Field(sa_type=Date)
    comment: str = ""
    status: str  # open, received, canceled (domain.supply.purchase_status)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class PurchaseLine(Table, table=True):
    __tablename__ = "purchase_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_purchase_lines_quantity_positive"),
        CheckConstraint(
            "received >= 0 AND canceled >= 0", name="ck_purchase_lines_amounts_not_negative"
        ),
        CheckConstraint(
            "received + canceled <= quantity", name="ck_purchase_lines_within_quantity"
        ),
        CheckConstraint("unit_cost >= 0", name="ck_purchase_lines_unit_cost_not_negative"),
        # What is incoming of a SKU: its open lines.
        Index("ix_purchase_lines_sku", "sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(foreign_key="purchases.id", index=True)
    position: int
    sku: str
    quantity: Decimal = Field(sa_type=Quantity)
    received: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    canceled: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    unit_cost: Decimal = Field(default=Decimal(0), sa_type=Price)


class PurchaseHistory(Table, table=True):
    """One entry per change to a purchase: when, who, what."""

    __tablename__ = "purchase_history"

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(foreign_key="purchases.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    user: str = ""
    event: str
    detail: str = ""
