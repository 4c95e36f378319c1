"""`backorder check`: clean on a sound database; every broken invariant reported with its
order and line, on databases edited by hand; never a write."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import fulfilment, integrity
from backorder_cli.storage.database import Database
from tests.conftest import is_url, run_sql, snapshot

Run = Callable[..., Result]


# On a server, another tool's edit past the schema's rules: drop the schema's CHECK and
# foreign key constraints first.
_DROP_CONSTRAINTS = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint
           WHERE contype IN ('c', 'f') AND connamespace = current_schema()::regnamespace
  LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname); END LOOP;
END $$
"""


def tamper(where: str, *statements: str) -> None:
    """Edit the database as another tool would, past the schema's constraints."""
    if is_url(where):
        run_sql(where, _DROP_CONSTRAINTS, *statements)
        return
    with sqlite3.connect(where) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            conn.execute(statement)


LINE_2401_CABLE = (
    "(SELECT l.id FROM order_lines l JOIN orders o ON o.id = l.order_id "
    "WHERE o.number = 2401 AND l.sku = 'CABLE-15')"
)


def test_a_sound_database_is_clean(sample_db: Database) -> None:
    assert list(integrity.check_database(sample_db)) == []
    backorders_service.create_backorder(sample_db, 2398, invoice_first=True)
    fulfilment.ship(sample_db, 2402, None)
    fulfilment.invoice_order(sample_db, 2393)
    assert list(integrity.check_database(sample_db)) == []


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            [f"UPDATE order_lines SET shipped = 151000 WHERE id = {LINE_2401_CABLE}"],
            "order #2401, line 3 (CABLE-15): shipped 151 + canceled 0 is more than the "
            "quantity 150",
        ),
        (
            [
                "UPDATE order_lines SET invoiced = 30000 WHERE id = (SELECT l.id "
                "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE o.number = 2398 AND l.sku = 'LED-9W')"
            ],
            "order #2398, line 1 (LED-9W): invoiced 30 is more than shipped 25",
        ),
        (
            [f"UPDATE order_lines SET canceled = -1000 WHERE id = {LINE_2401_CABLE}"],
            "order #2401, line 3 (CABLE-15): canceled is negative (-1)",
        ),
        (
            ["UPDATE orders SET status = 'shipped' WHERE number = 2396"],
            "order #2396: status is shipped but its lines make it booked",
        ),
        (
            ["UPDATE orders SET status = 'canceled' WHERE number = 2396"],
            "order #2396: is canceled but still has quantities remaining",
        ),
        (
            ["UPDATE orders SET total = 1 WHERE number = 2396"],
            "order #2396: total is 0.01 but its lines make it 114.50",
        ),
        (
            [
                "UPDATE order_lines SET quantity = 39000 WHERE order_id = "
                "(SELECT id FROM orders WHERE number = 2391)",
                "UPDATE order_lines SET invoiced = 39000, shipped = 39000 WHERE order_id = "
                "(SELECT id FROM orders WHERE number = 2391)",
                "UPDATE orders SET total = 7605 WHERE number = 2391",
            ],
            "order #2390: 40 x CABLE-25 were canceled but its backorders hold 39",
        ),
        (
            ["UPDATE product SET stock = -2000 WHERE sku = 'BOX-68'"],
            "stock of BOX-68 is negative (-2)",
        ),
        (
            ["UPDATE invoices SET total = total + 1 WHERE number = 1"],
            "order #2390: invoice #1 totals 159.51 but its lines add up to 159.50",
        ),
        (
            [
                "DELETE FROM invoice_lines WHERE invoice_id = (SELECT id FROM invoices "
                "WHERE number = 1) AND quantity = 50000"
            ],
            "order #2390, line 2 (BOX-68): invoiced 50 but its invoices bill 0",
        ),
        (
            ["UPDATE orders SET backorder_of = 77 WHERE number = 2391"],
            "order #2391: is a backorder of order #77, which does not exist",
        ),
        (
            [
                "UPDATE order_lines SET quantity = 'lots' WHERE order_id = "
                "(SELECT id FROM orders WHERE number = 2396)"
            ],
            "order #2396: a stored value cannot be read: 'lots' is not a whole number",
        ),
        (
            [
                "DELETE FROM history WHERE order_id = (SELECT id FROM orders WHERE number = 2396)",
                "DELETE FROM order_lines WHERE order_id = "
                "(SELECT id FROM orders WHERE number = 2396)",
            ],
            "order #2396: has no lines",
        ),
        (
            [
                "UPDATE invoice_lines SET quantity = quantity + 1000 WHERE invoice_id = "
                "(SELECT id FROM invoices WHERE number = 1) AND line_id = (SELECT l.id "
                "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE o.number = 2390 AND l.sku = 'CABLE-25')"
            ],
            "order #2390, line 1 (CABLE-25): invoiced 60 but its invoices bill 61",
        ),
        (
            ["UPDATE counter SET value = 5 WHERE name = 'order'"],
            "the order series stands at 5, below #2401 already used",
        ),
    ],
)
def test_each_broken_invariant_is_reported_where_it_is(
    sample_db: Database, target: str, statements: list[str], expected: str
) -> None:
    if is_url(target) and "'lots'" in statements[0]:
        pytest.skip("PostgreSQL's typed columns cannot hold text in a quantity")
    tamper(target, *statements)
    before = snapshot(target)
    found = [str(v) for v in integrity.check_database(sample_db)]
    assert any(f.startswith(expected) for f in found), found
    assert snapshot(target) == before  # read-only


def test_the_check_command_lists_violations_and_exits_1(
    cli: Run, target: str, sample_target: str
) -> None:
    clean = cli("check")
    assert (clean.exit_code, clean.stdout) == (0, "")
    assert clean.stderr == "No problems found: 12 orders checked.\n"

    tamper(
        target,
        "UPDATE orders SET status = 'invoiced' WHERE number = 2393",
        "UPDATE product SET stock = -1000 WHERE sku = 'TAPE-19'",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "stock of TAPE-19 is negative (-1)",
        "order #2393: status is invoiced but its lines make it shipped",
    ]
    assert result.stderr == "2 problems found in a database of 12 orders.\n"
    as_json = json.loads(cli("check", "--format", "json").stdout)
    assert as_json[1] == {
        "problem": "status is invoiced but its lines make it shipped",
        "order": 2393,
        "line": None,
        "sku": None,
    }


def test_a_status_is_named_as_the_rest_of_the_tool_names_it(
    cli: Run, target: str, sample_target: str
) -> None:
    tamper(target, "UPDATE orders SET status = 'booked' WHERE number = 2401")
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "order #2401: status is booked but its lines make it partially shipped\n"
    )


def test_one_negative_shipped_is_one_problem(cli: Run, target: str, sample_target: str) -> None:
    """Not also `invoiced 60 is more than shipped -1`: that is the same wrong value."""
    tamper(
        target,
        "UPDATE order_lines SET shipped = -1000 WHERE id = (SELECT l.id FROM order_lines l "
        "JOIN orders o ON o.id = l.order_id WHERE o.number = 2390 AND l.sku = 'CABLE-25')",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout == "order #2390, line 1 (CABLE-25): shipped is negative (-1)\n"
    assert result.stderr == "1 problem found in a database of 12 orders.\n"


def test_a_negative_value_keeps_the_faults_that_hold_whatever_it_was(
    cli: Run, target: str, sample_target: str
) -> None:
    """Shipped -1 and canceled 200 of 150: canceled alone is more than the quantity, so
    that is a fault of its own and is said too."""
    tamper(
        target,
        f"UPDATE order_lines SET shipped = -1000, canceled = 200000 WHERE id = {LINE_2401_CABLE}",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "order #2401, line 3 (CABLE-15): shipped is negative (-1)",
        "order #2401, line 3 (CABLE-15): shipped -1 + canceled 200 is more than the quantity 150",
    ]
