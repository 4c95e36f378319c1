"""The import file: all or nothing, every problem named with its place."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from backorder_cli.domain.orders import Status
from backorder_cli.domain.values import Item
from backorder_cli.errors import InvalidInput, NotAllowed, NotFound
from backorder_cli.services import catalogue
from backorder_cli.services import orders as orders_service
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot

PRODUCTS = [{"sku": "CAB", "name": "Cable", "unit": "m", "price": "1.95", "stock": 10}]


def doc(*orders: dict, products: list | None = None) -> str:
    return json.dumps(
        {"products": PRODUCTS if products is None else products, "orders": list(orders)}
    )


def test_the_sample_has_every_status_and_the_seed_example(sample_db: Database) -> None:
    orders = list(orders_service.iter_orders(sample_db, archived="all"))
    assert len(orders) >= 12
    assert {o.status for o in orders} == {s.value for s in Status}
    assert len({o.customer for o in orders}) >= 4
    assert len(catalogue.list_products(sample_db)) >= 6
    assert max(o.number for o in orders) == 2401
    seed = orders_service.get_order(sample_db, 2401)
    assert seed.status == Status.PARTIALLY_SHIPPED
    stock = {p.sku: p.stock for p in catalogue.list_products(sample_db)}
    out_of_stock = [ln.sku for ln in seed.lines if ln.remaining > 0 and stock[ln.sku] == 0]
    assert len(out_of_stock) == 2
    assert all(ln.invoiced == ln.shipped for ln in seed.lines)
    # A partially shipped order with uninvoiced shipments, and an archived backordered one.
    assert any(ln.shipped > ln.invoiced for ln in orders_service.get_order(sample_db, 2398).lines)
    old = orders_service.get_order(sample_db, 2390)
    assert (old.status, old.archived, old.backorders) == ("canceled", True, [2391])


def test_the_sample_is_refused_when_orders_exist(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    with pytest.raises(NotAllowed, match="already holds 12 orders"):
        transfer_service.load_sample(sample_db)
    assert snapshot(target) == before


def test_an_import_keeps_quantities_invoices_and_links(db: Database) -> None:
    result = transfer_service.import_text(
        db,
        doc(
            {
                "number": 10,
                "customer": "A",
                "status": "canceled",
                "archived": True,
                "lines": [
                    {
                        "sku": "CAB",
                        "quantity": "2.5",
                        "shipped": 1,
                        "invoiced": 1,
                        "canceled": "1.5",
                    }
                ],
            },
            {
                "number": 11,
                "customer": "A",
                "backorder_of": 10,
                "lines": [{"sku": "CAB", "quantity": "1.5", "unit_price": "2.0001"}],
            },
        ),
        source="x.json",
    )
    assert (result.products, result.orders, result.invoices) == (1, 2, 1)
    ten = orders_service.get_order(db, 10)
    assert (ten.status, ten.archived, ten.backorders) == ("canceled", True, [11])
    assert [inv.total for inv in ten.invoices] == [D("1.95")]
    eleven = orders_service.get_order(db, 11)
    assert eleven.lines[0].unit_price == D("2.0001")
    assert eleven.lines[0].name == "Cable"
    # Imported numbers below the series' start leave the series where it was.
    assert orders_service.add_order(db, customer="B", items=[Item("CAB", D(1))]) == 1001


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("{not json", ["not valid JSON (line 1"]),
        ("[]", ["must hold a JSON object"]),
        (
            doc({"number": 1, "customer": "A", "lines": [{"sku": "NOPE", "quantity": 1}]}),
            ["orders[0].lines[0].sku: unknown SKU NOPE"],
        ),
        (
            doc({"number": 1, "customer": "A", "lines": [{"sku": "CAB", "quantity": -2}]}),
            ["orders[0].lines[0].quantity: value must be greater than zero"],
        ),
        (
            doc({"number": 1, "customer": "A", "lines": [{"sku": "CAB", "quantity": "lots"}]}),
            ["orders[0].lines[0].quantity: value must be a plain decimal number"],
        ),
        (
            doc(
                {"number": 1, "customer": "A", "lines": [{"sku": "CAB", "quantity": 1}]},
                {"number": 1, "customer": "B", "lines": [{"sku": "CAB", "quantity": 1}]},
            ),
            ["orders[1].number: order #1 is also at orders[0]"],
        ),
        (
            doc(
                {"number": 2, "customer": "", "lines": []},
                {
                    "number": 3,
                    "customer": "C",
                    "lines": [{"sku": "CAB", "quantity": 1, "shipped": 1, "invoiced": 2}],
                },
                {
                    "number": 4,
                    "customer": "D",
                    "status": "invoiced",
                    "lines": [{"sku": "CAB", "quantity": 2, "shipped": 1}],
                },
            ),
            [
                "orders[0].customer: customer must not be empty",
                "orders[0].lines: must be a list of at least one line",
                "orders[1].lines[0].invoiced: is more than was shipped",
                "orders[2].status: invoiced does not match the lines, "
                "which make it partially_shipped",
            ],
        ),
        (
            doc(
                {
                    "number": 5,
                    "customer": "A",
                    "backorder_of": 77,
                    "lines": [{"sku": "CAB", "quantity": 1}],
                }
            ),
            ["orders[0].backorder_of: order #77 is neither in this file nor in the database"],
        ),
        (
            doc(products=[{"sku": "X", "name": "x", "price": 1e400}, {"sku": "X", "name": "x"}]),
            [
                "products[0].price: must be a number, got Infinity",
                "products[1].sku: product X already exists in this file",
            ],
        ),
    ],
)
def test_a_malformed_file_is_refused_whole_with_every_problem_placed(
    db: Database, target: str, text: str, problems: list[str]
) -> None:
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(db, text, source="bad.json")
    shown = "\n".join([caught.value.message, *caught.value.details])
    for problem in problems:
        assert problem in shown
    if caught.value.details:
        assert len(caught.value.details) == len(problems)
        assert "nothing was imported" in caught.value.message
    assert snapshot(target) == before


def test_numbers_that_already_exist_are_refused(sample_db: Database, target: str) -> None:
    before = snapshot(target)
    text = json.dumps(
        {"orders": [{"number": 2401, "customer": "A", "lines": [{"sku": "BOX-68", "quantity": 1}]}]}
    )
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(sample_db, text, source="again.json")
    assert caught.value.details == ["orders[0].number: order #2401 already exists in the database"]
    assert snapshot(target) == before


def test_a_missing_file_is_not_found(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no file"):
        transfer_service.import_file(db, tmp_path / "nope.json")


def test_the_next_order_number_is_exported_and_imported_only_upward(
    sample_db: Database, target: str
) -> None:
    from backorder_cli.services import export

    catalogue.set_setting(sample_db, "next-order-number", "3000")
    assert export.export_header(sample_db)["settings"]["next-order-number"] == "3000"
    moved = json.dumps({"settings": {"next-order-number": "4000"}})
    transfer_service.import_text(sample_db, moved, source="up.json")
    assert catalogue.get_settings(sample_db)["next-order-number"] == "4000"
    # A file from before never moves the series back: no number is handed out twice.
    older = json.dumps({"settings": {"next-order-number": "2500"}})
    transfer_service.import_text(sample_db, older, source="old.json")
    assert catalogue.get_settings(sample_db)["next-order-number"] == "4000"
    bad = json.dumps({"settings": {"next-order-number": "soon"}})
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(sample_db, bad, source="bad.json")
    assert caught.value.details == [
        "settings.next-order-number: next-order-number takes an order number like 5001, got 'soon'"
    ]


def test_an_invoice_or_credit_note_naming_a_sku_twice_is_a_placed_problem(
    db: Database, target: str
) -> None:
    line = {"sku": "A", "quantity": 4, "unit_price": 1, "shipped": 4, "invoiced": 4}
    twice = [{"sku": "A", "quantity": 2}, {"sku": "A", "quantity": 2}]
    invoices = [
        {"number": 7, "lines": twice},
        {"number": 8, "lines": [{"sku": "A", "quantity": 4}]},
        {"number": 9, "credit_of": 8, "lines": [{"sku": "A", "quantity": -1}] * 2},
    ]
    text = json.dumps(
        {
            "products": [{"sku": "A", "name": "A", "price": 1}],
            "orders": [{"number": 1, "customer": "C", "lines": [line], "invoices": invoices}],
        }
    )
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(db, text, source="twice.json")
    assert caught.value.details[:2] == [
        "orders[0].invoices[0].lines[1].sku: SKU A is on this invoice twice - give it one line",
        "orders[0].invoices[2].lines[1].sku: SKU A is on this credit note twice - give it one line",
    ]
    assert snapshot(target) == before
