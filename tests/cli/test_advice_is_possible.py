"""Refusals give advice that is right for the order as it is, and that this tool can
follow: no "ship first" for an order with nothing left to ship, no "create the invoice
manually" (no command does), no "shipped in part" for a backorder shipped in full."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def refused(cli: Run, target: str, *args: str) -> str:
    before = snapshot(target)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert snapshot(target) == before
    (line,) = result.stderr.splitlines()
    return line


def test_invoicing_a_fully_invoiced_order_says_there_is_nothing_left(
    sample: Run, target: str
) -> None:
    assert sample("ship", "2396", "--available").exit_code == 0
    assert sample("invoice", "2396").exit_code == 0
    line = refused(sample, target, "invoice", "2396")
    assert line == (
        "Error: order #2396 is fully invoiced: everything on it was shipped and invoiced - "
        "there is nothing left to invoice (`backorder orders show 2396` lists its invoices)"
    )
    assert "ship first" not in line


def test_invoicing_an_order_with_something_left_to_ship_says_ship_first(
    sample: Run, target: str
) -> None:
    assert sample("invoice", "2398").exit_code == 0  # 2398: shipped part now invoiced
    line = refused(sample, target, "invoice", "2398")
    assert "ship first with `backorder ship 2398`" in line


def test_backordering_a_fully_shipped_order_does_not_say_ship_first(
    sample: Run, target: str
) -> None:
    line = refused(sample, target, "create", "2393", "--yes")
    assert line == (
        "Error: order #2393 is fully shipped (status shipped), so nothing is left to "
        "backorder - no backorder is needed; invoice it with `backorder invoice 2393`"
    )
    line = refused(sample, target, "create", "2392", "--yes")  # invoiced
    assert "ship" not in line.split(" - ", 1)[1].replace("shipped", "")


def test_backordering_a_draft_says_book_it_first(sample: Run, target: str) -> None:
    line = refused(sample, target, "create", "2395", "--yes")
    assert "book it with `backorder orders book 2395`" in line


def test_undoing_a_backorder_shipped_in_full_says_in_full(sample: Run, target: str) -> None:
    line = refused(sample, target, "undo", "2391", "--yes")
    assert line == (
        "Error: backorder #2391 is already shipped in full - a shipped backorder cannot be undone"
    )


def test_invoicing_a_canceled_order_says_what_to_do_with_this_tool(
    sample: Run, target: str
) -> None:
    assert sample("create", "2401", "--yes").exit_code == 0
    line = refused(sample, target, "invoice", "2401")
    assert "manually" not in line
    assert line.endswith(
        "its undelivered items moved to backorder #2402: invoice that once it ships, with "
        "`backorder invoice 2402`"
    )
    line = refused(sample, target, "invoice", "2394")  # canceled, never backordered
    assert line.endswith(
        "nothing on it can be invoiced any more (`backorder orders show 2394` shows its invoices)"
    )


@pytest.mark.parametrize("url", ["mysql://ann@db.example/shop", "mysql+mysqldb://ann@h/shop"])
def test_an_unsupported_backend_names_the_supported_ones(sample: Run, url: str) -> None:
    result = sample("orders", "list", db=url)
    assert result.exit_code == 1
    assert "pip install" not in result.stderr
    assert "SQLite files and PostgreSQL" in result.stderr


def test_ctrl_c_at_the_question_ends_the_line_and_says_nothing_was_changed(
    tmp_path: Path,
) -> None:
    """In a real terminal: the person presses Ctrl-C at `Continue? [y/N]`."""
    db = tmp_path / "shop.db"
    assert (
        subprocess.run(
            [sys.executable, "-m", "backorder_cli", "--db", str(db), "init", "--sample"],
            capture_output=True,
        ).returncode
        == 0
    )
    before = snapshot(str(db))
    child = pexpect.spawn(
        sys.executable,
        ["-m", "backorder_cli", "--db", str(db), "create", "2401"],
        encoding="utf-8",
        dimensions=(40, 200),
        timeout=60,
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    shown = child.before.replace("\r\n", "\n").removeprefix("^C")  # the terminal's echo
    assert shown == "\nInterrupted: nothing was changed.\n"
    assert snapshot(str(db)) == before
