"""Promise dates (ETA), who waits for what, and what to buy, on a hand-computed company,
on both backends.

The company (stock on hand after the shipment below: SWITCH 10, BOX 3, CABLE 0):
- #1001 (Oct 1) SWITCH=60 BOX=1: shipped SWITCH=40, then backordered as #1004
  (SWITCH=20 BOX=1; its chain waits since Oct 1, and it is a backorder: first in line)
- #1002 (Oct 5) SWITCH=8 CABLE=50
- #1003 (Oct 6) SWITCH=15 BOX=4 CABLE=20
- purchase #1, expected 2027-01-20: SWITCH=12 CABLE=30
- purchase #2, expected 2027-01-10: SWITCH=10
- purchase #3, expected 2027-02-01: CABLE=30 BOX=1

By hand. Stock first, whole lines, in priority order #1004, #1002, #1003 (as `ready`):
#1004 BOX=1 (BOX 3 -> 2) and #1002 SWITCH=8 (SWITCH 10 -> 2) ship now; nothing else fits.
Then what is left, by expected date: SWITCH 2 now, 10 on Jan 10 (#2), 12 on Jan 20 (#1);
CABLE 30 on Jan 20 (#1), 30 on Feb 1 (#3); BOX 2 now, 1 on Feb 1 (#3).
- #1004 SWITCH=20: 2 + 10 + 8 of #1's 12 -> Jan 20, purchase #1 (4 SWITCH left)
- #1002 CABLE=50: 30 of #1 + 20 of #3's 30 -> Feb 1, purchase #3 (10 CABLE left)
- #1003 SWITCH=15: the last 4 -> 11 short; BOX=4: 2 + 1 -> 1 short; CABLE=20: 10 -> 10 short
Order ETAs: #1004 Jan 20; #1002 Feb 1; #1003 none. To buy: SWITCH 43 - 10 - 22 = 11,
CABLE 70 - 0 - 60 = 10, BOX 5 - 3 - 1 = 1 (the same as what is short).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import NotAllowed
from backorder_cli.services import (
    backorders,
    catalogue,
    fulfilment,
    integrity,
    orders,
    purchases,
    suggest,
    supply,
)
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot

JAN10, JAN20, FEB1 = date(2027, 1, 10), date(2027, 1, 20), date(2027, 2, 1)


@pytest.fixture
def company(db: Database, target: str) -> Database:
    add = catalogue.add_product
    add(db, "SWITCH", name="Switch", price=D(5), stock="50", supplier="Kabel AB", lead_time=14)
    add(db, "CABLE", name="Cable", price=D(1), unit="m", supplier="Kabel AB")
    add(db, "BOX", name="Box", price=D(2), stock="3", supplier="Box Co", lead_time=7)
    a = orders.add_order(db, customer="Alfa", items=[Item("SWITCH", D(60)), Item("BOX", D(1))])
    c = orders.add_order(db, customer="Charlie", items=[Item("SWITCH", D(8)), Item("CABLE", D(50))])
    d = orders.add_order(
        db, customer="Delta", items=[Item("SWITCH", D(15)), Item("BOX", D(4)), Item("CABLE", D(20))]
    )
    assert (a, c, d) == (1001, 1002, 1003)
    fulfilment.ship(db, a, [Item("SWITCH", D(40))])
    assert backorders.create_backorder(db, a, invoice_first=True).backorder == 1004
    for number, day in ((1001, "2026-10-01"), (1002, "2026-10-05"), (1003, "2026-10-06")):
        run_sql(target, f"UPDATE orders SET created_at = '{day} 09:00:00' WHERE number = {number}")
    run_sql(target, "UPDATE orders SET created_at = '2026-11-01 09:00:00' WHERE number = 1004")
    for expected, items in (
        (JAN20, [Item("SWITCH", D(12)), Item("CABLE", D(30))]),
        (JAN10, [Item("SWITCH", D(10))]),
        (FEB1, [Item("CABLE", D(30)), Item("BOX", D(1))]),
    ):
        purchases.add_purchase(db, supplier="Kabel AB", expected=expected, items=items)
    return db


def test_every_waiting_line_gets_its_hand_computed_eta(company: Database) -> None:
    today = supply.utc_today()
    found = [(p.number, p.sku, p.eta, p.source, p.short) for p in supply.promises(company)]
    assert found == [
        (1004, "SWITCH", JAN20, "purchase #1", D(0)),
        (1004, "BOX", today, "stock", D(0)),
        (1002, "SWITCH", today, "stock", D(0)),
        (1002, "CABLE", FEB1, "purchase #3", D(0)),
        (1003, "SWITCH", None, None, D(11)),
        (1003, "BOX", None, None, D(1)),
        (1003, "CABLE", None, None, D(10)),
    ]


def test_an_orders_eta_is_its_latest_line_and_none_when_one_has_none(company: Database) -> None:
    assert supply.etas(company) == {1004: JAN20, 1002: FEB1, 1003: None}
    # orders list -f json / csv, --eta-before and --no-eta read the same ETAs
    listed = {row.number: row.eta for row in orders.iter_orders(company, with_eta=True)}
    assert listed == {1004: JAN20, 1002: FEB1, 1003: None}  # #1001 is archived
    assert [row.number for row in orders.iter_orders(company, eta_before=FEB1)] == [1004]
    assert [row.number for row in orders.iter_orders(company, no_eta=True)] == [1003]


def test_orders_show_carries_the_etas(company: Database) -> None:
    today = supply.utc_today()
    shown = orders.get_order(company, 1004)
    assert shown.eta == JAN20
    assert [(ln.sku, ln.eta, ln.eta_source, ln.short) for ln in shown.lines] == [
        ("SWITCH", JAN20, "purchase #1", None),
        ("BOX", today, "stock", None),
    ]
    shown = orders.get_order(company, 1003)
    assert shown.eta is None
    assert [(ln.eta, ln.short) for ln in shown.lines] == [
        (None, D(11)),
        (None, D(1)),
        (None, D(10)),
    ]
    shown = orders.get_order(company, 1002)
    assert shown.eta == FEB1
    assert [(ln.sku, ln.eta, ln.eta_source, ln.short) for ln in shown.lines] == [
        ("SWITCH", today, "stock", None),
        ("CABLE", FEB1, "purchase #3", None),
    ]
    canceled = orders.get_order(company, 1001)
    assert canceled.eta is None and all(ln.eta_source is None for ln in canceled.lines)


def test_the_stock_eta_is_exactly_what_ready_ships(company: Database) -> None:
    ready = {(a.number, sku) for a in fulfilment.ready_orders(company) for _p, sku, _q in a.ship}
    from_stock = {(p.number, p.sku) for p in supply.promises(company) if p.source == "stock"}
    assert ready == from_stock == {(1004, "BOX"), (1002, "SWITCH")}


def test_a_moved_purchase_moves_the_etas(company: Database) -> None:
    purchases.move_purchase(company, 2, date(2027, 3, 1))  # SWITCH 10 now after #1
    # SWITCH for #1004: 2 now + 12 of #1 (Jan 20) + 6 of #2 (Mar 1)
    assert supply.etas(company)[1004] == date(2027, 3, 1)


def test_a_canceled_purchase_no_longer_promises(company: Database) -> None:
    purchases.cancel_purchase(company, 3, ["CABLE"])
    found = {(p.number, p.sku): (p.eta, p.short) for p in supply.promises(company)}
    assert found[(1002, "CABLE")] == (None, D(20))
    assert found[(1003, "CABLE")] == (None, D(20))


def test_a_receipt_turns_a_promise_into_stock(company: Database) -> None:
    purchases.receive_purchase(company, 2, None)  # 10 SWITCH arrive: 20 on hand
    found = {(p.number, p.sku): (p.eta, p.source, p.short) for p in supply.promises(company)}
    # #1004, first in line, now ships SWITCH=20 from stock; #1002's 8 wait for #1's 12
    assert found[(1004, "SWITCH")] == (supply.utc_today(), "stock", D(0))
    assert found[(1002, "SWITCH")] == (JAN20, "purchase #1", D(0))
    assert found[(1003, "SWITCH")] == (None, None, D(11))
    assert list(integrity.check_database(company)) == []


def test_products_show_figures(company: Database) -> None:
    today = supply.utc_today()
    shown = supply.product_supply(company, "SWITCH")
    assert (shown.stock, shown.claimed, shown.available, shown.incoming) == (
        D(10), D(43), D(-33), D(22)
    )  # fmt: skip
    assert [(p.purchase, p.expected, p.quantity) for p in shown.purchases] == [
        (2, JAN10, D(10)),
        (1, JAN20, D(12)),
    ]
    waiting = [
        (w.number, w.customer, w.quantity, w.eta, w.eta_source, w.short) for w in shown.waiting
    ]
    assert waiting == [
        (1004, "Alfa", D(20), JAN20, "purchase #1", None),
        (1002, "Charlie", D(8), today, "stock", None),
        (1003, "Delta", D(15), None, None, D(11)),
    ]  # fmt: skip
    box = supply.product_supply(company, "BOX")
    assert (box.stock, box.claimed, box.available, box.incoming) == (D(3), D(5), D(-2), D(1))
    assert [(p.purchase, p.expected, p.quantity) for p in box.purchases] == [(3, FEB1, D(1))]
    assert [(w.number, w.quantity, w.eta, w.eta_source, w.short) for w in box.waiting] == [
        (1004, D(1), today, "stock", None),
        (1003, D(4), None, None, D(1)),
    ]
    cable = supply.product_supply(company, "CABLE")
    assert (cable.stock, cable.claimed, cable.available, cable.incoming) == (
        D(0), D(70), D(-70), D(60)
    )  # fmt: skip
    assert [(p.purchase, p.expected, p.quantity) for p in cable.purchases] == [
        (1, JAN20, D(30)),
        (3, FEB1, D(30)),
    ]
    assert [(w.number, w.quantity, w.eta, w.eta_source, w.short) for w in cable.waiting] == [
        (1002, D(50), FEB1, "purchase #3", None),
        (1003, D(20), None, None, D(10)),
    ]


def test_who_waits_for_a_sku_in_priority_order(company: Database) -> None:
    assert supply.numbers_waiting_for(company, "SWITCH") == [1004, 1002, 1003]
    assert supply.numbers_waiting_for(company, "CABLE") == [1002, 1003]
    assert supply.numbers_waiting_for(company, "BOX") == [1004, 1003]


def test_suggest_buys_what_no_known_supply_covers(company: Database) -> None:
    today = supply.utc_today()
    found = [
        (s.supplier, s.sku, s.demand, s.stock, s.incoming, s.quantity, s.arrives)
        for s in suggest.suggestions(company)
    ]
    assert found == [
        ("Box Co", "BOX", D(5), D(3), D(1), D(1), today + timedelta(7)),
        ("Kabel AB", "CABLE", D(70), D(0), D(60), D(10), None),
        ("Kabel AB", "SWITCH", D(43), D(10), D(22), D(11), today + timedelta(14)),
    ]
    assert [s.sku for s in suggest.suggestions(company, supplier="box")] == ["BOX"]
    shorts: dict[str, D] = {}
    for p in supply.promises(company):
        shorts[p.sku] = shorts.get(p.sku, D(0)) + p.short
    assert {s.sku: s.quantity for s in suggest.suggestions(company)} == shorts


def test_creating_the_suggestions_makes_one_purchase_per_supplier(company: Database) -> None:
    today = supply.utc_today()
    made = suggest.create_suggested(company, suggest.suggestions(company))
    assert [(p.supplier, p.number, p.expected, p.lines) for p in made] == [
        ("Box Co", 4, today + timedelta(7), [("BOX", D(1))]),
        # CABLE has no lead time; SWITCH could arrive in 14 days: the purchase waits for both
        ("Kabel AB", 5, today + timedelta(14), [("CABLE", D(10)), ("SWITCH", D(11))]),
    ]
    assert suggest.suggestions(company) == []
    # Nothing is short any more. The new purchases come before #1 and #3, so they serve
    # whoever is first in line: #1002 now takes 10 CABLE of #5 (Dec), 30 of #1 and 10 of
    # #3, #1003 the last 20 of #3 (Feb 1); BOX: 2 on hand, 1 of #4, 1 of #3 (Feb 1);
    # SWITCH for #1004: 2 on hand, 11 of #5, 7 of #2 (Jan 10).
    assert supply.etas(company) == {1004: JAN10, 1002: FEB1, 1003: FEB1}
    assert list(integrity.check_database(company)) == []


def test_creating_refuses_suggestions_that_changed_since_listed(
    company: Database, target: str
) -> None:
    listed = suggest.suggestions(company)
    purchases.add_purchase(company, supplier="X", expected=FEB1, items=[Item("BOX", D(1))])
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="changed since it was listed"):
        suggest.create_suggested(company, listed)
    assert snapshot(target) == before


def test_creating_refuses_a_sku_without_a_supplier(company: Database, target: str) -> None:
    catalogue.edit_product(company, "CABLE", supplier="")
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="CABLE has no supplier"):
        suggest.create_suggested(company, suggest.suggestions(company))
    assert snapshot(target) == before


def test_explain_names_the_earlier_orders_that_took_the_stock(company: Database) -> None:
    found = [
        (e.number, e.sku, e.on_hand, e.taken_by, e.eta, e.short)
        for e in supply.explanations(company)
    ]
    assert found == [
        (1004, "SWITCH", D(10), [], JAN20, D(0)),  # first in line: 10 on hand is too few
        (1002, "CABLE", D(0), [], FEB1, D(0)),
        (1003, "SWITCH", D(10), [(1002, D(8))], None, D(11)),
        (1003, "BOX", D(3), [(1004, D(1))], None, D(1)),
        (1003, "CABLE", D(0), [], None, D(10)),
    ]
