"""Purchases (incoming supply) against both backends: the returned value, the database
afterwards, and that every refusal left it exactly as it was."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError, InvalidInput, NotAllowed, NotFound
from backorder_cli.services import catalogue, fulfilment, integrity, purchases
from backorder_cli.storage.database import Database
from tests.conftest import snapshot

DEC1 = date(2026, 12, 1)


def refused(db: Database, where: str, error: type[BackorderError], match: str, fn, *args, **kw):
    before = snapshot(where)
    with pytest.raises(error, match=match):
        fn(db, *args, **kw)
    assert snapshot(where) == before


def stock(db: Database, sku: str) -> D:
    return next(p.stock for p in catalogue.list_products(db) if p.sku == sku)


def add(db: Database, *items: Item, supplier: str = "Kabel AB", expected: date = DEC1) -> int:
    return purchases.add_purchase(db, supplier=supplier, expected=expected, items=list(items))


def test_purchases_are_numbered_in_their_own_series(sample_db: Database) -> None:
    first = add(sample_db, Item("SWITCH-1", D(40), D("7.10")))
    second = add(sample_db, Item("CABLE-25", D(100)))
    assert (first, second) == (1, 2)
    detail = purchases.get_purchase(sample_db, first)
    assert detail.status == "open"
    assert [(ln.sku, ln.ordered, ln.open, ln.unit_cost) for ln in detail.lines] == [
        ("SWITCH-1", D(40), D(40), D("7.1"))
    ]
    assert [h.event for h in detail.history] == ["created"]
    assert list(integrity.check_database(sample_db)) == []


def test_receiving_raises_stock_and_records_it_on_the_line(sample_db: Database) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)), Item("CABLE-25", D(100)))
    change = purchases.receive_purchase(sample_db, n, [Item("SWITCH-1", D(30))])
    assert change.lines == [("SWITCH-1", D(30))]
    assert change.status == "open"
    assert stock(sample_db, "SWITCH-1") == D(30)
    lines = {ln.sku: ln for ln in purchases.get_purchase(sample_db, n).lines}
    assert (lines["SWITCH-1"].received, lines["SWITCH-1"].open) == (D(30), D(10))
    # the rest, with no lines named: everything still open
    change = purchases.receive_purchase(sample_db, n, None)
    assert change.lines == [("SWITCH-1", D(10)), ("CABLE-25", D(100))]
    assert change.status == "received"
    assert stock(sample_db, "SWITCH-1") == D(40)
    assert stock(sample_db, "CABLE-25") == D(500)
    assert list(integrity.check_database(sample_db)) == []


def test_a_receipt_makes_waiting_orders_ready(sample_db: Database) -> None:
    before = {a.number for a in fulfilment.ready_orders(sample_db)}
    n = add(sample_db, Item("SWITCH-1", D(30)))
    purchases.receive_purchase(sample_db, n, None)
    after = {a.number for a in fulfilment.ready_orders(sample_db)}
    assert after - before == {2399, 2400}  # SWITCH-1=6 and SWITCH-1=24 wait for it


def test_receiving_more_than_is_still_open_is_refused(sample_db: Database, target: str) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)))
    purchases.receive_purchase(sample_db, n, [Item("SWITCH-1", D(35))])
    refused(
        sample_db,
        target,
        NotAllowed,
        "only 5 x SWITCH-1 still to come, not 6",
        purchases.receive_purchase,
        n,
        [Item("SWITCH-1", D(6))],
    )


def test_receiving_a_sku_the_purchase_does_not_have_is_refused(
    sample_db: Database, target: str
) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)))
    refused(
        sample_db,
        target,
        NotAllowed,
        "has no line of CABLE-25",
        purchases.receive_purchase,
        n,
        [Item("CABLE-25", D(1))],
    )


def test_a_purchase_of_an_unknown_sku_is_refused(sample_db: Database, target: str) -> None:
    refused(
        sample_db,
        target,
        NotFound,
        "unknown SKU NOPE-1",
        purchases.add_purchase,
        supplier="X",
        expected=DEC1,
        items=[Item("NOPE-1", D(1))],
    )


def test_a_purchase_needs_a_line_and_a_supplier(sample_db: Database, target: str) -> None:
    refused(
        sample_db, target, InvalidInput, "at least one line", purchases.add_purchase,
        supplier="X", expected=DEC1, items=[],
    )  # fmt: skip
    refused(
        sample_db, target, InvalidInput, "supplier", purchases.add_purchase,
        supplier=" ", expected=DEC1, items=[Item("SWITCH-1", D(1))],
    )  # fmt: skip


def test_an_unknown_purchase_is_not_found(sample_db: Database, target: str) -> None:
    refused(sample_db, target, NotFound, "purchase #9 not found", purchases.get_purchase, 9)
    refused(sample_db, target, NotFound, "purchase #9", purchases.receive_purchase, 9, None)
    refused(sample_db, target, NotFound, "purchase #9", purchases.move_purchase, 9, DEC1)
    refused(sample_db, target, NotFound, "purchase #9", purchases.cancel_purchase, 9, [])


def test_moving_the_expected_date_is_recorded(sample_db: Database) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)))
    assert purchases.move_purchase(sample_db, n, date(2026, 12, 15)) == DEC1
    detail = purchases.get_purchase(sample_db, n)
    assert detail.expected == date(2026, 12, 15)
    assert detail.history[-1].detail == "expected 2026-12-01 -> 2026-12-15"


def test_canceling_a_line_leaves_the_rest_open(sample_db: Database) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)), Item("CABLE-25", D(100)))
    purchases.receive_purchase(sample_db, n, [Item("CABLE-25", D(60))])
    change = purchases.cancel_purchase(sample_db, n, ["CABLE-25"])
    assert change.lines == [("CABLE-25", D(40))]
    assert change.status == "open"
    assert [p.number for p in purchases.list_purchases(sample_db)] == [n]
    change = purchases.cancel_purchase(sample_db, n, [])
    assert change.lines == [("SWITCH-1", D(40))]
    assert change.status == "received"  # 60 CABLE-25 came; nothing is still to come
    assert purchases.list_purchases(sample_db) == []
    assert [p.number for p in purchases.list_purchases(sample_db, all_=True)] == [n]
    assert list(integrity.check_database(sample_db)) == []


def test_a_purchase_with_nothing_to_come_cannot_change(sample_db: Database, target: str) -> None:
    n = add(sample_db, Item("SWITCH-1", D(40)))
    purchases.cancel_purchase(sample_db, n, [])
    assert purchases.get_purchase(sample_db, n).status == "canceled"
    for fn, args in (
        (purchases.receive_purchase, (n, None)),
        (purchases.cancel_purchase, (n, [])),
        (purchases.move_purchase, (n, DEC1)),
    ):
        refused(sample_db, target, NotAllowed, f"purchase #{n} is canceled", fn, *args)


def test_listing_filters_by_supplier_and_sku_soonest_first(sample_db: Database) -> None:
    late = add(sample_db, Item("SWITCH-1", D(1)), supplier="Kabel AB", expected=date(2027, 1, 5))
    soon = add(sample_db, Item("CABLE-25", D(1)), supplier="Lys 100%", expected=date(2026, 12, 2))
    assert [p.number for p in purchases.list_purchases(sample_db)] == [soon, late]
    assert [p.number for p in purchases.list_purchases(sample_db, supplier="kabel")] == [late]
    assert [p.number for p in purchases.list_purchases(sample_db, supplier="100%")] == [soon]
    assert [p.number for p in purchases.list_purchases(sample_db, supplier="0_")] == []
    assert [p.number for p in purchases.list_purchases(sample_db, sku="CABLE-25")] == [soon]


PURCHASE_1_LINE = "(SELECT id FROM purchases WHERE number = 1)"


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            [f"UPDATE purchase_lines SET received = 41000 WHERE purchase_id = {PURCHASE_1_LINE}"],
            "purchase #1, line 1 (SWITCH-1): received 41 + canceled 0 is more than the 40 ordered",
        ),
        (
            [f"UPDATE purchase_lines SET canceled = -1000 WHERE purchase_id = {PURCHASE_1_LINE}"],
            "purchase #1, line 1 (SWITCH-1): canceled is -1",
        ),
        (
            ["UPDATE purchases SET status = 'received' WHERE number = 1"],
            "purchase #1: status is received but its lines make it open",
        ),
        (
            ["UPDATE counter SET value = 0 WHERE name = 'purchase'"],
            "the purchase series stands at 0, below #1 already used",
        ),
    ],
)
def test_check_reports_a_broken_purchase(
    sample_db: Database, target: str, statements: list[str], expected: str
) -> None:
    from tests.integration.test_check import tamper

    add(sample_db, Item("SWITCH-1", D(40)))
    assert list(integrity.check_database(sample_db)) == []
    tamper(target, *statements)
    assert expected in [str(v) for v in integrity.check_database(sample_db)]


def export_document(db: Database) -> dict:
    from backorder_cli.cli.output.json_format import to_json
    from backorder_cli.domain.orders import Archived
    from backorder_cli.services import export

    header = export.export_header(db)
    return json.loads(
        to_json({**header, "orders": list(export.iter_export(db, archived=Archived.ALL))})
    )


def test_purchases_and_supply_settings_survive_export_and_import(
    sample_db: Database, tmp_path: Path
) -> None:
    from backorder_cli.services import transfer
    from backorder_cli.storage.schema import init_database

    catalogue.edit_product(sample_db, "SWITCH-1", supplier="Kabel AB", lead_time=14)
    n = add(sample_db, Item("SWITCH-1", D(40), D("7.1")), Item("CABLE-25", D(100)))
    purchases.receive_purchase(sample_db, n, [Item("SWITCH-1", D(30))])
    purchases.cancel_purchase(sample_db, n, ["CABLE-25"])
    add(sample_db, Item("SWITCH-1", D(5)), expected=date(2027, 1, 2))
    document = export_document(sample_db)
    assert document["purchases"][0]["lines"][0] == {
        "sku": "SWITCH-1", "quantity": 40, "received": 30, "canceled": 0, "unit_cost": 7.1
    }  # fmt: skip
    copy, _ = init_database(str(tmp_path / "copy.db"))
    try:
        transfer.import_text(copy, json.dumps(document), source="export.json")
        again = export_document(copy)
        # The orders' history ends with the import's own entries; the rest is the same.
        for doc in (again, document):
            for order in doc["orders"]:
                order.pop("history", None)
        assert again == document
        assert [
            (p.number, p.status, p.open) for p in purchases.list_purchases(copy, all_=True)
        ] == [
            (1, "open", "10 x SWITCH-1"),
            (2, "open", "5 x SWITCH-1"),
        ]
        assert (
            purchases.add_purchase(copy, supplier="X", expected=DEC1, items=[Item("BOX-68", D(1))])
            == 3
        )
        assert list(integrity.check_database(copy)) == []
    finally:
        copy.dispose()


@pytest.mark.parametrize(
    ("purchase", "problem"),
    [
        (
            {"number": 1, "supplier": "X", "expected": "2026-12-01", "lines": []},
            "at least one line",
        ),
        (
            {"number": 1, "supplier": "X", "expected": "soon",
             "lines": [{"sku": "BOX-68", "quantity": 1}]},
            "purchases[0].expected",
        ),
        (
            {"number": 1, "supplier": "X", "expected": "2026-12-01",
             "lines": [{"sku": "NOPE-1", "quantity": 1}]},
            "unknown SKU NOPE-1",
        ),
        (
            {"number": 1, "supplier": "X", "expected": "2026-12-01",
             "lines": [{"sku": "BOX-68", "quantity": 1, "received": 2}]},
            "received 2 + canceled 0 is more than the 1 ordered",
        ),
        (
            {"number": 1, "expected": "2026-12-01", "lines": [{"sku": "BOX-68", "quantity": 1}]},
            "purchases[0].supplier",
        ),
    ],
)  # fmt: skip
def test_an_import_with_a_bad_purchase_is_refused_whole(
    sample_db: Database, target: str, purchase: dict, problem: str
) -> None:
    from backorder_cli.services import transfer

    document = {
        "products": [{"sku": "NEW-1", "name": "New"}],
        "orders": [],
        "purchases": [purchase],
    }
    before = snapshot(target)
    with pytest.raises(InvalidInput, match="nothing was imported") as refusal:
        transfer.import_text(sample_db, json.dumps(document), source="bad.json")
    assert any(problem in detail for detail in refusal.value.details), refusal.value.details
    assert snapshot(target) == before


def test_an_import_of_an_existing_purchase_number_is_refused(
    sample_db: Database, target: str
) -> None:
    from backorder_cli.services import transfer

    add(sample_db, Item("SWITCH-1", D(1)))
    purchase = {"number": 1, "supplier": "X", "expected": "2026-12-01",
                "lines": [{"sku": "BOX-68", "quantity": 1}]}  # fmt: skip
    document = {"products": [], "orders": [], "purchases": [purchase]}
    before = snapshot(target)
    with pytest.raises(InvalidInput) as refusal:
        transfer.import_text(sample_db, json.dumps(document), source="bad.json")
    assert refusal.value.details == [
        "purchases[0].number: purchase #1 already exists in the database"
    ]
    assert snapshot(target) == before
