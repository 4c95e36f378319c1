"""An order has one backorder at most, and the origin of a backorder is canceled and
archived (what `create` and `undo` always leave): `check` reports a database that
breaks it, and import refuses a document that would, as it refuses what the tool never
makes (a backorder of an order with nothing shipped, a draft backorder)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backorder_cli.errors import InvalidInput
from backorder_cli.services import integrity
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot


def order(number: int, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"number": number, "customer": "C", "lines": list(lines), **fields}


def line(sku: str, quantity: int, **fields: int) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, **fields}


def split_origin(**fields: Any) -> dict[str, Any]:
    """#5001: 2 shipped and invoiced, 8 canceled into backorders."""
    return order(
        5001,
        line("BOX-68", 10, shipped=2, invoiced=2, canceled=8),
        **{"status": "canceled", "archived": True, **fields},
    )


def imported(db: Database, *orders: dict[str, Any]) -> None:
    transfer_service.import_text(db, json.dumps({"orders": list(orders)}), source="links.json")


def refused(db: Database, target: str, *orders: dict[str, Any]) -> list[str]:
    before = snapshot(target)
    with pytest.raises(InvalidInput) as caught:
        imported(db, *orders)
    assert "nothing was imported" in caught.value.message
    assert snapshot(target) == before
    return caught.value.details


def problems(db: Database) -> list[str]:
    return [str(v) for v in integrity.check_database(db)]


def test_two_backorders_of_one_order_are_refused(sample_db: Database, target: str) -> None:
    halves = [order(n, line("BOX-68", 4), backorder_of=5001) for n in (5002, 5003)]
    assert refused(sample_db, target, split_origin(), *halves) == [
        "orders[2].backorder_of: order #5001: has 2 backorders (#5002, #5003); an order has "
        "one at most"
    ]


def test_a_second_backorder_of_a_stored_split_order_is_refused(
    sample_db: Database, target: str
) -> None:
    imported(sample_db, split_origin(), order(5002, line("BOX-68", 4), backorder_of=5001))
    assert problems(sample_db) == []
    problems_found = refused(sample_db, target, order(5003, line("BOX-68", 4), backorder_of=5001))
    assert (
        "orders[0].backorder_of: order #5001: has 2 backorders (#5002, #5003); an order has "
        "one at most"
    ) in problems_found


def test_a_backorder_of_an_origin_not_canceled_and_archived_is_refused(
    sample_db: Database, target: str
) -> None:
    backorder = order(5002, line("BOX-68", 8), backorder_of=5001)
    assert refused(sample_db, target, split_origin(status=None), backorder) == [
        "orders[1].backorder_of: order #5001: has backorder #5002 but is invoiced, not canceled"
    ]
    assert refused(sample_db, target, split_origin(archived=False), backorder) == [
        "orders[1].backorder_of: order #5001: has backorder #5002 but is not archived"
    ]


def test_a_backorder_the_tool_never_makes_is_refused(sample_db: Database, target: str) -> None:
    nothing_shipped = order(5001, line("BOX-68", 10, canceled=10), status="canceled", archived=True)
    assert refused(
        sample_db, target, nothing_shipped, order(5002, line("BOX-68", 10), backorder_of=5001)
    ) == [
        "orders[1]: order #5002: is a backorder of order #5001, which has nothing shipped - "
        "a backorder is made from a partially shipped order"
    ]
    draft = order(5002, line("BOX-68", 8), backorder_of=5001, status="draft")
    assert refused(sample_db, target, split_origin(), draft) == [
        "orders[1]: order #5002: is a backorder but a draft - a backorder is booked"
    ]


def test_check_reports_two_backorders_of_one_order(sample_db: Database, target: str) -> None:
    imported(
        sample_db,
        order(
            5001,
            line("BOX-68", 6, shipped=2, invoiced=2, canceled=4),
            line("LED-9W", 4, canceled=4),
            status="canceled",
            archived=True,
        ),
        order(5002, line("BOX-68", 4), line("LED-9W", 4), backorder_of=5001),
    )
    # The backorder's LED-9W line moved by hand onto a second backorder.
    run_sql(
        target,
        "INSERT INTO orders (number, customer, customer_id, comment, status, archived, "
        "backorder_of, total, created_at, updated_at) SELECT 5003, customer, customer_id, "
        "comment, status, archived, 5001, 0, created_at, updated_at FROM orders "
        "WHERE number = 5002",
        "UPDATE order_lines SET position = 1, order_id = "
        "(SELECT id FROM orders WHERE number = 5003) WHERE sku = 'LED-9W' "
        "AND order_id = (SELECT id FROM orders WHERE number = 5002)",
        "UPDATE orders SET total = (SELECT SUM(amount) FROM order_lines l "
        "WHERE l.order_id = orders.id) WHERE number IN (5002, 5003)",
        "UPDATE counter SET value = 5003 WHERE name = 'order'",
    )
    assert problems(sample_db) == [
        "order #5001: has 2 backorders (#5002, #5003); an order has one at most"
    ]


def test_check_reports_an_origin_not_canceled_or_not_archived(
    sample_db: Database, target: str
) -> None:
    """#2390 of the sample is split into #2391."""
    assert problems(sample_db) == []
    run_sql(target, "UPDATE orders SET archived = false WHERE number = 2390")
    assert problems(sample_db) == ["order #2390: has backorder #2391 but is not archived"]
    run_sql(target, "UPDATE orders SET archived = true, status = 'invoiced' WHERE number = 2390")
    assert problems(sample_db) == ["order #2390: has backorder #2391 but is invoiced, not canceled"]
