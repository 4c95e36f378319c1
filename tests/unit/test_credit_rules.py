"""The credit rules on plain values: each part of an invoice line takes its share, the
parts add up to the line exactly, and nothing gives back more than was billed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backorder_cli.domain.credits import (
    BilledLine,
    credit_amount,
    credit_violations,
    parse_credited,
    plan_credit,
)
from backorder_cli.domain.values import Item
from backorder_cli.errors import InvalidInput, NotAllowed


def test_a_part_of_a_line_takes_its_share_rounded_half_up() -> None:
    line = BilledLine(1, "A", D(3), D("1.00"))
    assert credit_amount(line, D(1)) == D("0.33")
    assert credit_amount(line, D(2)) == D("0.67")
    assert credit_amount(line, D(3)) == D("1.00")


def test_later_parts_take_the_share_after_the_earlier_credits() -> None:
    line = BilledLine(1, "A", D(3), D("1.00"), credited=D(1), credited_amount=D("0.33"))
    assert credit_amount(line, D(1)) == D("0.34")
    assert credit_amount(line, D(2)) == D("0.67")  # the rest: exactly what is left


@given(
    quantity=st.integers(min_value=1, max_value=40),
    amount=st.decimals(min_value=0, max_value=10_000, places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=10),
)
def test_credits_of_a_line_in_parts_give_back_exactly_its_amount(
    quantity: int, amount: D, cuts: list[int]
) -> None:
    line = BilledLine(1, "A", D(quantity), amount)
    given_back = D(0)
    for cut in [*cuts, quantity]:
        take = min(D(cut), line.creditable)
        if take <= 0:
            break
        value = credit_amount(line, take)
        assert D(0) <= value <= line.amount - line.credited_amount
        given_back += value
        line = BilledLine(1, "A", line.quantity, amount, line.credited + take, given_back)
    assert given_back == amount


def test_all_of_an_invoice_is_every_creditable_unit() -> None:
    lines = [
        BilledLine(1, "A", D(2), D("4.00"), credited=D(2), credited_amount=D("4.00")),
        BilledLine(2, "B", D(5), D("5.55"), credited=D(1), credited_amount=D("1.11")),
    ]
    plan = plan_credit(7, lines, None)
    assert [(c.line_id, c.sku, c.quantity, c.amount) for c in plan] == [(2, "B", D(4), D("4.44"))]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([Item("C", D(1))], "C is not on invoice #7"),
        ([Item("B", D(5))], "invoice #7 billed 4 x B not yet credited, so 5 cannot be credited"),
    ],
)
def test_refusals_name_the_problem_and_the_fix(items: list[Item], message: str) -> None:
    lines = [BilledLine(2, "B", D(5), D("5.55"), credited=D(1), credited_amount=D("1.11"))]
    with pytest.raises(NotAllowed, match=message):
        plan_credit(7, lines, items)


def test_an_invoice_credited_in_full_has_nothing_left() -> None:
    lines = [BilledLine(1, "A", D(2), D("4.00"), credited=D(2), credited_amount=D("4.00"))]
    with pytest.raises(NotAllowed, match="credited in full already"):
        plan_credit(7, lines, None)


def test_a_credit_note_quantity_is_below_zero() -> None:
    assert parse_credited("-2.5") == D("-2.5")
    for text in ("0", "2", "-0.0001", "abc"):
        with pytest.raises(InvalidInput):
            parse_credited(text)


def test_credit_violations_name_quantity_and_money() -> None:
    assert credit_violations(7, [("A", D(2), D("4.00"), D(2), D("4.00"))]) == []
    assert credit_violations(7, [("A", D(2), D("4.00"), D(3), D("4.01"))]) == [
        "invoice #7: its credit notes give back 3 x A but it billed 2",
        "invoice #7: its credit notes give back 4.01 for A but it billed 4.00",
    ]
