"""Invariants: the rules `backorder check` verifies, on plain lines and orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .money import line_amount
from .orders import Status, order_status, order_total, remaining
from .values import ZERO, format_money, format_quantity, quantity_text

if TYPE_CHECKING:
    from .orders import LineLike


# What must hold in every database, whatever wrote it. `backorder check` reports each
# broken one; the tests check them after every step of random work.


@dataclass(frozen=True)
class Violation:
    """One broken invariant, placed at its order and line where it has one."""

    problem: str
    order: int | None = None
    line: int | None = None  # the line's position on its order, from 1
    sku: str | None = None

    def __str__(self) -> str:
        where = []
        if self.order is not None:
            where.append(f"order #{self.order}")
        if self.line is not None:
            where.append(f"line {self.line}" + (f" ({self.sku})" if self.sku else ""))
        return f"{', '.join(where)}: {self.problem}" if where else self.problem


def line_violations(line: LineLike) -> list[str]:
    """quantity = shipped + canceled + remaining, invoiced <= shipped, nothing negative.
    A value reported negative is not compared again (`invoiced 0 is more than shipped
    -1` would be the same fault twice); faults that hold whatever it was are kept."""
    q = format_quantity
    problems = [
        f"{name} is negative ({q(value)})"
        for name, value in (
            ("quantity", line.quantity),
            ("shipped", line.shipped),
            ("invoiced", line.invoiced),
            ("canceled", line.canceled),
        )
        if value < 0
    ]
    if line.quantity == 0:
        problems.append("quantity is zero")
    if line.quantity >= 0 and line.shipped + line.canceled > line.quantity:
        problems.append(
            f"shipped {q(line.shipped)} + canceled {q(line.canceled)} is more than the "
            f"quantity {q(line.quantity)}"
        )
    if line.shipped >= 0 and line.invoiced > line.shipped:
        problems.append(f"invoiced {q(line.invoiced)} is more than shipped {q(line.shipped)}")
    problems.extend(money_violations(line))
    return problems


def money_violations(line: LineLike) -> list[str]:
    """What a line's money must satisfy on its own: nothing negative, nothing moved to
    backorders beyond what was canceled, and no amount left on nothing."""
    q, m = format_quantity, format_money
    problems = [
        f"{name} is negative ({m(value)})"
        for name, value in (
            ("amount", line.amount),
            ("backordered amount", line.backordered_amount),
        )
        if value < 0
    ]
    if line.backordered < 0:
        problems.append(f"backordered is negative ({q(line.backordered)})")
    if line.canceled >= 0 and line.backordered > line.canceled:
        problems.append(
            f"backordered {q(line.backordered)} is more than canceled {q(line.canceled)}"
        )
    if line.quantity - line.canceled == 0 and line.amount != 0:
        problems.append(f"amount is {m(line.amount)} but all of it is canceled")
    if line.backordered == 0 and line.backordered_amount != 0:
        problems.append(
            f"backordered amount is {m(line.backordered_amount)} but nothing is backordered"
        )
    return problems


def billing_violations(line: LineLike, billed: Decimal) -> list[str]:
    """A line's invoices add up to its amount once all of it is invoiced, and never
    bill more than it."""
    m = format_money
    if line.invoiced == line.quantity - line.canceled and billed != line.amount:
        return [f"its invoices bill {m(billed)} but all of it is invoiced at {m(line.amount)}"]
    if billed > line.amount:
        return [f"its invoices bill {m(billed)}, more than its amount {m(line.amount)}"]
    return []


def order_violations(
    number: int, status: str, total: Decimal, lines: Sequence[LineLike]
) -> list[Violation]:
    """Every line's invariants, and the order's status and total agreeing with its lines."""
    found = [
        Violation(problem, number, position, line.sku)
        for position, line in enumerate(lines, start=1)
        for problem in line_violations(line)
    ]
    if not lines:
        found.append(Violation("has no lines", number))
    try:
        stored = Status(status)
    except ValueError:
        return [*found, Violation(f"unknown status {status!r}", number)]
    if found:
        return found  # status and total are meaningless on broken lines
    if stored == Status.CANCELED and any(remaining(line) > 0 for line in lines):
        found.append(Violation("is canceled but still has quantities remaining", number))
    elif stored == Status.DRAFT and any(line.shipped > 0 for line in lines):
        found.append(Violation("is a draft but has shipped quantities", number))
    else:
        expected = order_status(stored, lines)
        if expected != stored:
            found.append(
                Violation(
                    f"status is {stored.label} but its lines make it {expected.label}", number
                )
            )
    expected_total = order_total(lines)
    if total != expected_total:
        found.append(
            Violation(
                f"total is {format_money(total)} but its lines make it "
                f"{format_money(expected_total)}",
                number,
            )
        )
    return found


def backorder_violations(
    origin: int,
    canceled: dict[str, Decimal],
    backordered: dict[str, Decimal],
    moved_amount: dict[str, Decimal] | None = None,
    held_amount: dict[str, Decimal] | None = None,
) -> list[Violation]:
    """A backorder holds exactly what its origin moved to it, SKU by SKU (`canceled`:
    the quantities the origin canceled into backorders, not what it canceled before;
    `backordered`: what the backorders hold), and exactly the money that left with it
    (`moved_amount` against `held_amount`: the backorders' amounts, including what
    they moved on to backorders of their own)."""
    found = []
    moved_amount, held_amount = moved_amount or {}, held_amount or {}
    for sku in sorted(set(canceled) | set(backordered) | set(moved_amount) | set(held_amount)):
        was, now = canceled.get(sku, ZERO), backordered.get(sku, ZERO)
        if was != now:
            found.append(
                Violation(
                    f"{quantity_text(sku, was)} were canceled but its backorders hold "
                    f"{format_quantity(now)}",
                    origin,
                    sku=sku,
                )
            )
        was, now = moved_amount.get(sku, ZERO), held_amount.get(sku, ZERO)
        if was != now:
            found.append(
                Violation(
                    f"{format_money(was)} of {sku} moved to backorders but they hold "
                    f"{format_money(now)}",
                    origin,
                    sku=sku,
                )
            )
    return found


def loop_violation(loop: list[int]) -> Violation:
    """One loop of backorder links, named at its lowest order number."""
    start = loop.index(min(loop))
    turn = loop[start:] + loop[:start]
    path = " -> ".join(f"#{n}" for n in [*turn, turn[0]])
    return Violation(
        f"backorder links go round in a loop: {path} (each a backorder of the next)", turn[0]
    )


def backorder_link_violations(
    origin: int, status: str, archived: bool, backorders: Sequence[int]
) -> list[Violation]:
    """An order has one backorder at most (`create` refuses a second, `undo` unlinks
    the first), and an order with a backorder is canceled and archived (the split
    cancels what it moves and archives the origin; `undo` gives both back)."""
    numbers = ", ".join(f"#{n}" for n in sorted(backorders))
    found = []
    if len(backorders) > 1:
        found.append(
            Violation(
                f"has {len(backorders)} backorders ({numbers}); an order has one at most", origin
            )
        )
    if status != Status.CANCELED.value:
        shown = Status(status).label if status in set(Status) else repr(status)
        found.append(Violation(f"has backorder {numbers} but is {shown}, not canceled", origin))
    elif not archived:
        found.append(Violation(f"has backorder {numbers} but is not archived", origin))
    return found


def unmade_backorder_violations(
    number: int, status: str, origin: int, origin_shipped: bool
) -> list[Violation]:
    """What the tool never makes (check reports it, import refuses it): a backorder is
    made from a partially shipped order, and booked, never a draft."""
    found = []
    if not origin_shipped:
        found.append(
            Violation(
                f"is a backorder of order #{origin}, which has nothing shipped - a backorder "
                "is made from a partially shipped order",
                number,
            )
        )
    if status == Status.DRAFT.value:
        found.append(Violation("is a backorder but a draft - a backorder is booked", number))
    return found


def canceled_violations(
    canceled: Decimal,
    backordered: Decimal,
    closed: Decimal,
    canceled_with_order: Decimal,
    canceled_amount: Decimal,
) -> list[str]:
    """Every canceled unit was canceled for one reason (schema 6): canceled =
    backordered + closed + canceled with the order; nothing negative; no money left
    with canceled units when none was closed or canceled with the order."""
    q, m = format_quantity, format_money
    problems = [
        f"{name} is negative ({q(value)})"
        for name, value in (("closed", closed), ("canceled with the order", canceled_with_order))
        if value < 0
    ]
    if canceled_amount < 0:
        problems.append(f"canceled amount is negative ({m(canceled_amount)})")
    if canceled != backordered + closed + canceled_with_order:
        problems.append(
            f"canceled {q(canceled)} is not backordered {q(backordered)} + closed {q(closed)} "
            f"+ canceled with the order {q(canceled_with_order)}"
        )
    if closed + canceled_with_order == 0 and canceled_amount != 0:
        problems.append(
            f"canceled amount is {m(canceled_amount)} but nothing was closed or canceled "
            "with the order"
        )
    return problems


def value_violations(
    line: LineLike, closed: Decimal, canceled_with_order: Decimal, canceled_amount: Decimal
) -> list[str]:
    """The parts of a line no backorder holds add up to its value (schema 6): amount +
    backordered amount + canceled amount = its quantity at its price rounded once
    (`money.line_amount`; every command cuts its parts from that by the split rule).
    A line whose closed or canceled units carry no money (canceled amount zero: a
    database upgraded from before schema 3, where such units had none) is worth what
    was not closed or canceled with the order. So is one its invoices billed in full with
    no canceled amount: invoices from before schema 3 stay as billed (the upgrade made
    the line worth what they billed), and `billing_violations` holds its amount to them.
    A backorder's lines are worth what their origin moved to them: `backorder_violations`
    compares those."""
    m = format_money
    parts = line.amount + line.backordered_amount + canceled_amount
    whole = line_amount(line.quantity, line.unit_price)
    if parts == whole:
        return []
    if (
        canceled_amount == 0
        and line.invoiced > 0
        and line.invoiced == line.quantity - line.canceled
    ):
        return []
    if canceled_amount == 0 and parts == line_amount(
        line.quantity - closed - canceled_with_order, line.unit_price
    ):
        return []
    return [
        f"amount {m(line.amount)} + backordered amount {m(line.backordered_amount)} + "
        f"canceled amount {m(canceled_amount)} is {m(parts)}, but "
        f"{format_quantity(line.quantity)} at {m(line.unit_price)} is worth {m(whole)}"
    ]


def stock_count_violation(
    sku: str, before: Decimal, counted: Decimal, difference: Decimal
) -> Violation | None:
    """A stock count adds up: counted = before + difference, and is never negative."""
    q = format_quantity
    if counted < 0:
        return Violation(f"a stock count of {sku} is negative ({q(counted)})")
    if counted - before != difference:
        return Violation(
            f"a stock count of {sku} from {q(before)} to {q(counted)} records a difference "
            f"of {q(difference)}"
        )
    return None
