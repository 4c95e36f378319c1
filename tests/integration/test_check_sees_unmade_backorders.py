"""Found by the second attack review: states import refuses but `check` did not report
when written by hand: a draft backorder, a backorder of an order with nothing shipped,
and an origin whose moved quantities no backorder holds any more."""

from __future__ import annotations

from backorder_cli.services import backorders, integrity
from backorder_cli.storage.database import Database
from tests.conftest import run_sql


def problems(db: Database) -> list[str]:
    return [str(v) for v in integrity.check_database(db)]


def test_a_draft_backorder_is_reported(sample_db: Database, target: str) -> None:
    backorders.create_backorder(sample_db, 2401)
    assert problems(sample_db) == []
    run_sql(target, "UPDATE orders SET status = 'draft' WHERE number = 2402")
    assert "order #2402: is a backorder but a draft - a backorder is booked" in problems(sample_db)


def test_a_backorder_of_an_order_with_nothing_shipped_is_reported(
    sample_db: Database, target: str
) -> None:
    backorders.create_backorder(sample_db, 2401)
    origin = "(SELECT id FROM orders WHERE number = 2401)"
    run_sql(
        target,
        f"DELETE FROM invoice_lines WHERE invoice_id IN "
        f"(SELECT id FROM invoices WHERE order_id = {origin})",
        f"DELETE FROM invoices WHERE order_id = {origin}",
        "UPDATE order_lines SET canceled = canceled + shipped, "
        "canceled_with_order = canceled_with_order + shipped, shipped = 0, invoiced = 0, "
        f"amount = 0 WHERE order_id = {origin}",
        "UPDATE orders SET total = 0 WHERE number = 2401",
    )
    found = problems(sample_db)
    assert (
        "order #2402: is a backorder of order #2401, which has nothing shipped - a backorder "
        "is made from a partially shipped order"
    ) in found, found


def test_an_origin_whose_backorder_was_unlinked_is_reported(
    sample_db: Database, target: str
) -> None:
    backorders.create_backorder(sample_db, 2401)
    run_sql(target, "UPDATE orders SET backorder_of = NULL WHERE number = 2402")
    found = problems(sample_db)
    assert any(
        p.startswith("order #2401") and "were canceled but its backorders hold 0" in p
        for p in found
    ), found
