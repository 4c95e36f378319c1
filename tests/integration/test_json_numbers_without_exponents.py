"""JSON numbers with an exponent (`1e3`) are refused wherever a quantity, price or
number is read, as the same text in a string is; exact decimals (`2.5`) still work."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from backorder_cli.errors import InvalidInput
from backorder_cli.services import orders as orders_service
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import snapshot


def refused(db: Database, target: str, text: str) -> list[str]:
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(db, text, source="numbers.json")
    assert "nothing was imported" in caught.value.message
    assert snapshot(target) == before
    return caught.value.details


def test_an_exponent_in_a_json_quantity_price_or_number_is_refused(
    db: Database, target: str
) -> None:
    text = (
        '{"products": [{"sku": "X", "name": "x", "price": 1, "stock": 1},'
        ' {"sku": "Y", "name": "y", "price": 1E0, "stock": 1e3}],'
        ' "orders": [{"number": 1e1, "customer": "C",'
        ' "lines": [{"sku": "X", "quantity": 1e3, "unit_price": 2.5e0, "shipped": 0e0}]}]}'
    )
    assert refused(db, target, text) == [
        "products[1].price: value must be a plain decimal number like 2 or 2.5, got '1E0'",
        "products[1].stock: value must be a plain decimal number like 2 or 2.5, got '1e3'",
        "orders[0].number: must be a whole number",
        "orders[0].lines[0].quantity: value must be a plain decimal number like 2 or 2.5, "
        "got '1e3'",
        "orders[0].lines[0].shipped: value must be a plain decimal number like 2 or 2.5, got '0e0'",
        "orders[0].lines[0].unit_price: value must be a plain decimal number like 2 or 2.5, "
        "got '2.5e0'",
    ]


def test_exact_decimals_as_json_numbers_still_import(db: Database) -> None:
    text = json.dumps(
        {
            "products": [{"sku": "X", "name": "x", "price": 1.25, "stock": 10}],
            "orders": [{"number": 7, "customer": "C", "lines": [{"sku": "X", "quantity": 2.5}]}],
        }
    )
    transfer_service.import_text(db, text, source="numbers.json")
    order = orders_service.get_order(db, 7)
    assert [(ln.quantity, ln.unit_price) for ln in order.lines] == [
        (Decimal("2.5"), Decimal("1.25"))
    ]
