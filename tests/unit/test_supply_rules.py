"""The supply rules on plain values: promise dates, receipts and cancellations of a
purchase, its status, and what `check` finds wrong with one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest

from backorder_cli.domain.supply import (
    Incoming,
    ensure_suppliers,
    order_eta,
    plan_cancel,
    plan_receipt,
    promise_dates,
    purchase_status,
    purchase_violations,
)
from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed

TODAY = date(2026, 11, 26)
DEC, JAN = date(2026, 12, 10), date(2027, 1, 5)


@dataclass
class PLine:
    sku: str
    quantity: D
    received: D = D(0)
    canceled: D = D(0)


def etas(orders, stock, incoming):  # type: ignore[no-untyped-def]
    return [
        (p.number, p.sku, p.eta, p.source, p.short)
        for p in promise_dates(orders, stock, incoming, TODAY)
    ]


def test_stock_covers_whole_lines_in_priority_order_as_ready_does() -> None:
    # 5 on hand: #1 wants 6 (does not fit), #2 wants 4 (fits): #2 ships first
    found = etas([(1, [(1, "A", D(6))]), (2, [(1, "A", D(4))])], {"A": D(5)}, [])
    assert found == [(1, "A", None, None, D(5)), (2, "A", TODAY, "stock", D(0))]


def test_what_stock_leaves_and_purchases_complete_a_line_in_expected_date_order() -> None:
    incoming = [Incoming(7, JAN, "A", D(10)), Incoming(3, DEC, "A", D("2.5"))]
    found = etas([(1, [(1, "A", D(6))])], {"A": D("3.5")}, incoming)
    # 3.5 on hand + 2.5 on Dec 10 (#3) = 6: purchase #3 completes it, not #7
    assert found == [(1, "A", DEC, "purchase #3", D(0))]


def test_a_line_no_supply_completes_says_how_much_is_short() -> None:
    found = etas([(1, [(1, "A", D(6))]), (2, [(1, "A", D(3))])], {}, [Incoming(1, DEC, "A", D(4))])
    # 4 coming: #1 needs 6 (2 short); #2 gets nothing (3 short)
    assert found == [(1, "A", None, None, D(2)), (2, "A", None, None, D(3))]


def test_an_orders_eta_is_the_latest_line_and_none_when_one_is_short() -> None:
    found = list(
        promise_dates(
            [(1, [(1, "A", D(1)), (2, "B", D(1))])],
            {"A": D(1)},
            [Incoming(2, JAN, "B", D(1))],
            TODAY,
        )
    )
    assert order_eta(found) == JAN
    short = list(promise_dates([(1, [(1, "A", D(1)), (2, "B", D(1))])], {"A": D(1)}, [], TODAY))
    assert order_eta(short) is None


def test_a_receipt_takes_at_most_what_is_still_open() -> None:
    lines = [PLine("A", D(10), received=D(4)), PLine("B", D(5), canceled=D(5))]
    assert [(ln.sku, q) for ln, q in plan_receipt(1, "open", lines, None)] == [("A", D(6))]
    assert plan_receipt(1, "open", lines, [Item("A", D("5.5"))])[0][1] == D("5.5")
    with pytest.raises(NotAllowed, match="only 6 x A still to come, not 7"):
        plan_receipt(1, "open", lines, [Item("A", D(7))])
    with pytest.raises(NotAllowed, match="purchase #1 is received"):
        plan_receipt(1, "received", lines, None)


def test_a_cancellation_takes_what_is_open_and_refuses_nothing_to_cancel() -> None:
    lines = [PLine("A", D(10), received=D(4)), PLine("B", D(5), canceled=D(5))]
    assert [(ln.sku, q) for ln, q in plan_cancel(1, "open", lines, [])] == [("A", D(6))]
    with pytest.raises(NotAllowed, match="nothing still to come of B"):
        plan_cancel(1, "open", lines, ["B"])


def test_a_purchases_status_follows_its_lines() -> None:
    assert purchase_status([PLine("A", D(2), received=D(1))]) == "open"
    assert purchase_status([PLine("A", D(2), received=D(1), canceled=D(1))]) == "received"
    assert purchase_status([PLine("A", D(2), canceled=D(2))]) == "canceled"


def test_check_finds_a_line_received_past_what_was_ordered() -> None:
    found = purchase_violations(4, "open", [(1, PLine("A", D(2), received=D(3)))], {"A"})
    assert found == [
        "purchase #4, line 1 (A): received 3 + canceled 0 is more than the 2 ordered",
        "purchase #4: status is open but its lines make it received",
    ]
    assert purchase_violations(4, "open", [(1, PLine("Z", D(2)))], {"A"}) == [
        "purchase #4, line 1 (Z): SKU Z is not in the catalogue"
    ]


@pytest.mark.parametrize(
    ("refused", "code"),
    [
        (lambda: plan_receipt(1, "open", LINES, [Item("A", D(7))]), "more_than_open"),
        (lambda: plan_receipt(1, "received", LINES, None), "purchase_not_open"),
        (lambda: plan_receipt(1, "open", LINES, [Item("C", D(1))]), "no_such_line"),
        (lambda: plan_cancel(1, "open", LINES, ["B"]), "nothing_to_cancel"),
        (lambda: ensure_suppliers([("A", "Kabel AB"), ("B", "")]), "no_supplier"),
    ],
    ids=["more", "not-open", "no-line", "nothing", "supplier"],
)
def test_each_refusal_has_its_result_code(refused, code: str) -> None:  # type: ignore[no-untyped-def]
    """Scripts read the code of a refused JSON result (README: "Result codes")."""
    with pytest.raises(NotAllowed) as refusal:
        refused()
    assert refusal.value.code == code


LINES = [PLine("A", D(10), received=D(4)), PLine("B", D(5), canceled=D(5))]
