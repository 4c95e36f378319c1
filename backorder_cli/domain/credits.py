"""Credit notes: what crediting (part of) an invoice gives back, line by line.

A credit note is a document of its own in the invoice number series. Each of its lines
gives back units of one line of the invoice it credits, at that invoice line's price:
the credits of an invoice line up to k of its n units are worth share(amount, k, n)
(`money.share`), so crediting a line in parts gives back exactly its amount, and an
invoice and its credit notes add up to the cent. A credit never gives back more than
its invoice billed, less what earlier credit notes gave back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..errors import InvalidInput, NotAllowed
from .money import share
from .values import (
    QUANTITY_PLACES,
    ZERO,
    Item,
    close_match,
    format_money,
    format_quantity,
    parse_decimal,
    parse_order_number,
    quantity_text,
)


@dataclass(frozen=True)
class BilledLine:
    """One line of an invoice, with what its credit notes gave back so far."""

    line_id: int
    sku: str
    quantity: Decimal
    amount: Decimal
    credited: Decimal = ZERO
    credited_amount: Decimal = ZERO

    @property
    def creditable(self) -> Decimal:
        return self.quantity - self.credited


@dataclass(frozen=True)
class CreditLine:
    """What a credit note gives back of one invoice line (both numbers positive)."""

    line_id: int
    sku: str
    quantity: Decimal
    amount: Decimal


def parse_invoice_number(text: str) -> int:
    """`7` or `#7`: an invoice or credit note number, by the order numbers' rule (the
    two series have the same form and the same limit)."""
    try:
        return parse_order_number(text)
    except InvalidInput:
        raise InvalidInput(f"{text!r} is not an invoice number - give one like 7 or #7") from None


def parse_credited(text: str | int | Decimal, *, what: str = "quantity") -> Decimal:
    """A credit note's line quantity as stored and exported: below zero (-2, -0.5)."""
    value = parse_decimal(text, what=what, places=QUANTITY_PLACES)
    if value >= 0:
        raise InvalidInput(f"{what} on a credit note must be below zero, got {text}")
    return value


def credit_amount(line: BilledLine, quantity: Decimal) -> Decimal:
    """What crediting `quantity` more units of `line` gives back: its share of the
    invoice line's amount after the earlier credits, never more than is left of it."""
    left = line.amount - line.credited_amount
    value = share(line.amount, line.credited + quantity, line.quantity) - line.credited_amount
    return min(max(value, ZERO), left) if left > 0 else ZERO


def plan_credit(
    invoice: int, lines: Sequence[BilledLine], items: Sequence[Item] | None
) -> list[CreditLine]:
    """The lines of a credit note for invoice #`invoice`: every creditable unit when
    `items` is None, else the named SKU=QTY (a SKU on several lines takes them in
    order). Refuses a SKU not on the invoice and more than is left to credit."""
    if items is None:
        plan = [
            CreditLine(ln.line_id, ln.sku, ln.creditable, credit_amount(ln, ln.creditable))
            for ln in lines
            if ln.creditable > 0
        ]
        if not plan:
            raise NotAllowed(
                f"invoice #{invoice} is credited in full already - "
                f"see its credit notes with `backorder invoices list`"
            )
        return plan
    plan = []
    for item in items:
        same = [ln for ln in lines if ln.sku == item.sku]
        if not same:
            guess = close_match(item.sku, (ln.sku for ln in lines))
            see = f"see its lines with `backorder invoices show {invoice}`"
            fix = f"did you mean {guess}? ({see})" if guess else see
            raise NotAllowed(f"{item.sku} is not on invoice #{invoice} - {fix}")
        left = sum((ln.creditable for ln in same), ZERO)
        if left == 0:
            raise NotAllowed(
                f"nothing of {item.sku} is left to credit on invoice #{invoice} - "
                f"see its credit notes with `backorder invoices list`"
            )
        if item.quantity > left:
            raise NotAllowed(
                f"invoice #{invoice} billed {quantity_text(item.sku, left)} not yet credited, "
                f"so {format_quantity(item.quantity)} cannot be credited - credit at most "
                f"{format_quantity(left)}"
            )
        due = item.quantity
        for ln in same:
            take = min(due, ln.creditable)
            if take > 0:
                plan.append(CreditLine(ln.line_id, ln.sku, take, credit_amount(ln, take)))
                due -= take
    return plan


def credit_violations(
    invoice: int, billed: Sequence[tuple[str, Decimal, Decimal, Decimal, Decimal]]
) -> list[str]:
    """What is wrong with the credit notes of invoice #`invoice`, given per line (SKU,
    billed quantity, billed amount, credited quantity, credited amount; credited as
    positive numbers, a line the invoice does not bill having zeros billed): they never
    give back more than it billed."""
    problems = []
    for sku, quantity, amount, credited, credited_amount in billed:
        if credited > quantity:
            problems.append(
                f"invoice #{invoice}: its credit notes give back {quantity_text(sku, credited)} "
                f"but it billed {format_quantity(quantity)}"
            )
        if credited_amount > amount:
            problems.append(
                f"invoice #{invoice}: its credit notes give back {format_money(credited_amount)} "
                f"for {sku} but it billed {format_money(amount)}"
            )
    return problems


def credit_share_violations(
    invoice: int,
    sku: str,
    quantity: Decimal,
    amount: Decimal,
    credited: Decimal,
    credited_amount: Decimal,
) -> list[str]:
    """The credit notes of one invoice line (billed `quantity` for `amount`; credited as
    positive numbers) give back its share for what they credit: share(amount, credited,
    quantity), whatever parts they came in (`credit_amount` cuts each part so that they
    add up to it), and so exactly the billed amount for all of it. More than was billed
    is `credit_violations`' to report."""
    if credited > quantity or credited <= 0 or quantity <= 0:
        return []
    due = share(amount, credited, quantity)
    if credited_amount == due:
        return []
    return [
        f"the credit notes of invoice #{invoice} give back {format_money(credited_amount)} "
        f"for {quantity_text(sku, credited)}, but the invoice billed "
        f"{format_money(amount)} for {format_quantity(quantity)}, so they give back "
        f"{format_money(due)}"
    ]
