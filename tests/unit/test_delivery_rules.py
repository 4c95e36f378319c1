"""The rules after the backorder, on plain objects: allocation of stock to waiting
orders, undoing a backorder, age bands, chains."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from backorder_cli import domain
from backorder_cli.domain import Waiting
from backorder_cli.errors import NotAllowed
from tests.unit.test_domain import Line, Order


def day(n: int) -> datetime:
    return datetime(2026, 11, n, tzinfo=UTC)


def test_backorders_come_first_then_the_oldest_order() -> None:
    old_order = Waiting(10, "a", None, day(1), [(1, "A", D(5))])
    young_backorder = Waiting(30, "b", 29, day(20), [(1, "A", D(5))])
    old_backorder = Waiting(20, "c", 19, day(10), [(1, "A", D(5))])
    got = domain.allocate([old_order, young_backorder, old_backorder], {"A": D(10)})
    assert [(a.number, a.cover) for a in got] == [(20, "full"), (30, "full")]


def test_two_orders_never_count_the_same_units() -> None:
    first = Waiting(1, "a", None, day(1), [(1, "A", D(4)), (2, "B", D(1))])
    second = Waiting(2, "b", None, day(2), [(1, "A", D(4))])
    third = Waiting(3, "c", None, day(3), [(1, "A", D("2.5"))])
    got = domain.allocate([third, second, first], {"A": D("6.5"), "B": D(1)})
    # 6.5 of A: the first takes 4, the second's 4 no longer fit, the third's 2.5 do.
    assert [(a.number, a.cover, a.ship, a.waiting) for a in got] == [
        (1, "full", [(1, "A", D(4)), (2, "B", D(1))], []),
        (3, "full", [(1, "A", D("2.5"))], []),
    ]


def test_partial_cover_ships_whole_lines_only() -> None:
    order = Waiting(1, "a", None, day(1), [(1, "A", D(10)), (2, "B", D(3)), (3, "A", D(2))])
    (got,) = domain.allocate([order], {"A": D(5), "B": D(3)})
    assert got.cover == "partial"
    assert got.ship == [(2, "B", D(3)), (3, "A", D(2))]  # 10 of A do not fit; 2 do
    assert got.waiting == [(1, "A", D(10))]


def test_an_order_stock_covers_nothing_of_is_left_out() -> None:
    order = Waiting(1, "a", None, day(1), [(1, "A", D(10))])
    assert domain.allocate([order], {"A": D(9)}) == []
    assert domain.allocate([order], {}) == []


def test_the_allocation_is_the_same_whatever_order_it_is_given_in() -> None:
    orders = [
        Waiting(n, "x", None if n % 2 else n - 1, day(1 + n % 5), [(1, "A", D(n % 4 + 1))])
        for n in range(1, 12)
    ]
    expected = domain.allocate(orders, {"A": D(9)})
    assert domain.allocate(list(reversed(orders)), {"A": D(9)}) == expected


def test_a_ready_shipment_is_refused_when_the_order_or_stock_moved_on() -> None:
    lines = [Line("A", D(5)), Line("B", D(2))]
    order = Order(status="booked", archived=False)
    planned = [(1, "A", D(5))]
    assert domain.plan_ready_shipment(order, lines, planned, {"A": D(5)}) == [(lines[0], D(5))]
    with pytest.raises(NotAllowed, match="changed since it was listed"):
        domain.plan_ready_shipment(order, lines, [(1, "A", D(4))], {"A": D(5)})
    with pytest.raises(NotAllowed, match="stock of A no longer covers"):
        domain.plan_ready_shipment(order, lines, planned, {"A": D(4)})
    with pytest.raises(NotAllowed, match="is canceled"):
        domain.plan_ready_shipment(Order(status="canceled"), lines, planned, {"A": D(5)})


def undo(backorder_lines, origin_lines, **kw):  # type: ignore[no-untyped-def]
    options = {
        "backorder_of": 2401,
        "invoiced": False,
        "origin": Order(2401, "canceled", True),
        "origin_lines": origin_lines,
    } | kw
    return domain.plan_undo(Order(2402, "booked", False), lines=backorder_lines, **options)


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
        ([Line("A", D(7))], {}, "did not cancel 1 of A"),
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
    assert domain.age_bucket(days) == band


def test_a_chain_runs_from_the_first_order_to_the_last_backorder() -> None:
    parent = {2402: 2401, 2401: None, 2403: 2402, 2404: 2403}
    child = {2401: 2402, 2402: 2403, 2403: 2404}
    for member in (2401, 2402, 2404):
        assert domain.chain_of(member, parent, child) == [2401, 2402, 2403, 2404]
    assert domain.chain_of(7, {7: None}, {}) == [7]


def test_a_chain_with_a_loop_edited_in_by_hand_still_ends() -> None:
    assert domain.chain_of(1, {1: 2, 2: 1}, {1: 2, 2: 1}) in ([1, 2], [2, 1])
