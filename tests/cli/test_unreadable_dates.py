"""A date edited by hand into something that is not a date (SQLite stores dates as
text): `check` names it, and reading the order says what is wrong in one line instead
of crashing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from backorder_cli.storage.database import Database
from tests.conftest import snapshot

Run = Callable[..., Result]


def edit(path: str | Path, statement: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement)


@pytest.fixture
def sample_file(sample_db: Database, db_path: Path) -> Path:
    sample_db.dispose()
    return db_path


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "UPDATE orders SET created_at = 'garbage' WHERE number = 2401",
            "order #2401: created_at 'garbage' is not a date",
        ),
        (
            "UPDATE orders SET updated_at = '2026-13-01 00:00:00.000000' WHERE number = 2401",
            "order #2401: updated_at '2026-13-01 00:00:00.000000' is not a date",
        ),
        (
            "UPDATE orders SET created_at = 12 WHERE number = 2401",
            "order #2401: created_at 12 is not a date",
        ),
        (
            "UPDATE history SET at = 'soon' WHERE id = (SELECT h.id FROM history h "
            "JOIN orders o ON o.id = h.order_id WHERE o.number = 2401 ORDER BY h.id LIMIT 1)",
            "order #2401: a history entry's at 'soon' is not a date",
        ),
        (
            "UPDATE invoices SET created_at = 'x' WHERE number = "
            "(SELECT MIN(i.number) FROM invoices i)",
            "order #2390: invoice #1's created_at 'x' is not a date",
        ),
    ],
)
def test_check_names_a_date_that_is_not_a_date(
    sample_file: Path, cli: Run, statement: str, expected: str
) -> None:
    edit(sample_file, statement)
    before = snapshot(sample_file)
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [expected]
    assert snapshot(sample_file) == before


def test_a_date_written_by_another_tool_in_iso_form_is_fine(sample_file: Path, cli: Run) -> None:
    edit(sample_file, "UPDATE orders SET created_at = '2026-01-02T03:04:05' WHERE number = 2401")
    result = cli("check")
    assert result.exit_code == 0, result.stdout
    assert cli("orders", "show", "2401").exit_code == 0


def test_orders_show_of_an_unreadable_date_is_one_line_naming_it(
    sample_file: Path, cli: Run
) -> None:
    edit(sample_file, "UPDATE orders SET created_at = 'garbage' WHERE number = 2401")
    before = snapshot(sample_file)
    result = cli("orders", "show", "2401")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: a stored date 'garbage' cannot be read: the database was edited by hand - "
        "find the rows with `backorder check`\n"
    )
    assert snapshot(sample_file) == before
