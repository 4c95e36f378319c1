"""An import is refused when `check` would not be clean after it: each backorder holds
what its origin canceled (origin and backorder in the file or in the database), and no
loop of backorder links; every problem is placed in the file."""

from __future__ import annotations

import json

import pytest

from backorder_cli.errors import InvalidInput
from backorder_cli.services import integrity
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot


def doc(*orders: dict) -> str:
    return json.dumps({"orders": list(orders)})


def refused(db: Database, target: str, text: str) -> list[str]:
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        transfer_service.import_text(db, text, source="links.json")
    assert "nothing was imported" in caught.value.message
    assert snapshot(target) == before
    return caught.value.details


def clean(db: Database) -> list[str]:
    return [str(v) for v in integrity.check_database(db)]


def test_a_backorder_of_an_origin_that_canceled_nothing_is_refused(
    sample_db: Database, target: str
) -> None:
    other = {"number": 3000, "customer": "A", "lines": [{"sku": "BOX-68", "quantity": 1}]}
    backorder = {
        "number": 3001,
        "customer": "A",
        "backorder_of": 2401,
        "lines": [{"sku": "CABLE-15", "quantity": 150}],
    }
    assert refused(sample_db, target, doc(other, backorder)) == [
        "orders[1].backorder_of: order #2401: 0 x CABLE-15 were canceled but its backorders "
        "hold 150",
        "orders[1].backorder_of: order #2401: has backorder #3001 but is partially shipped, "
        "not canceled",
    ]


def test_a_second_backorder_of_a_split_order_is_refused(sample_db: Database, target: str) -> None:
    again = {
        "number": 3001,
        "customer": "A",
        "backorder_of": 2390,
        "lines": [{"sku": "CABLE-25", "quantity": 40}],
    }
    assert refused(sample_db, target, doc(again)) == [
        "orders[0].backorder_of: order #2390: 40 x CABLE-25 were canceled but its backorders "
        "hold 80",
        "orders[0].backorder_of: order #2390: has 2 backorders (#2391, #3001); an order has "
        "one at most",
    ]


def test_an_origin_whose_stored_backorder_it_did_not_cancel_into_is_refused(
    db: Database, target: str
) -> None:
    """A backorder already in the database names the imported origin: the origin's
    cancellation would not record what the backorder holds, so check would flag it."""
    transfer_service.import_text(
        db,
        json.dumps({"products": [{"sku": "X", "name": "x", "price": 1}]}),
        source="p.json",
    )
    run_sql(
        target,
        "INSERT INTO customers (name, name_key) VALUES ('A', 'a')",
        "INSERT INTO orders (number, customer, customer_id, comment, status, archived, "
        "backorder_of, total, created_at, updated_at) SELECT 11, 'A', id, '', 'booked', false, "
        "10, 5, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM customers",
        "INSERT INTO order_lines (order_id, position, sku, name, unit, quantity, unit_price, "
        "shipped, invoiced, canceled, amount, backordered, backordered_amount) "
        # Stored as scaled integers: 5 units (thousandths) at 1.0000, worth 5.00.
        "SELECT id, 1, 'X', 'x', 'pcs', 5000, 10000, 0, 0, 0, 500, 0, 0 FROM orders "
        "WHERE number = 11",
    )
    origin = {
        "number": 10,
        "customer": "A",
        "status": "canceled",
        "lines": [{"sku": "X", "quantity": 5, "canceled": 5}],
    }
    assert refused(db, target, doc(origin)) == [
        "orders[0]: order #10: 0 x X were canceled but its backorders hold 5",
        "orders[0]: order #10: has backorder #11 but is not archived",
    ]


def test_a_loop_of_backorder_links_is_refused_even_when_the_quantities_agree(
    sample_db: Database, target: str
) -> None:
    def split(number: int, origin: int) -> dict:
        return {
            "number": number,
            "customer": "A",
            "status": "canceled",
            "backorder_of": origin,
            "lines": [{"sku": "BOX-68", "quantity": 10, "canceled": 10}],
        }

    problems = refused(sample_db, target, doc(split(36, 37), split(37, 36)))
    assert problems[-1] == (
        "orders[0].backorder_of: order #36: backorder links go round in a loop: "
        "#36 -> #37 -> #36 (each a backorder of the next)"
    )  # after: each origin not archived, and with nothing shipped
    problems = refused(sample_db, target, doc(split(40, 40)))
    assert problems == ["orders[0].backorder_of: an order cannot be its own backorder"]


def test_a_backorder_of_a_stored_origin_is_refused_as_check_would_flag_it(
    sample_db: Database, target: str
) -> None:
    """#2394 canceled its LED-9W before any backorder (canceled is not backordered):
    a backorder imported on its own cannot claim it; one imported in the same file as
    its origin can (test_split_keeps_the_money, export round trips)."""
    for quantity in (20, 30):
        short = {
            "number": 3001,
            "customer": "A",
            "backorder_of": 2394,
            "lines": [{"sku": "LED-9W", "quantity": quantity}],
        }
        assert refused(sample_db, target, doc(short)) == [
            f"orders[0].backorder_of: order #2394: 0 x LED-9W were canceled but its "
            f"backorders hold {quantity}",
            "orders[0].backorder_of: order #2394: has backorder #3001 but is not archived",
            "orders[0]: order #3001: is a backorder of order #2394, which has nothing shipped - "
            "a backorder is made from a partially shipped order",
        ]
    assert clean(sample_db) == []


def test_check_reports_a_loop_edited_into_the_database(sample_db: Database, target: str) -> None:
    run_sql(target, "UPDATE orders SET backorder_of = 2391 WHERE number = 2390")
    assert (
        "order #2390: backorder links go round in a loop: #2390 -> #2391 -> #2390 "
        "(each a backorder of the next)"
    ) in clean(sample_db)
