"""Backorders: what a split moves, how it is undone, the chain of orders, and how waiting
lines share the stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Generic

from ..errors import NotAllowed
from .allocation import Q as Q
from .allocation import allocate_lines as allocate_lines
from .chains import backorder_loop as backorder_loop
from .chains import chain_of as chain_of
from .orders import L, Status, ensure_changeable, remaining, uninvoiced
from .values import ZERO, quantity_text

if TYPE_CHECKING:
    from .orders import LineLike, OrderLike


@dataclass(frozen=True)
class Move:
    """One line of a backorder: what leaves the original and opens on the new order."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class BackorderPlan(Generic[L]):
    number: int
    moves: list[Move]
    # Shipped, not invoiced quantities that --invoice bills before the cancellation.
    to_invoice: list[tuple[L, Decimal]]


def confirmation_text(number: int) -> str:
    """The question the user confirms, in Rackbeat's words."""
    return f"This will cancel order no. #{number} and create a new one for the undelivered items."


def backorder_comment(origin: int, comment: str = "") -> str:
    text = f"Backorder from order #{origin}"
    return f"{text}. {comment}" if comment else text


def plan_backorder(
    order: OrderLike,
    lines: Sequence[L],
    *,
    inventory_value_on_invoicing: bool,
    invoice_first: bool,
    backordered_as: int | None,
) -> BackorderPlan[L]:
    """Decide whether `order` can be split into a backorder, and what moves.

    The checks run in the documented order (setting, canceled, partially shipped,
    invoiced) and the first that fails is the refusal.
    """
    n = order.number
    if inventory_value_on_invoicing:
        raise NotAllowed(
            "backorders are not possible while inventory value is associated with invoicing - "
            "turn it off with `backorder settings set inventory-value-on-invoicing off`",
            code="inventory_value_on_invoicing",
        )
    if order.status == Status.CANCELED:
        if backordered_as is not None:
            raise NotAllowed(
                f"order #{n} is already backordered as #{backordered_as} - "
                f"see it with `backorder orders show {backordered_as}`",
                code="already_backordered",
            )
        raise NotAllowed(
            f"order #{n} is canceled - there is nothing left to backorder", code="canceled"
        )
    if order.archived:
        raise NotAllowed(
            f"order #{n} is archived - there is nothing left to backorder", code="archived"
        )
    status = Status(order.status)
    if status != Status.PARTIALLY_SHIPPED:
        if status == Status.DRAFT:
            raise NotAllowed(
                f"order #{n} is a draft with nothing shipped - a backorder is made from a "
                f"partially shipped order; book it with `backorder orders book {n}`, then "
                f"ship what you can with `backorder ship {n} --available`",
                code="not_partially_shipped",
            )
        if status == Status.BOOKED:
            raise NotAllowed(
                f"order #{n} has nothing shipped yet (status booked) - a backorder is made "
                f"from a partially shipped order; ship what you can first with "
                f"`backorder ship {n} --available`",
                code="not_partially_shipped",
            )
        then = (
            f"invoice it with `backorder invoice {n}`"
            if status == Status.SHIPPED
            else f"see it with `backorder orders show {n}`"
        )
        raise NotAllowed(
            f"order #{n} is fully shipped (status {status.label}), so nothing is left to "
            f"backorder - no backorder is needed; {then}",
            code="not_partially_shipped",
        )
    to_invoice = [(line, billable) for line in lines if (billable := uninvoiced(line)) > 0]
    if to_invoice and not invoice_first:
        raise NotAllowed(
            f"order #{n} has shipped items that are not invoiced, and invoices cannot be "
            f"created for a canceled order - run `backorder invoice {n}` first, or pass --invoice",
            code="not_invoiced",
        )
    moves = [
        Move(line.sku, line.name, line.unit, left, line.unit_price)
        for line in lines
        if (left := remaining(line)) > 0
    ]
    return BackorderPlan(number=n, moves=moves, to_invoice=to_invoice)


# What comes next: which waiting orders stock on hand can now cover, undoing a backorder
# made by mistake, and how old the waiting is.


@dataclass(frozen=True)
class Allocation:
    """What stock on hand covers of one waiting order: whole lines only."""

    number: int
    customer: str
    backorder_of: int | None
    created_at: datetime  # waiting since: a backorder's chain's first order, else its own
    ship: list[tuple[int, str, Decimal]]  # (position, sku, quantity): each a whole line
    waiting: list[tuple[int, str, Decimal]]  # lines stock does not cover

    @property
    def cover(self) -> str:
        return "partial" if self.waiting else "full"


def plan_ready_shipment(
    order: OrderLike,
    lines: Sequence[L],
    planned: list[tuple[int, str, Decimal]],
    stock: dict[str, Decimal],
) -> list[tuple[L, Decimal]]:
    """Recheck an allocation against the order as it is now (inside the shipment's
    transaction): every planned line must still need exactly that, and stock cover it."""
    ensure_changeable(order, "be shipped")
    n = order.number
    left = dict(stock)
    plan = []
    for position, sku, quantity in planned:
        line = lines[position - 1] if 0 < position <= len(lines) else None
        if line is None or line.sku != sku or remaining(line) != quantity:
            raise NotAllowed(
                f"order #{n} changed since it was listed - run `backorder ready` again",
                code="changed",
            )
        if left.get(sku, ZERO) < quantity:
            raise NotAllowed(
                f"stock of {sku} no longer covers order #{n} - run `backorder ready` again",
                code="changed",
            )
        left[sku] -= quantity
        plan.append((line, quantity))
    return plan


def undo_confirmation_text(number: int, origin: int) -> str:
    return f"This will cancel backorder no. #{number} and give its items back to order #{origin}."


def undone_comment(origin: int, reason: str) -> str:
    return f"Backorder from order #{origin}, undone ({reason}): its items went back to #{origin}"


def plan_undo(
    backorder: OrderLike,
    backorder_of: int | None,
    lines: Sequence[LineLike],
    *,
    invoiced: bool,
    origin: OrderLike | None,
    origin_lines: Sequence[L],
    undone_at: datetime | None = None,
) -> list[tuple[L, Decimal]]:
    """Decide whether a backorder can be undone, and which origin line gets back what.

    Only a backorder with no shipment and no invoice, whose origin is still the
    canceled, archived order it came from. Returns (origin line, quantity given back):
    each backorder line returns to origin lines of its SKU and price, in line order.
    """
    n = backorder.number
    if backorder_of is None and undone_at is not None:
        # Undoing unlinks it: say what happened to it rather than "not a backorder".
        raise NotAllowed(
            f"backorder #{n} was already undone on "
            f"{undone_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC - there is nothing left to undo "
            f"(`backorder orders show {n}` shows its history)",
            code="already_undone",
        )
    if backorder_of is None:
        raise NotAllowed(
            f"order #{n} is not a backorder - only a backorder can be undone "
            "(`backorder chain` shows where an order came from)",
            code="not_a_backorder",
        )
    if backorder.status == Status.CANCELED:
        raise NotAllowed(f"backorder #{n} is canceled - there is nothing to undo", code="canceled")
    if any(line.shipped > 0 for line in lines):
        how = "in part" if any(remaining(line) > 0 for line in lines) else "in full"
        raise NotAllowed(
            f"backorder #{n} is already shipped {how} - a shipped backorder cannot be undone",
            code="already_shipped",
        )
    if invoiced:
        raise NotAllowed(
            f"backorder #{n} is already invoiced - it cannot be undone", code="already_invoiced"
        )
    if any(line.canceled > 0 for line in lines):
        # What was closed short no longer exists to give back (`backorder close`).
        raise NotAllowed(
            f"backorder #{n} was closed short in part - a closed backorder cannot be undone",
            code="closed_short",
        )
    if origin is None or origin.status != Status.CANCELED:
        raise NotAllowed(
            f"order #{backorder_of}, which #{n} came from, is no longer canceled - "
            "the backorder cannot be undone",
            code="origin_not_canceled",
        )
    taken = {id(line): ZERO for line in origin_lines}
    plan: list[tuple[L, Decimal]] = []
    for line in lines:
        due = line.quantity - line.canceled
        for source in origin_lines:
            if due <= 0:
                break
            if source.sku != line.sku or source.unit_price != line.unit_price:
                continue
            # Only what was moved to backorders goes back, not what was canceled before.
            back = min(due, source.backordered - taken[id(source)])
            if back > 0:
                taken[id(source)] += back
                plan.append((source, back))
                due -= back
        if due > 0:
            raise NotAllowed(
                f"order #{backorder_of} did not cancel {quantity_text(line.sku, due)} - "
                f"backorder #{n} cannot be given back; check the database with `backorder check`",
                code="inconsistent",
            )
    return plan


class ReportBy(StrEnum):
    """What the backorder report groups by."""

    SKU = "sku"  # with stock on hand and the shortfall: what to buy
    CUSTOMER = "customer"
    AGE = "age"  # in the bands of AGE_BUCKETS


AGE_BUCKETS: list[tuple[str, int, int | None]] = [
    ("0-7 days", 0, 7),
    ("8-30 days", 8, 30),
    ("31-90 days", 31, 90),
    ("over 90 days", 91, None),
]


def age_bucket(days: int) -> str:
    """The report's age band of something `days` old (whole days since it was made)."""
    for label, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][0]  # made "in the future" (a clock ahead): counts as new
