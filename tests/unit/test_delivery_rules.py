"""The rules after the backorder, on plain objects: allocation of stock to waiting
orders, undoing a backorder, age bands, chains."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.backorders import (
    age_bucket,
    allocate_lines,
    chain_of,
    plan_ready_shipment,
    plan_undo,
)
from backorder_cli.errors import NotAllowed
from tests.unit.test_domain import Line, Order


def allocate(orders, stock):  # type: ignore[no-untyped-def]
    """(number, cover, lines covered, lines waiting) of each order that gets stock."""
    return [
        (number, "partial" if waiting else "full", ship, waiting)
        for number, ship, waiting in allocate_lines(orders, stock)
    ]


def test_orders_are_served_in_the_order_given_and_never_share_units() -> None:
    orders = [
        (1, [(1, "A", D(4)), (2, "B", D(1))]),
        (2, [(1, "A", D(4))]),
        (3, [(1, "A", D("2.5"))]),
    ]
    # 6.5 of A: the first takes 4, the second's 4 no longer fit, the third's 2.5 do.
    assert allocate(orders, {"A": D("6.5"), "B": D(1)}) == [
        (1, "full", [(1, "A", D(4)), (2, "B", D(1))], []),
        (3, "full", [(1, "A", D("2.5"))], []),
    ]
    # The same orders in another priority: the second comes first and takes its 4.
    assert [n for n, *_ in allocate(orders[::-1], {"A": D("6.5"), "B": D(1)})] == [3, 2, 1]


def test_partial_cover_ships_whole_lines_only() -> None:
    order = (1, [(1, "A", D(10)), (2, "B", D(3)), (3, "A", D(2))])
    assert allocate([order], {"A": D(5), "B": D(3)}) == [
        (1, "partial", [(2, "B", D(3)), (3, "A", D(2))], [(1, "A", D(10))])  # 10 do not fit
    ]


def test_an_order_stock_covers_nothing_of_is_left_out() -> None:
    order = (1, [(1, "A", D(10))])
    assert allocate([order], {"A": D(9)}) == []
    assert allocate([order], {"A": D(0), "B": D(5)}) == []
    assert allocate([order], {}) == []


def test_scaled_integers_allocate_as_decimals_do() -> None:
    orders = [(1, [(1, "A", 2500)]), (2, [(1, "A", 1000), (2, "B", 1)])]
    assert allocate(orders, {"A": 3000, "B": 0}) == [(1, "full", [(1, "A", 2500)], [])]


def test_once_stock_is_gone_no_further_order_is_read() -> None:
    read = []

    def orders():  # type: ignore[no-untyped-def]
        for n in range(1, 100):
            read.append(n)
            yield n, [(1, "A", D(1))]

    assert [n for n, *_ in allocate(orders(), {"A": D(3)})] == [1, 2, 3]
    assert read == [1, 2, 3]


def test_a_ready_shipment_is_refused_when_the_order_or_stock_moved_on() -> None:
    lines = [Line("A", D(5)), Line("B", D(2))]
    order = Order(status="booked", archived=False)
    planned = [(1, "A", D(5))]
    assert plan_ready_shipment(order, lines, planned, {"A": D(5)}) == [(lines[0], D(5))]
    with pytest.raises(NotAllowed, match="changed since it was listed"):
        plan_ready_shipment(order, lines, [(1, "A", D(4))], {"A": D(5)})
    with pytest.raises(NotAllowed, match="stock of A no longer covers"):
        plan_ready_shipment(order, lines, planned, {"A": D(4)})
    with pytest.raises(NotAllowed, match="is canceled"):
        plan_ready_shipment(Order(status="canceled"), lines, planned, {"A": D(5)})


def undo(backorder_lines, origin_lines, **kw):  # type: ignore[no-untyped-def]
    options = {
        "backorder_of": 2401,
        "invoiced": False,
        "origin": Order(2401, "canceled", True),
        "origin_lines": origin_lines,
    } | kw
    return plan_undo(Order(2402, "booked", False), lines=backorder_lines, **options)


def test_undo_gives_each_quantity_back_to_its_line() -> None:
    origin = [
        Line("A", D(10), shipped=D(4), canceled=D(6)),
        Line("B", D(2), shipped=D(2)),
        Line("C", D("2.5"), canceled=D("2.5"), unit_price=D("3.10")),
    ]
    backorder = [Line("A", D(6)), Line("C", D("2.5"), unit_price=D("3.10"))]
    assert undo(backorder, origin) == [(origin[0], D(6)), (origin[2], D("2.5"))]


@pytest.mark.parametrize(
    ("lines", "kw", "problem"),
    [
        ([Line("A", D(6))], {"backorder_of": None}, "is not a backorder"),
        ([Line("A", D(6), shipped=D(1))], {}, "already shipped in part"),
        ([Line("A", D(6))], {"invoiced": True}, "already invoiced"),
        ([Line("A", D(6))], {"origin": Order(2401, "partially_shipped")}, "no longer canceled"),
        ([Line("A", D(7))], {}, "did not cancel 1 x A"),
    ],
)
def test_undo_is_refused_with_the_reason(lines, kw, problem: str) -> None:  # type: ignore[no-untyped-def]
    origin = [Line("A", D(10), shipped=D(4), canceled=D(6))]
    with pytest.raises(NotAllowed, match=problem):
        undo(lines, origin, **kw)


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "0-7 days"),
        (7, "0-7 days"),
        (8, "8-30 days"),
        (30, "8-30 days"),
        (31, "31-90 days"),
        (90, "31-90 days"),
        (91, "over 90 days"),
        (-1, "0-7 days"),
    ],
)
def test_age_bands_have_inclusive_edges(days: int, band: str) -> None:
    assert age_bucket(days) == band


def test_a_chain_runs_from_the_first_order_to_the_last_backorder() -> None:
    parent = {2402: 2401, 2401: None, 2403: 2402, 2404: 2403}
    child = {2401: 2402, 2402: 2403, 2403: 2404}
    for member in (2401, 2402, 2404):
        assert chain_of(member, parent.get, child.get) == [2401, 2402, 2403, 2404]
    assert chain_of(7, {7: None}.get, {}.get) == [7]


def test_a_chain_with_a_loop_edited_in_by_hand_still_ends() -> None:
    assert chain_of(1, {1: 2, 2: 1}.get, {1: 2, 2: 1}.get) in ([1, 2], [2, 1])
