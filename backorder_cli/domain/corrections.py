"""Corrections: cancel an order, close the rest of its lines short, edit it, take back a
shipment, and count stock. Each rule decides on plain values and refuses, naming the
reason and the way out, what the order's state does not allow.

What a line's canceled units were canceled for is kept apart: moved to a backorder
(`backordered`), closed short (`closed`) or canceled with the whole order
(`canceled_with_order`); they add up to `canceled`. The money that leaves with closed
or canceled units is cut from the line's amount by the split rule (`money.share`) and
kept in `canceled_amount`, so amount + backordered_amount + canceled_amount stays the
line's whole value, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from ..errors import InvalidInput, NotAllowed
from .money import line_amount, share, split_amount
from .orders import LineLike, OrderLike, Status, remaining
from .values import ZERO, Item, close_match, format_money, format_quantity

L = TypeVar("L", bound=LineLike)


class CorrectableLine(LineLike, Protocol):
    @property
    def closed(self) -> Decimal: ...
    @property
    def canceled_with_order(self) -> Decimal: ...
    @property
    def canceled_amount(self) -> Decimal: ...


def no_such_line(n: int, sku: str, lines: Sequence[LineLike]) -> NotAllowed:
    """The refusal of a SKU order #`n` has no line for, with the line meant when one
    is spelled alike (`cable-25` -> `CABLE-25`), as `ship` says it."""
    guess = close_match(sku, (line.sku for line in lines))
    see = f"see its lines with `backorder orders show {n}`"
    fix = f"did you mean {guess}? ({see})" if guess else see
    return NotAllowed(f"order #{n} has no line for SKU {sku} - {fix}", code="no_such_line")


def _refuse_closed_order(order: OrderLike, action: str) -> None:
    n = order.number
    if order.status == Status.CANCELED:
        raise NotAllowed(f"order #{n} is canceled - a canceled order cannot {action}")
    if order.archived:
        raise NotAllowed(f"order #{n} is archived - an archived order cannot {action}")


def plan_cancel(order: OrderLike, lines: Sequence[L]) -> list[tuple[L, Decimal]]:
    """Cancel a draft or booked order with nothing shipped: every remaining quantity,
    line by line. A partially shipped order is refused with the two ways out."""
    n = order.number
    _refuse_closed_order(order, "be canceled")
    if any(line.shipped > 0 for line in lines):
        if order.status == Status.PARTIALLY_SHIPPED:
            raise NotAllowed(
                f"order #{n} is partially shipped and cannot be canceled - cancel the rest "
                f"with `backorder close {n}`, or move it to a backorder with "
                f"`backorder create {n}`"
            )
        raise NotAllowed(
            f"order #{n} is {Status(order.status).label}: everything left was shipped, "
            "nothing is left to cancel"
        )
    return [(line, remaining(line)) for line in lines if remaining(line) > 0]


def plan_close(
    order: OrderLike, lines: Sequence[L], skus: Sequence[str]
) -> list[tuple[L, Decimal]]:
    """Close short: the remaining quantity of the named lines (every line when none is
    named) of a booked or partially shipped order."""
    n = order.number
    _refuse_closed_order(order, "be closed")
    if order.status == Status.DRAFT:
        raise NotAllowed(
            f"order #{n} is a draft - change it with `backorder orders edit {n}`, or cancel "
            f"it with `backorder orders cancel {n}`"
        )
    if not any(remaining(line) > 0 for line in lines):
        raise NotAllowed(f"order #{n} has nothing left to deliver, so nothing to close")
    if skus:
        plan = []
        for sku in dict.fromkeys(skus):
            named = [line for line in lines if line.sku == sku]
            if not named:
                raise no_such_line(n, sku, lines)
            rest = [(line, remaining(line)) for line in named if remaining(line) > 0]
            if not rest:
                raise NotAllowed(f"nothing of {sku} remains on order #{n}, so nothing to close")
            plan.extend(rest)
    else:
        plan = [(line, remaining(line)) for line in lines if remaining(line) > 0]
    closing = {id(line) for line, _q in plan}
    if not any(line.shipped > 0 for line in lines) and not any(
        remaining(line) > 0 for line in lines if id(line) not in closing
    ):
        raise NotAllowed(
            f"nothing was shipped on order #{n}, so closing all of it would cancel it - "
            f"cancel the order with `backorder orders cancel {n}`"
        )
    return plan


def cut_amount(line: LineLike, quantity: Decimal, billed: Decimal) -> tuple[Decimal, Decimal]:
    """Cancel `quantity` still to deliver on `line`: (the amount the line keeps, the amount
    that leaves with them), adding up to `line.amount` (`split_amount`). When all that is
    left of the line is invoiced, it keeps what its invoices billed, so they add up."""
    kept, gone = split_amount(line, quantity)
    if line.invoiced > 0 and line.invoiced == line.quantity - line.canceled - quantity:
        kept = min(billed, line.amount)
        gone = line.amount - kept
    return kept, gone


def plan_unship(
    order: OrderLike, lines: Sequence[L], items: Sequence[Item], backorder: int | None
) -> list[tuple[L, Decimal]]:
    """Take back shipped quantities that are not invoiced (a shipment recorded by
    mistake). A backorder made from the order since is a refusal naming it."""
    n = order.number
    if backorder is not None:
        raise NotAllowed(
            f"order #{n} has backorder #{backorder}, made from it after the shipment - "
            f"undo it first with `backorder undo {backorder}`"
        )
    _refuse_closed_order(order, "be unshipped")
    if order.status == Status.DRAFT:
        raise NotAllowed(f"order #{n} is a draft: nothing was shipped on it")
    if not items:
        raise InvalidInput("nothing to unship - give SKU=QTY")
    plan: list[tuple[L, Decimal]] = []
    for item in items:
        line = next((ln for ln in lines if ln.sku == item.sku), None)
        if line is None:
            raise no_such_line(n, item.sku, lines)
        free = line.shipped - line.invoiced
        if item.quantity > free:
            q = format_quantity
            invoiced = (
                f" ({q(line.invoiced)} of it is invoiced: credit the invoice first with "
                "`backorder credit INVOICE`)"
                if line.invoiced > 0
                else ""
            )
            raise NotAllowed(
                f"cannot unship {q(item.quantity)} of {item.sku} on order #{n}: only "
                f"{q(free)} shipped and not invoiced{invoiced}"
            )
        plan.append((line, item.quantity))
    return plan


@dataclass(frozen=True)
class LineEdit:
    """One change to a line: its SKU, the quantity and price it had (None: a new line)
    and will have (None: removed)."""

    sku: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    price_before: Decimal | None
    price_after: Decimal | None


def plan_edit(
    order: OrderLike,
    backorder_of: int | None,
    lines: Sequence[CorrectableLine],
    items: Sequence[Item],
    remove: Sequence[str],
    prices: dict[str, Decimal],
) -> list[LineEdit]:
    """What an edit changes, line by line: set a line's quantity or price, add a line,
    remove one. `prices` are the catalogue's, for new lines and SKUs known at all.

    A line's quantity never goes below what was shipped and canceled; a shipped or
    invoiced line's price never changes; a line with shipments is never removed; a
    canceled or archived order is refused, and a backorder's lines (which hold what its
    origin moved to it) stay as they are.
    """
    n = order.number
    _refuse_closed_order(order, "be edited")
    q = format_quantity
    if backorder_of is not None and (items or remove):
        raise NotAllowed(
            f"order #{n} is a backorder of order #{backorder_of}: its lines hold what "
            f"#{backorder_of} moved to it - close what is not wanted with "
            f"`backorder close {n} SKU`"
        )
    removing = list(dict.fromkeys(remove))
    both = {i.sku for i in items} & set(removing)
    if both:
        raise InvalidInput(f"{sorted(both)[0]} is both set and removed - give one or the other")
    by_sku = {line.sku: line for line in lines}
    edits = []
    for item in items:
        line = by_sku.get(item.sku)
        if line is None:
            if item.sku not in prices:
                raise NotAllowed(
                    f"unknown SKU {item.sku} - see `backorder products list`, or add it with "
                    f"`backorder products add {item.sku} --name NAME`"
                )
            price = prices[item.sku] if item.price is None else item.price
            edits.append(LineEdit(item.sku, None, item.quantity, None, price))
            continue
        floor = line.shipped + line.canceled
        if item.quantity < floor:
            gone = f"{q(line.shipped)} shipped" + (
                f" and {q(line.canceled)} canceled" if line.canceled else ""
            )
            raise NotAllowed(
                f"cannot set {item.sku} to {q(item.quantity)} on order #{n}: {gone} - "
                f"it can go down to {q(floor)}"
            )
        price = line.unit_price if item.price is None else item.price
        if price != line.unit_price and (line.shipped > 0 or line.invoiced > 0):
            raise NotAllowed(
                f"the price of {item.sku} on order #{n} cannot change: {q(line.shipped)} of it "
                "was shipped at that price"
            )
        if item.quantity != line.quantity or price != line.unit_price:
            edits.append(LineEdit(item.sku, line.quantity, item.quantity, line.unit_price, price))
    for sku in removing:
        line = by_sku.get(sku)
        if line is None:
            raise no_such_line(n, sku, lines)
        if line.shipped > 0:
            raise NotAllowed(
                f"cannot remove {sku} from order #{n}: {q(line.shipped)} of it was shipped - "
                f"close the rest with `backorder close {n} {sku}`"
            )
        edits.append(LineEdit(sku, line.quantity, None, line.unit_price, None))
    if len(lines) + sum(1 for e in edits if e.quantity_before is None) - len(removing) < 1:
        raise NotAllowed(
            f"order #{n} would have no lines left - cancel it with `backorder orders cancel {n}`"
        )
    return edits


def edited_amount(
    line: CorrectableLine, quantity: Decimal, price: Decimal, billed: Decimal
) -> Decimal:
    """A line's amount after its quantity or price changed: its quantity times its price
    rounded once, less the share of what was canceled; never below what its invoices
    billed, and exactly that when all of it is invoiced."""
    kept = quantity - line.canceled
    amount = share(line_amount(quantity, price), kept, quantity)
    if line.invoiced > 0 and line.invoiced == kept:
        return billed
    return max(amount, billed)


def edited_canceled_amount(
    line: CorrectableLine, quantity: Decimal, price: Decimal, amount: Decimal
) -> Decimal:
    """A line's canceled amount after its quantity or price changed (its new `amount`
    from `edited_amount`): its units closed or canceled with the order take the rest of
    its new value, so amount + backordered amount + canceled amount stays its quantity
    at its price rounded once. A line with none keeps its (zero) canceled amount."""
    if line.closed + line.canceled_with_order <= 0:
        return line.canceled_amount
    return max(ZERO, line_amount(quantity, price) - amount - line.backordered_amount)


def edit_text(edit: LineEdit) -> str:
    q, m = format_quantity, format_money
    if edit.quantity_before is None:
        added = q(edit.quantity_after or ZERO)
        return f"{edit.sku} added: {added} at {m(edit.price_after or ZERO)}"
    if edit.quantity_after is None:
        return f"{edit.sku} removed (was {q(edit.quantity_before)})"
    parts = []
    if edit.quantity_after != edit.quantity_before:
        parts.append(f"quantity {q(edit.quantity_before)} -> {q(edit.quantity_after)}")
    if edit.price_after != edit.price_before:
        parts.append(f"price {m(edit.price_before or ZERO)} -> {m(edit.price_after or ZERO)}")
    return f"{edit.sku} " + ", ".join(parts)


def plan_adjust(sku: str, stock: Decimal, counted: Decimal) -> Decimal:
    """Set stock on hand to a counted quantity: the difference (may be below zero; the
    count itself never is)."""
    if counted < 0:
        raise InvalidInput(
            f"a counted quantity cannot be negative (got {format_quantity(counted)})"
        )
    return counted - stock


def settle_canceled(
    quantity: Decimal,
    unit_price: Decimal,
    canceled_otherwise: Decimal,
    backordered: Decimal,
    amount: Decimal,
    *,
    from_origin: bool,
) -> tuple[Decimal, Decimal]:
    """A line's (amount, canceled amount) when it arrives without its money (an import)
    with units closed or canceled with the order, by the rule the commands apply: the
    line's whole value (its quantity at its price rounded once, or what its origin moved
    to it: `amount` when `from_origin`) less the share of the canceled units. A line that
    also moved units to a backorder keeps `amount` as settled (its money went with the
    backorder's rule) and records no canceled amount."""
    if canceled_otherwise <= 0 or backordered > 0:
        return amount, ZERO
    whole = amount if from_origin else line_amount(quantity, unit_price)
    kept = share(whole, quantity - canceled_otherwise, quantity)
    return kept, whole - kept
