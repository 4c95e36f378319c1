"""The rules `check` holds a line's money and a credit note to: a line's parts add up to
its value, and the credit notes of an invoice line give back its share."""

from __future__ import annotations

from decimal import Decimal as D

from backorder_cli.domain.credits import BilledLine, credit_amount, credit_share_violations
from backorder_cli.domain.invariants import value_violations
from backorder_cli.domain.money import line_amount, share
from backorder_cli.services.steps import _Line


def line(quantity: str, price: str, amount: str, canceled: str = "0", **kw: str) -> _Line:
    values = {k: D(v) for k, v in kw.items()}
    return _Line(
        "SWITCH-1", "Switch", "pcs", D(quantity), D(kw.get("shipped", "0")),
        values.get("invoiced", D(0)), D(canceled), D(price), D(amount),
        values.get("backordered", D(0)), values.get("backordered_amount", D(0)),
    )  # fmt: skip


def test_parts_that_add_up_to_the_rounded_value_are_clean() -> None:
    whole = line_amount(D(4), D("0.3333"))  # 1.3332 -> 1.33
    kept = share(whole, D(2), D(4))
    assert value_violations(line("4", "0.3333", str(kept), "2"), D(2), D(0), whole - kept) == []


def test_parts_a_cent_off_are_reported() -> None:
    problems = value_violations(line("4", "0.3333", "0.67", "2"), D(2), D(0), D("0.67"))
    assert problems == [
        "amount 0.67 + backordered amount 0.00 + canceled amount 0.67 is 1.34, but 4 at "
        "0.3333 is worth 1.33"
    ]


def test_canceled_units_without_money_are_worth_nothing_only_with_a_zero_canceled_amount() -> None:
    legacy = line("10", "8.90", "71.20", "2")  # upgraded: 8 x 8.90, canceled units no money
    assert value_violations(legacy, D(2), D(0), D(0)) == []
    assert value_violations(legacy, D(2), D(0), D("0.01")) != []
    # an undone backorder: everything canceled with the order, no money left on it
    assert value_violations(line("3", "1.00", "0", "3"), D(0), D(3), D(0)) == []


def test_a_line_billed_in_full_with_no_canceled_amount_is_worth_what_it_billed() -> None:
    billed = line("2", "0.335", "0.68", shipped="2", invoiced="2")  # old invoices: 0.34 + 0.34
    assert value_violations(billed, D(0), D(0), D(0)) == []
    part = line("2", "0.335", "0.68", shipped="2", invoiced="1")
    assert value_violations(part, D(0), D(0), D(0)) != []


def test_credits_by_the_rule_in_any_parts_are_clean() -> None:
    billed = BilledLine(1, "SWITCH-1", D(7), D("1.01"))
    credited, amount = D(0), D(0)
    for part in (D(1), D("2.5"), D("0.5"), D(3)):
        amount += credit_amount(BilledLine(1, "SWITCH-1", D(7), D("1.01"), credited, amount), part)
        credited += part
        assert credit_share_violations(7, "SWITCH-1", D(7), D("1.01"), credited, amount) == []
    assert (credited, amount) == (billed.quantity, billed.amount)


def test_a_credit_off_its_share_is_reported() -> None:
    assert credit_share_violations(7, "SWITCH-1", D(2), D("17.80"), D(1), D("9.00")) == [
        "the credit notes of invoice #7 give back 9.00 for 1 x SWITCH-1, but the invoice "
        "billed 17.80 for 2, so they give back 8.90"
    ]
    assert credit_share_violations(7, "SWITCH-1", D(3), D("1.00"), D(3), D("1.01")) != []
    # more than billed is the other rule's to word
    assert credit_share_violations(7, "SWITCH-1", D(2), D("17.80"), D(3), D("30")) == []
