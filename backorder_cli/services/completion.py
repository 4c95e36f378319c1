"""What the shell offers on TAB: the order numbers a command can take, the SKUs of a
product or an order. Read-only look-ups, each bounded: a TAB on a million orders
answers at once.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String, cast
from sqlmodel import col, select

from ..domain.orders import Status, remaining
from ..domain.values import format_quantity
from ..storage.database import Database
from ..storage.models import Invoice, Order, OrderLine, Product
from .steps import _lines, _order_or_none

# At most this many suggestions: a shell shows no more usefully.
LIMIT = 200


class Takes(StrEnum):
    """Which orders a command takes."""

    ANY = "any"  # show, chain, log --order: every order, archived too
    DRAFTS = "drafts"  # orders book
    SHIPPABLE = "shippable"  # ship: booked or partially shipped, not archived
    UNINVOICED = "uninvoiced"  # invoice: shipped quantities not yet invoiced
    PARTIALLY_SHIPPED = "partially-shipped"  # create
    UNDOABLE = "undoable"  # undo: a backorder nothing was shipped from yet
    CANCELABLE = "cancelable"  # orders cancel: draft or booked, not archived
    EDITABLE = "editable"  # orders edit: draft, booked or partially shipped, not archived


def order_numbers(db: Database, takes: Takes, prefix: str = "") -> list[int]:
    """The numbers of the orders `takes` names that start with `prefix` (digits, an
    optional '#'): the newest LIMIT of them, in order."""
    digits = prefix.removeprefix("#")
    if digits and not (digits.isascii() and digits.isdigit()):
        return []
    query = select(Order.number).distinct()
    if digits:
        query = query.where(cast(col(Order.number), String).startswith(digits))
    if takes != Takes.ANY:
        query = query.where(col(Order.archived).is_(False))
    statuses = {
        Takes.DRAFTS: [Status.DRAFT],
        Takes.SHIPPABLE: [Status.BOOKED, Status.PARTIALLY_SHIPPED],
        Takes.UNINVOICED: [Status.PARTIALLY_SHIPPED, Status.SHIPPED],
        Takes.PARTIALLY_SHIPPED: [Status.PARTIALLY_SHIPPED],
        Takes.UNDOABLE: [Status.BOOKED],
        Takes.CANCELABLE: [Status.DRAFT, Status.BOOKED],
        Takes.EDITABLE: [Status.DRAFT, Status.BOOKED, Status.PARTIALLY_SHIPPED],
    }.get(takes)
    if statuses:
        query = query.where(col(Order.status).in_([s.value for s in statuses]))
    if takes == Takes.UNINVOICED:
        query = query.join(OrderLine, col(OrderLine.order_id) == col(Order.id)).where(
            col(OrderLine.shipped) > col(OrderLine.invoiced)
        )
    if takes == Takes.UNDOABLE:
        query = query.where(col(Order.backorder_of).is_not(None))
    with db.read() as session:
        newest = session.exec(query.order_by(col(Order.number).desc()).limit(LIMIT))
        return sorted(newest)


def invoice_numbers(db: Database, prefix: str = "", *, credit_notes: bool = True) -> list[int]:
    """The numbers of the invoices that start with `prefix` (digits, an optional '#'),
    the newest LIMIT of them, in order; without the credit notes for `credit`, which
    takes an invoice."""
    digits = prefix.removeprefix("#")
    if digits and not (digits.isascii() and digits.isdigit()):
        return []
    query = select(Invoice.number)
    if digits:
        query = query.where(cast(col(Invoice.number), String).startswith(digits))
    if not credit_notes:
        query = query.where(col(Invoice.credit_of).is_(None))
    with db.read() as session:
        return sorted(session.exec(query.order_by(col(Invoice.number).desc()).limit(LIMIT)))


def skus(db: Database, prefix: str = "") -> list[str]:
    """The SKUs of the catalogue that start with `prefix` (as typed: the shell matches
    case), at most LIMIT."""
    query = select(Product.sku).order_by(col(Product.sku)).limit(LIMIT)
    if prefix:
        query = query.where(col(Product.sku).startswith(prefix, autoescape=True))
    with db.read() as session:
        return list(session.exec(query))


def remaining_items(db: Database, number: int) -> list[str]:
    """What is left to ship on an order, as `SKU=QTY` (its whole remaining quantity)."""
    with db.read() as session:
        order = _order_or_none(session, number)
        if order is None:
            return []
        return [
            f"{line.sku}={format_quantity(remaining(line))}"
            for line in _lines(session, order)
            if remaining(line) > 0
        ]


def customer_names(db: Database, prefix: str = "") -> list[str]:
    """The registered customers whose name starts with `prefix`, ignoring case (a name
    is found casefolded everywhere), at most LIMIT."""
    from ..domain.customers import name_key
    from ..storage.models import Customer

    query = select(Customer.name).order_by(col(Customer.name_key)).limit(LIMIT)
    if prefix:
        query = query.where(col(Customer.name_key).startswith(name_key(prefix), autoescape=True))
    with db.read() as session:
        return list(session.exec(query))
