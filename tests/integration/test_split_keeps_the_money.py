"""A split keeps the money (issue 11, items 4 and 6): an order, its invoices and its
backorders add up to the original to the cent, on both backends, and `check` verifies
it; what was canceled before a backorder does not count as moved to it."""

from __future__ import annotations

import json
from decimal import Decimal as D

from backorder_cli.domain.values import Item
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, integrity, orders, undo
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot
from tests.integration.test_check import tamper


def invoice_totals(db: Database, number: int) -> list[D]:
    return [i.total for i in orders.get_order(db, number).invoices]


def test_sample_2398_and_its_backorder_add_up_to_its_total(sample_db: Database) -> None:
    assert orders.get_order(sample_db, 2398).total == D("179.80")
    result = backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    assert result.invoice is not None and result.invoice.total == D("81.13")
    origin, backorder = orders.get_order(sample_db, 2398), orders.get_order(sample_db, 2402)
    assert (origin.total, backorder.total) == (D("81.13"), D("98.67"))
    assert origin.total + backorder.total == D("179.80")
    assert invoice_totals(sample_db, 2398) == [D("81.13")]
    # The backorder delivered and billed: all invoices of the chain add up to 179.80.
    catalogue.receive_stock(sample_db, "LED-9W", "15")
    catalogue.receive_stock(sample_db, "SOCKET-2", "4")
    fulfilment.ship(sample_db, 2402, None)
    fulfilment.invoice_order(sample_db, 2402)
    assert invoice_totals(sample_db, 2402) == [D("98.67")]
    assert sum(invoice_totals(sample_db, 2398) + invoice_totals(sample_db, 2402)) == D("179.80")
    assert list(integrity.check_database(sample_db)) == []


def test_the_preview_shows_the_invoice_the_backorder_makes(sample_db: Database) -> None:
    preview = backorders_service.preview_backorder(sample_db, 2398, invoice_first=True)
    assert preview.invoice_total == D("81.13")


def test_four_units_at_half_a_cent_bill_their_two_cents_in_one_unit_invoices(
    db: Database,
) -> None:
    catalogue.add_product(db, "P", name="Washer", price="0.005", stock="4")
    number = orders.add_order(db, customer="T", items=[Item("P", D(4))])
    assert orders.get_order(db, number).total == D("0.02")
    totals = []
    for _ in range(4):
        fulfilment.ship(db, number, [Item("P", D(1))])
        totals.append(fulfilment.invoice_order(db, number).total)
    assert totals == [D("0.01"), D("0.00"), D("0.01"), D("0.00")]
    assert sum(totals[:3]) == D("0.02")  # was 0.03
    assert sum(totals) == orders.get_order(db, number).total == D("0.02")
    assert list(integrity.check_database(db)) == []


def test_one_unit_invoices_then_a_backorder_add_up_to_the_line(db: Database) -> None:
    catalogue.add_product(db, "P", name="Washer", price="0.005", stock="3")
    number = orders.add_order(db, customer="T", items=[Item("P", D(7))])
    assert orders.get_order(db, number).total == D("0.04")  # 0.035 rounded once
    for _ in range(3):
        fulfilment.ship(db, number, [Item("P", D(1))])
        fulfilment.invoice_order(db, number)
    backorder = backorders_service.create_backorder(db, number).backorder
    kept = orders.get_order(db, number).total
    assert sum(invoice_totals(db, number)) == kept
    assert kept + orders.get_order(db, backorder).total == D("0.04")
    assert list(integrity.check_database(db)) == []
    # Undone, the origin gets back exactly what its backorder took.
    undo.undo_backorder(db, backorder)
    assert orders.get_order(db, number).total == D("0.04")
    assert list(integrity.check_database(db)) == []


BOX_68 = {
    "products": [{"sku": "BOX-68", "name": "Junction box", "price": "0.85", "stock": 0}],
    "orders": [
        {
            "number": 500,
            "customer": "T",
            "status": "partially_shipped",
            "lines": [
                {"sku": "BOX-68", "quantity": 10, "shipped": 2, "invoiced": 2, "canceled": 3}
            ],
        }
    ],
}


def test_what_was_canceled_before_the_backorder_is_not_counted_as_moved(
    db: Database, target: str
) -> None:
    transfer_service.import_text(db, json.dumps(BOX_68), source="box.json")
    assert orders.get_order(db, 500).total == D("5.95")  # 7 not canceled at 0.85
    backorder = backorders_service.create_backorder(db, 500).backorder
    assert [ln.quantity for ln in orders.get_order(db, backorder).lines] == [D(5)]
    assert orders.get_order(db, 500).total + orders.get_order(db, backorder).total == D("5.95")
    assert list(integrity.check_database(db)) == []  # was: 8 canceled but backorders hold 5
    # Undo gives back the 5 it moved, not the 3 canceled before.
    undo.undo_backorder(db, backorder)
    (line,) = orders.get_order(db, 500).lines
    assert (line.canceled, line.remaining) == (D(3), D(5))
    assert orders.get_order(db, 500).total == D("5.95")
    assert list(integrity.check_database(db)) == []


def test_an_import_of_a_split_chain_keeps_its_money(db: Database) -> None:
    doc = {
        "products": [{"sku": "LED", "name": "LED", "price": "3.245", "stock": 0}],
        "orders": [
            {
                "number": 11,
                "customer": "T",
                "backorder_of": 10,
                "lines": [{"sku": "LED", "quantity": 15}],
            },
            {
                "number": 10,
                "customer": "T",
                "status": "canceled",
                "archived": True,
                "lines": [
                    {"sku": "LED", "quantity": 40, "shipped": 25, "invoiced": 25, "canceled": 15}
                ],
            },
        ],
    }
    transfer_service.import_text(db, json.dumps(doc), source="chain.json")
    assert orders.get_order(db, 10).total == D("81.13")
    assert invoice_totals(db, 10) == [D("81.13")]
    assert orders.get_order(db, 11).total == D("48.67")  # 129.80 - 81.13, not 48.68
    assert list(integrity.check_database(db)) == []


def test_check_finds_a_backorder_holding_a_cent_more_than_was_moved(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    tamper(
        target,
        "UPDATE order_lines SET amount = amount + 1 WHERE order_id = "
        "(SELECT id FROM orders WHERE number = 2402) AND sku = 'LED-9W'",
        "UPDATE orders SET total = total + 1 WHERE number = 2402",
    )
    before = snapshot(target)
    assert [str(v) for v in integrity.check_database(sample_db)] == [
        "order #2398: 48.67 of LED-9W moved to backorders but they hold 48.68"
    ]
    assert snapshot(target) == before


def test_check_finds_invoices_that_do_not_add_up_to_the_line(
    sample_db: Database, target: str
) -> None:
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    run_sql(
        target,
        "UPDATE invoice_lines SET amount = amount + 1 WHERE invoice_id = "
        "(SELECT id FROM invoices WHERE number = 7)",
        "UPDATE invoices SET total = total + 1 WHERE number = 7",
    )
    assert [str(v) for v in integrity.check_database(sample_db)] == [
        "order #2398, line 1 (LED-9W): its invoices bill 81.14 but all of it is invoiced at 81.13"
    ]


def test_check_finds_more_backordered_than_canceled(sample_db: Database, target: str) -> None:
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    tamper(
        target,
        "UPDATE order_lines SET backordered = backordered + 1000 WHERE order_id = "
        "(SELECT id FROM orders WHERE number = 2398) AND sku = 'LED-9W'",
    )
    found = [str(v) for v in integrity.check_database(sample_db)]
    assert "order #2398, line 1 (LED-9W): backordered 16 is more than canceled 15" in found
