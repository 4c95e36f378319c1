"""Schema 3 on a database made before it (issue 11, items 6 and 15): the upgrade gives
each line its money by the rule, leaving what was invoiced as billed; and `check` reads
an old schema as it is, without upgrading it, so it can name the rows an upgrade
refuses."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import Result

from backorder_cli.services import catalogue, fulfilment, integrity, orders
from backorder_cli.storage.models import SCHEMA_VERSION
from backorder_cli.storage.schema import open_database, read_version
from tests.conftest import run_sql, snapshot

FIRST_RELEASE = Path(__file__).resolve().parent.parent / "data" / "schema-v1.db"
Run = Callable[..., Result]

# What the first release did for `create 2398 --invoice`: invoice #7 bills the 25 LED
# shipped (81.125 -> 81.13), the origin keeps 81.13, and backorder #2403 is worth
# 15 x 3.245 = 48.675 -> 48.68 plus 4 x 12.50: 98.68. Together 179.81 of 179.80.
OLD_SPLIT_OF_2398 = [
    "UPDATE order_lines SET invoiced = shipped WHERE order_id = "
    "(SELECT id FROM orders WHERE number = 2398)",
    "INSERT INTO invoices (number, order_id, total, created_at) SELECT 7, id, 8113, "
    "'2026-11-20 10:00:00.000000' FROM orders WHERE number = 2398",
    "INSERT INTO invoice_lines (invoice_id, line_id, quantity, amount) SELECT "
    "(SELECT id FROM invoices WHERE number = 7), l.id, 25000, 8113 FROM order_lines l "
    "JOIN orders o ON o.id = l.order_id WHERE o.number = 2398 AND l.sku = 'LED-9W'",
    "UPDATE order_lines SET canceled = quantity - shipped WHERE order_id = "
    "(SELECT id FROM orders WHERE number = 2398)",
    "UPDATE orders SET status = 'canceled', archived = 1, total = 8113 WHERE number = 2398",
    "INSERT INTO orders (number, customer, comment, status, archived, backorder_of, total, "
    "created_at, updated_at) SELECT 2403, customer, 'Backorder from order #2398', 'booked', "
    "0, 2398, 9868, '2026-11-20 10:00:00.000000', '2026-11-20 10:00:00.000000' "
    "FROM orders WHERE number = 2398",
    "INSERT INTO order_lines (order_id, position, sku, name, unit, quantity, shipped, "
    "invoiced, canceled, unit_price) SELECT (SELECT id FROM orders WHERE number = 2403), "
    "l.position, l.sku, l.name, l.unit, l.quantity - l.shipped, 0, 0, 0, l.unit_price "
    "FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = 2398",
    "UPDATE counter SET value = 2403 WHERE name = 'order'",
    "UPDATE counter SET value = 7 WHERE name = 'invoice'",
]


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copy(FIRST_RELEASE, path)
    with sqlite3.connect(path) as conn:
        for statement in OLD_SPLIT_OF_2398:
            conn.execute(statement)
    return path


def test_the_upgrade_applies_the_rule_to_what_was_not_invoiced(old_db: Path) -> None:
    with sqlite3.connect(old_db) as conn:
        invoices_before = conn.execute("SELECT * FROM invoices ORDER BY id").fetchall()
        invoice_lines_before = conn.execute("SELECT * FROM invoice_lines ORDER BY id").fetchall()
    db = open_database(str(old_db))
    try:
        assert read_version(str(old_db))[1] == SCHEMA_VERSION
        origin, backorder = orders.get_order(db, 2398), orders.get_order(db, 2403)
        assert origin.total == D("81.13")  # as billed
        assert backorder.total == D("98.67")  # was 98.68: the rest of 179.80
        assert list(integrity.check_database(db)) == []
        # The backorder delivered and billed: the chain bills 179.80.
        catalogue.receive_stock(db, "LED-9W", "15")
        catalogue.receive_stock(db, "SOCKET-2", "4")
        fulfilment.ship(db, 2403, None)
        assert fulfilment.invoice_order(db, 2403).total == D("98.67")
        assert list(integrity.check_database(db)) == []
    finally:
        db.dispose()
    with sqlite3.connect(old_db) as conn:  # old invoices stay as billed
        invoices_after = conn.execute("SELECT * FROM invoices WHERE number <= 7").fetchall()
        # schema 4 adds credit_of and reason (empty on an invoice) after the first five
        assert [row[:5] for row in invoices_after] == invoices_before
        assert all(row[5:] == (None, "") for row in invoices_after)
        assert (
            conn.execute(
                f"SELECT * FROM invoice_lines WHERE id <= {len(invoice_lines_before)}"
            ).fetchall()
            == invoice_lines_before
        )


def test_an_old_backorder_already_billed_stays_as_billed(old_db: Path) -> None:
    with sqlite3.connect(old_db) as conn:  # the first release billed the backorder 98.68
        conn.execute(
            "UPDATE order_lines SET shipped = quantity, invoiced = quantity WHERE order_id = "
            "(SELECT id FROM orders WHERE number = 2403)"
        )
        conn.execute("UPDATE orders SET status = 'invoiced' WHERE number = 2403")
        conn.execute(
            "INSERT INTO invoices (number, order_id, total, created_at) SELECT 8, id, 9868, "
            "'2026-11-21 10:00:00.000000' FROM orders WHERE number = 2403"
        )
        conn.execute(
            "INSERT INTO invoice_lines (invoice_id, line_id, quantity, amount) SELECT "
            "(SELECT id FROM invoices WHERE number = 8), l.id, l.quantity, "
            "CASE l.sku WHEN 'LED-9W' THEN 4868 ELSE 5000 END FROM order_lines l "
            "JOIN orders o ON o.id = l.order_id WHERE o.number = 2403"
        )
        conn.execute("UPDATE counter SET value = 8 WHERE name = 'invoice'")
    db = open_database(str(old_db))
    try:
        assert orders.get_order(db, 2403).total == D("98.68")
        assert [i.total for i in orders.get_order(db, 2403).invoices] == [D("98.68")]
        assert list(integrity.check_database(db)) == []
    finally:
        db.dispose()


BAD_ROW = (
    "UPDATE order_lines SET invoiced = shipped + 1000 WHERE id = (SELECT l.id FROM "
    "order_lines l JOIN orders o ON o.id = l.order_id WHERE o.number = 2392 ORDER BY l.id "
    "LIMIT 1)"
)


@pytest.mark.sqlite_only
def test_check_reads_an_old_schema_as_it_is_and_names_the_bad_row(
    old_db: Path, cli: Run, target: str
) -> None:
    with sqlite3.connect(old_db) as conn:
        conn.execute(BAD_ROW)
    before = snapshot(old_db)
    raw = old_db.read_bytes()
    migrate = cli("migrate", db=old_db)
    assert migrate.exit_code == 1
    assert "find the rows with `backorder check`" in migrate.stderr
    result = cli("check", db=old_db)
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines() == [
        "order #2392, line 1 (SOCKET-2): invoiced 11 is more than shipped 10",
        "order #2392, line 1 (SOCKET-2): invoiced 11 but its invoices bill 10",
    ]
    assert result.stderr == "2 problems found in a database of 14 orders.\n"
    assert "migrate" not in result.stderr
    assert read_version(str(old_db))[1] == 1
    assert snapshot(old_db) == before
    assert old_db.read_bytes() == raw


@pytest.mark.sqlite_only
def test_check_is_clean_on_a_sound_old_schema_and_leaves_it_old(old_db: Path, cli: Run) -> None:
    raw = old_db.read_bytes()
    result = cli("check", db=old_db)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "No problems found: 14 orders checked.\n"
    assert old_db.read_bytes() == raw


def test_check_reads_an_old_schema_on_a_server_as_it_is(pg_target: str) -> None:
    from tests.integration.test_team_mode import build_first_release

    build_first_release(pg_target).dispose()
    run_sql(pg_target, BAD_ROW)
    before = snapshot(pg_target)
    db = open_database(pg_target, upgrade=False, read_older=True)
    try:
        assert [str(v) for v in integrity.check_database(db)] == [
            "order #2392, line 1 (SOCKET-2): invoiced 11 is more than shipped 10",
            "order #2392, line 1 (SOCKET-2): invoiced 11 but its invoices bill 10",
        ]
    finally:
        db.dispose()
    assert read_version(pg_target)[1] == 1
    assert snapshot(pg_target) == before
