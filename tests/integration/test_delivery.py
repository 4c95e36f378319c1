"""After the backorder, on a real database (SQLite and PostgreSQL): what can ship now,
undo, lineage, the backorder report and the log."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import InvalidInput, NotAllowed, NotFound
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, integrity, orders, reports, undo
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot

TODAY = date(2026, 11, 26)


def line(sku: str, quantity: int, **kw: int) -> dict:
    return {"sku": sku, "quantity": quantity, **kw}


# A hand-made company. Stock: A 10, B 3, C 0. Three backorders wait (3002, 3004,
# 3006, of the canceled 3001, 3003, 3005) and one plain order (3007).
COMPANY = {
    "products": [
        {"sku": "A", "name": "Part A", "price": "2.00", "stock": 10},
        {"sku": "B", "name": "Part B", "price": "1.50", "stock": 3},
        {"sku": "C", "name": "Part C", "price": "10.00", "stock": 0},
    ],
    "orders": [
        {
            "number": 3001,
            "customer": "Alpha",
            "status": "canceled",
            "archived": True,
            "created_at": "2026-06-01T09:00:00Z",
            "lines": [
                line("A", 10, shipped=4, invoiced=4, canceled=6),
                line("C", 2, shipped=1, invoiced=1, canceled=1),
            ],
        },
        {
            "number": 3002,
            "customer": "Alpha",
            "backorder_of": 3001,
            "created_at": "2026-07-01T09:00:00Z",
            "lines": [line("A", 6), line("C", 1)],
        },
        {
            "number": 3003,
            "customer": "Beta",
            "status": "canceled",
            "archived": True,
            "created_at": "2026-10-01T09:00:00Z",
            "lines": [line("B", 5, shipped=1, invoiced=1, canceled=4)],
        },
        {
            "number": 3004,
            "customer": "Beta",
            "backorder_of": 3003,
            "created_at": "2026-10-20T09:00:00Z",
            "lines": [line("B", 4)],
        },
        {
            "number": 3005,
            "customer": "Alpha",
            "status": "canceled",
            "archived": True,
            "created_at": "2026-11-10T09:00:00Z",
            "lines": [line("A", 3, shipped=1, invoiced=1, canceled=2)],
        },
        {
            "number": 3006,
            "customer": "Alpha",
            "backorder_of": 3005,
            "created_at": "2026-11-22T09:00:00Z",
            "lines": [line("A", 2)],
        },
        {
            "number": 3007,
            "customer": "Gamma",
            "created_at": "2026-09-01T09:00:00Z",
            "lines": [line("A", 5), line("B", 2)],
        },
    ],
}


@pytest.fixture
def company(db: Database) -> Database:
    transfer_service.import_text(db, json.dumps(COMPANY), source="company.json")
    assert list(integrity.check_database(db)) == []
    return db


def test_ready_allocates_backorders_first_then_the_oldest_in_whole_lines(
    company: Database,
) -> None:
    got = [(a.number, a.cover, a.ship, a.waiting) for a in fulfilment.ready_orders(company)]
    assert got == [
        # backorder from July: 6 of A fit (4 left), C has no stock
        (3002, "partial", [(1, "A", D(6))], [(2, "C", D(1))]),
        # 3004 (4 of B, 3 on hand) is covered by nothing and left out
        (3006, "full", [(1, "A", D(2))], []),  # 2 of A left
        # the plain order comes after the backorders, although older than 3006
        (3007, "partial", [(2, "B", D(2))], [(1, "A", D(5))]),
    ]


def test_ready_ship_records_exactly_the_listed_lines_and_leaves_a_sound_database(
    company: Database,
) -> None:
    outcomes = list(fulfilment.ship_ready(company, fulfilment.ready_orders(company)))
    assert [(o.order, o.ok, o.status, o.shipped) for o in outcomes] == [
        (3002, True, "partially_shipped", [("A", D(6))]),
        (3006, True, "shipped", [("A", D(2))]),
        (3007, True, "partially_shipped", [("B", D(2))]),
    ]
    assert {p.sku: p.stock for p in catalogue.list_products(company)} == {
        "A": D(2),
        "B": D(1),
        "C": D(0),
    }
    assert list(integrity.check_database(company)) == []
    assert [a.number for a in fulfilment.ready_orders(company)] == []  # nothing more fits
    history = orders.get_order(company, 3006).history
    assert history[-1].event == "shipped" and history[-1].detail == "2 x A (ready)"


def test_ready_ship_refuses_an_order_whose_stock_went_meanwhile(company: Database) -> None:
    allocations = fulfilment.ready_orders(company)
    fulfilment.ship(company, 3007, [Item("A", D(5))])  # someone else takes 5 of A first
    untouched = orders.get_order(company, 3002)
    outcomes = list(fulfilment.ship_ready(company, allocations))
    # 5 of A are left: #3002's 6 no longer fit, #3006's 2 still do.
    assert [(o.order, o.ok, o.error) for o in outcomes] == [
        (3002, False, "stock of A no longer covers order #3002 - run `backorder ready` again"),
        (3006, True, None),
        (3007, True, None),
    ]
    assert orders.get_order(company, 3002) == untouched
    assert {p.sku: p.stock for p in catalogue.list_products(company)}["A"] == D(3)
    assert list(integrity.check_database(company)) == []


def test_undo_puts_every_quantity_back_where_it_was(sample_db: Database, target: str) -> None:
    before = orders.get_order(sample_db, 2401)
    backorders_service.create_backorder(sample_db, 2401)
    result = undo.undo_backorder(sample_db, 2402, reason="wrong order")
    assert (result.number, result.origin, result.origin_status) == (
        2402,
        2401,
        "partially_shipped",
    )
    assert result.lines == [("CABLE-15", D(150)), ("SWITCH-1", D(12))]
    after = orders.get_order(sample_db, 2401)
    assert after.lines == before.lines
    assert (after.status, after.archived, after.total) == (
        before.status,
        before.archived,
        before.total,
    )
    undone = orders.get_order(sample_db, 2402)
    assert (undone.status, undone.archived, undone.backorder_of) == ("canceled", True, None)
    assert all(ln.canceled == ln.quantity and ln.remaining == 0 for ln in undone.lines)
    assert undone.total == 0
    assert "undone (wrong order)" in undone.comment
    assert after.history[-1].event == "backorder undone"
    assert undone.history[-1].event == "undone"
    assert list(integrity.check_database(sample_db)) == []
    # The original can be backordered again, under the next number.
    assert backorders_service.create_backorder(sample_db, 2401).backorder == 2403


def test_undo_is_refused_after_a_shipment_and_changes_nothing(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    catalogue.receive_stock(sample_db, "CABLE-15", "20")
    fulfilment.ship(sample_db, 2402, [Item("CABLE-15", D(20))])
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="#2402 is already shipped in part"):
        undo.undo_backorder(sample_db, 2402)
    assert snapshot(target) == before


@pytest.mark.parametrize(
    ("number", "error", "problem"),
    [
        (2396, NotAllowed, "order #2396 is not a backorder"),
        (9999, NotFound, "order #9999 not found"),
    ],
)
def test_undo_refusals_are_named(
    sample_db: Database, target: str, number: int, error: type, problem: str
) -> None:
    before = snapshot(target)
    with pytest.raises(error, match=problem):
        undo.undo_backorder(sample_db, number)
    with pytest.raises(error, match=problem):
        undo.preview_undo(sample_db, number)
    assert snapshot(target) == before


def test_undoing_twice_is_refused(sample_db: Database) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    undo.undo_backorder(sample_db, 2402)
    with pytest.raises(NotAllowed, match="#2402 was already undone on "):
        undo.undo_backorder(sample_db, 2402)


def backorder_again(db: Database, number: int, sku: str, quantity: int) -> int:
    """Ship part of an order from fresh stock, invoice it, and backorder the rest."""
    catalogue.receive_stock(db, sku, str(quantity))
    fulfilment.ship(db, number, [Item(sku, D(quantity))])
    fulfilment.invoice_order(db, number)
    return backorders_service.create_backorder(db, number).backorder


def test_a_chain_of_three_backorders(sample_db: Database) -> None:
    first = backorders_service.create_backorder(sample_db, 2401).backorder
    second = backorder_again(sample_db, first, "CABLE-15", 50)
    third = backorder_again(sample_db, second, "CABLE-15", 50)
    assert (first, second, third) == (2402, 2403, 2404)
    for member in (2401, 2402, 2403, 2404):
        assert orders.get_order(sample_db, member).chain == [2401, 2402, 2403, 2404]
    links = undo.order_chain(sample_db, 2403)
    assert [(ln.number, ln.status, ln.backorder_of, ln.remaining) for ln in links] == [
        (2401, "canceled", None, []),
        (2402, "canceled", 2401, []),
        (2403, "canceled", 2402, []),
        (2404, "booked", 2403, [("CABLE-15", D(50)), ("SWITCH-1", D(12))]),
    ]
    assert orders.get_order(sample_db, 2396).chain == [2396]  # in no chain


def test_report_by_sku_matches_the_hand_computed_figures(company: Database) -> None:
    rows = reports.backorder_report(company, by="sku", today=TODAY)
    assert [
        (r.key, r.quantity, r.waiting, r.on_hand, r.shortfall, r.orders, r.lines, r.value)
        for r in rows
    ] == [
        # 6 on 3002 + 2 on 3006, at 2.00; to buy counts every waiting order (as suggest):
        # the plain order 3007 waits for 5 more, so 13 wanted, 10 on hand: 3 to buy
        ("A", D(8), D(13), D(10), D(3), 2, 2, D("16.00")),
        ("B", D(4), D(6), D(3), D(3), 1, 1, D("6.00")),  # 4 on 3004 + 2 on 3007; 3 on hand
        ("C", D(1), D(1), D(0), D(1), 1, 1, D("10.00")),
    ]
    assert sum(r.value for r in rows) == D("32.00")


def test_report_by_customer_and_by_age_match_the_hand_computed_figures(
    company: Database,
) -> None:
    # Ages count from each chain's first order (3001, 3003, 3005), when the customer ordered.
    by_customer = reports.backorder_report(company, by="customer", today=TODAY)
    assert [(r.key, r.orders, r.lines, r.value, r.oldest_days) for r in by_customer] == [
        ("Alpha", 2, 3, D("26.00"), 178),  # 3002 (A 12.00, C 10.00) and 3006 (A 4.00)
        ("Beta", 1, 1, D("6.00"), 56),
    ]
    by_age = reports.backorder_report(company, by="age", today=TODAY)
    assert [(r.key, r.orders, r.lines, r.value) for r in by_age] == [
        ("0-7 days", 0, 0, D("0")),
        ("8-30 days", 1, 1, D("4.00")),  # 3006, 16 days since 3005
        ("31-90 days", 1, 1, D("6.00")),  # 3004, 56 days since 3003
        ("over 90 days", 1, 2, D("22.00")),  # 3002, 178 days since 3001
    ]
    # Fifteen days later 3006 has waited 31 days.
    later = reports.backorder_report(company, by="age", today=TODAY + timedelta(days=15))
    assert [(r.key, r.orders) for r in later][:3] == [
        ("0-7 days", 0),
        ("8-30 days", 0),
        ("31-90 days", 2),
    ]


def test_report_leaves_out_shipped_and_canceled_quantities(company: Database) -> None:
    list(fulfilment.ship_ready(company, fulfilment.ready_orders(company)))
    rows = {r.key: r for r in reports.backorder_report(company, by="sku", today=TODAY)}
    assert set(rows) == {"B", "C"}  # A's backordered lines all shipped
    assert (rows["B"].quantity, rows["C"].quantity) == (D(4), D(1))


def test_report_by_something_else_is_refused(company: Database) -> None:
    with pytest.raises(InvalidInput, match="cannot report by 'color'"):
        reports.backorder_report(company, by="color")


def test_the_log_streams_every_change_and_filters_by_order_and_day(
    sample_db: Database,
) -> None:
    backorders_service.create_backorder(sample_db, 2401)
    everything = list(reports.iter_log(sample_db))
    assert len(everything) >= 14  # 12 imported, backordered, created, invoices...
    assert [e.at for e in everything] == sorted(e.at for e in everything)
    mine = list(reports.iter_log(sample_db, order=2402))
    assert [(e.order, e.event) for e in mine] == [(2402, "created")]
    assert mine[0].detail == "as backorder of order #2401: 150 x CABLE-15, 12 x SWITCH-1"
    assert mine[0].user == everything[-1].user != ""
    today = everything[-1].at.date()
    assert len(list(reports.iter_log(sample_db, since=today))) == len(everything)
    assert list(reports.iter_log(sample_db, since=today + timedelta(days=1))) == []
    with pytest.raises(NotFound, match="order #9999 not found"):
        reports.iter_log(sample_db, order=9999)


def test_ready_ship_writes_one_group_and_an_order_refused_after_its_shipment_rolls_back_alone(
    company: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#3006's policy step refuses once its shipment is written: its savepoint takes the
    shipment back, and #3002 before it and #3007 after it ship in the same commit."""
    from backorder_cli.services import policies

    real_follow_up = policies.follow_up

    def follow_up(session: Any, order: Any, *args: Any, **kwargs: Any) -> Any:
        if order.number == 3006:
            raise NotAllowed("order #3006 is refused by the test", code="test")
        return real_follow_up(session, order, *args, **kwargs)

    monkeypatch.setattr(policies, "follow_up", follow_up)
    untouched = orders.get_order(company, 3006)
    commits = company.commits
    outcomes = list(fulfilment.ship_ready(company, fulfilment.ready_orders(company)))
    assert [(o.order, o.ok, o.error) for o in outcomes] == [
        (3002, True, None),
        (3006, False, "order #3006 is refused by the test"),
        (3007, True, None),
    ]
    assert company.commits == commits + 1  # one group, one commit
    assert orders.get_order(company, 3006) == untouched
    assert {p.sku: p.stock for p in catalogue.list_products(company)} == {
        "A": D(4),  # #3006's 2 of A went back with its savepoint
        "B": D(1),
        "C": D(0),
    }
    assert list(integrity.check_database(company)) == []


def test_ready_ship_rechecks_each_order_against_the_ones_before_it_in_its_group(
    company: Database,
) -> None:
    """Stock that went meanwhile is seen through the group's own shipments: 6 of A are
    left, #3002 takes them, and #3006 (2 of A), in the same transaction, is refused."""
    allocations = fulfilment.ready_orders(company)
    fulfilment.ship(company, 3007, [Item("A", D(4))])  # someone else takes 4 of A first
    outcomes = list(fulfilment.ship_ready(company, allocations))
    assert [(o.order, o.ok, o.error) for o in outcomes] == [
        (3002, True, None),
        (3006, False, "stock of A no longer covers order #3006 - run `backorder ready` again"),
        (3007, True, None),
    ]
    assert {p.sku: p.stock for p in catalogue.list_products(company)}["A"] == D(0)
    assert list(integrity.check_database(company)) == []
