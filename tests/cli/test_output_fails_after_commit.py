"""When printing the result fails after the change was committed (a full disk, a
stdout on /dev/full), the tool says what was saved, exits 1 and never claims that
nothing was changed; the change is in the database. Before any commit, a failing
stdout is one line too, and then nothing was changed."""

from __future__ import annotations

import errno
import io
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.services import catalogue, orders
from backorder_cli.storage.schema import open_database
from tests.conftest import run_sql, snapshot

BIN = Path(sys.executable).parent


class FullDisk(io.TextIOBase):
    """A stdout whose every write fails as on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self) -> bool:
        return False


def run_to_full_disk(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run the app in-process with a stdout that fails; the exit code and stderr."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullDisk())
    with pytest.raises(SystemExit) as exit_:
        app(list(args), prog_name="backorder")
    monkeypatch.undo()
    return int(exit_.value.code or 0), capsys.readouterr().err


def stock(shop: Path, sku: str) -> str:
    db = open_database(str(shop))
    try:
        return next(str(p.stock) for p in catalogue.list_products(db) if p.sku == sku)
    finally:
        db.dispose()


def order_numbers(shop: Path) -> list[int]:
    db = open_database(str(shop))
    try:
        return [o.number for o in orders.iter_orders(db, archived="all")]
    finally:
        db.dispose()


WRITES = [
    # (arguments, a check that the change is in the database). A confirmation in text goes
    # to stderr (tests/cli/test_streams.py): stdout fails with the JSON result.
    (
        ["products", "receive", "SWITCH-1", "24", "-f", "json"],
        lambda shop: stock(shop, "SWITCH-1") == "24.000",
    ),
    (
        ["products", "add", "NEW-1", "--name", "New", "--price", "1", "--stock", "5", "-f", "json"],
        lambda shop: stock(shop, "NEW-1") == "5.000",
    ),
    (["orders", "add", "-c", "T", "BOX-68=1"], lambda shop: 2402 in order_numbers(shop)),
    (
        ["orders", "add", "-c", "T", "BOX-68=1", "-f", "json"],
        lambda shop: 2402 in order_numbers(shop),
    ),
    (["orders", "book", "2395", "-f", "json"], lambda shop: True),
    (
        ["ship", "2396", "CABLE-25=1", "-f", "json"],
        lambda shop: stock(shop, "CABLE-25") == "399.000",
    ),
    (["invoice", "2398"], lambda shop: True),
    # #2396 under the backorder policy (set below): invoiced and backordered as #2402.
    (["ship", "2396", "BOX-68=20", "-f", "json"], lambda shop: 2402 in order_numbers(shop)),
    (["create", "2401", "--yes"], lambda shop: 2402 in order_numbers(shop)),
    (["create", "2401", "--yes", "-f", "json"], lambda shop: 2402 in order_numbers(shop)),
    (
        ["undo", "2402", "--yes", "-f", "json"],
        lambda shop: 2402 in order_numbers(shop),  # after create 2401
    ),
    # `ready --ship` is always a bulk run: tests/cli/test_bulk_output_fails.py
    (["settings", "set", "inventory-value-on-invoicing", "on", "-f", "json"], lambda shop: True),
    (["settings", "set", "next-order-number", "5000", "--yes", "-f", "json"], lambda shop: True),
    (["orders", "cancel", "2396", "--yes", "-f", "json"], lambda shop: True),
    (["orders", "edit", "2396", "CABLE-25=10", "--yes", "-f", "json"], lambda shop: True),
    (["close", "2401", "--yes", "-f", "json"], lambda shop: True),
    (
        ["unship", "2393", "BREAKER-16=1", "--yes", "-f", "json"],
        lambda shop: stock(shop, "BREAKER-16") == "13.000",
    ),
    (
        ["products", "adjust", "SWITCH-1", "7", "--reason", "count", "--yes", "-f", "json"],
        lambda shop: stock(shop, "SWITCH-1") == "7.000",
    ),
    (["customers", "add", "Elektro Syd", "--yes", "-f", "json"], lambda shop: True),
    (
        ["customers", "edit", "byg-huset a/s", "--priority", "3", "--yes", "-f", "json"],
        lambda shop: True,
    ),
]


@pytest.mark.parametrize(("args", "saved"), WRITES, ids=[" ".join(w[0]) for w in WRITES])
def test_a_failed_print_after_the_commit_says_what_was_saved(
    shop: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    saved,  # type: ignore[no-untyped-def]
) -> None:
    if args[0] == "undo":
        setup = CliRunner().invoke(app, ["--db", str(shop), "create", "2401", "--yes"])
        assert setup.exit_code == 0, setup.output
    if args[:3] == ["ship", "2396", "BOX-68=20"]:
        run_sql(shop, "UPDATE orders SET policy = 'backorder' WHERE number = 2396")
    before = snapshot(shop)
    code, stderr = run_to_full_disk(monkeypatch, capsys, "--db", str(shop), *args)
    assert code == 1
    last = stderr.splitlines()[-1]
    where = {
        "products": "`products list`",
        "settings": "`settings show`",
        "invoice": "`invoices list`",
        "customers": "`customers show`",
    }
    assert last == (
        f"Error: the change was saved (`backorder --db {shop} {shlex.join(args)}`); only printing "
        "the result failed: No space left on device - do not run it again; see the result "
        f"with {where.get(args[0], '`orders show` or `products list`')}"
    ), stderr
    assert "nothing was changed" not in stderr
    assert snapshot(shop) != before
    assert saved(shop)


def test_a_failed_print_before_any_change_says_nothing_was_changed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shop)
    code, stderr = run_to_full_disk(monkeypatch, capsys, "--db", str(shop), "products", "list")
    assert (code, stderr) == (
        1,
        "Error: cannot write the output: No space left on device - nothing was changed\n",
    )
    assert snapshot(shop) == before


def test_receiving_with_stdout_on_dev_full(shop: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [
                BIN / "backorder",
                "--db",
                shop,
                "products",
                "receive",
                "SWITCH-1",
                "24",
                "-f",
                "json",
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: the change was saved (`")
    assert (
        "products receive SWITCH-1 24 -f json`); only printing the result failed" in result.stderr
    )
    assert stock(shop, "SWITCH-1") == "24.000"


@pytest.mark.parametrize(
    ("failure", "code", "message"),
    [
        (
            RuntimeError("boom"),
            1,
            "Error: internal error (RuntimeError: boom) - this is a bug; the change was saved "
            "before it (see `backorder log`), so do not run it again; report it",
        ),
        (
            KeyboardInterrupt(),
            130,
            "Interrupted: what was done before was saved (see `backorder log`); a change in "
            "progress was rolled back.",
        ),
    ],
    ids=["bug", "ctrl-c"],
)
def test_any_failure_after_the_commit_never_says_nothing_was_changed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, code: int, message: str
) -> None:
    from backorder_cli.cli.commands import catalogue

    def fail(*args: object) -> None:
        raise failure

    monkeypatch.setattr(catalogue, "print_result", fail)
    result = CliRunner().invoke(app, ["--db", str(shop), "products", "receive", "SWITCH-1", "24"])
    assert (result.exit_code, result.stderr) == (code, message + "\n")
    assert stock(shop, "SWITCH-1") == "24.000"
