"""`backorder purchases ...` through the CLI: exit codes, exact output, the database
afterwards; refusals change nothing; a failed print after the commit says what was saved."""

from __future__ import annotations

import errno
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.services import fulfilment, groups, integrity
from backorder_cli.storage.schema import open_database
from tests.conftest import run_sql, snapshot

ADD = ["purchases", "add", "--supplier", "Kabel AB", "--expected", "2026-12-01"]


def run(shop: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", str(shop), *args], input=input)


def clean(shop: Path) -> bool:
    db = open_database(str(shop))
    try:
        return list(integrity.check_database(db)) == []
    finally:
        db.dispose()


def test_add_prints_only_the_new_number(shop: Path) -> None:
    result = run(shop, *ADD, "SWITCH-1=40@7.10", "CABLE-25=100", "--comment", "week 49")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1\n"
    assert run(shop, *ADD, "SWITCH-1=5").stdout == "2\n"
    shown = json.loads(run(shop, "purchases", "show", "1", "-f", "json").stdout)
    assert shown["supplier"] == "Kabel AB"
    assert shown["expected"] == "2026-12-01"
    assert shown["comment"] == "week 49"
    assert [(ln["sku"], ln["ordered"], ln["unit_cost"]) for ln in shown["lines"]] == [
        ("SWITCH-1", 40, 7.1),
        ("CABLE-25", 100, 0),
    ]
    assert clean(shop)


def test_list_is_plain_when_piped(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=40")
    result = run(shop, "purchases", "list")
    assert result.stdout == (
        "number\tsupplier\texpected\tstatus\topen\n1\tKabel AB\t2026-12-01\topen\t40 x SWITCH-1\n"
    )
    assert run(shop, "purchases", "list", "--sku", "CABLE-25", "-f", "csv").stdout == (
        "number,supplier,expected,status,open\n"
    )


def test_receive_raises_stock_and_lists_what_is_now_ready(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=40")
    result = run(shop, "purchases", "receive", "1", "SWITCH-1=30")
    assert result.exit_code == 0, result.output
    # What was done is a message (stderr); what is now ready is data (stdout).
    assert result.stderr.splitlines()[0] == "Received 30 x SWITCH-1 on purchase #1 (now open)."
    lines = result.stdout.splitlines()
    assert lines[0] == "number\tcover\tcustomer\tbackorder_of\tcreated_at\tship\twaiting"
    ready = {line.split("\t")[0]: line.split("\t")[5] for line in lines[1:]}
    assert ready["2399"] == "SWITCH-1=6"
    assert ready["2400"] == "SWITCH-1=24"
    assert "(`backorder ready --ship` ships them)" in result.stderr
    products = run(shop, "products", "list", "-f", "json").stdout
    assert next(p for p in json.loads(products) if p["sku"] == "SWITCH-1")["stock"] == 30
    assert clean(shop)


@pytest.mark.usefixtures("at_terminal")
def test_receive_ship_asks_and_ships_what_the_receipt_covers(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=30")
    result = run(shop, "purchases", "receive", "1", "--ship", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Shipped order #2400 in full: 24 x SWITCH-1 (now shipped)." in result.stdout
    assert "Continue? [y/N]" in result.stderr
    assert clean(shop)


def test_receive_ship_without_a_terminal_refuses_before_receiving(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=30")
    before = snapshot(shop)
    result = run(shop, "purchases", "receive", "1", "--ship")
    assert result.exit_code == 2
    assert result.stderr == "Error: no terminal to confirm on - pass --yes\n"
    assert snapshot(shop) == before


@pytest.mark.usefixtures("at_terminal")
def test_receive_ship_answered_no_keeps_the_receipt_and_ships_nothing(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=30")
    result = run(shop, "purchases", "receive", "1", "--ship", input="n\n")
    assert result.exit_code == 1
    assert "Nothing was shipped; the receipt on purchase #1 is saved." in result.stderr
    assert "nothing was changed" not in result.stderr
    shown = json.loads(run(shop, "purchases", "show", "1", "-f", "json").stdout)
    assert shown["lines"][0]["received"] == 30
    assert json.loads(run(shop, "orders", "show", "2400", "-f", "json").stdout)["status"] == (
        "booked"
    )


def test_receive_json_is_one_object_with_the_ready_orders(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=6")
    result = run(shop, "purchases", "receive", "1", "-f", "json")
    body = json.loads(result.stdout)
    assert body["received"] == [{"sku": "SWITCH-1", "quantity": 6}]
    assert body["status"] == "received"
    assert 2399 in [r["number"] for r in body["ready"]]


def test_receive_ship_json_gives_ready_ship_s_objects_with_each_policy(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=6")
    run_sql(shop, "UPDATE orders SET policy = 'cancel-rest' WHERE number = 2399")
    result = run(shop, "purchases", "receive", "1", "--ship", "--yes", "-f", "json")
    assert result.exit_code == 0, result.output
    shipped = {o["order"]: o for o in json.loads(result.stdout)}
    assert shipped[2399]["shipped"] == [{"sku": "SWITCH-1", "quantity": 6}]
    assert (shipped[2399]["policy"], shipped[2399]["action"]) == ("cancel-rest", "none")
    assert clean(shop)


def test_an_interrupted_receive_ship_names_ready_ship_as_what_finishes_it(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the second of four orders ships (groups of one): the receipt and
    #2396 are saved. Rerunning the receive is refused (nothing is still to come), so
    the summary names `ready --ship`, and that ships the rest."""
    run(shop, *ADD, "SWITCH-1=6")
    real, calls = fulfilment._locked, []

    def locked(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(groups, "GROUP_ORDERS", 1)
    monkeypatch.setattr(fulfilment, "_locked", locked)
    result = run(shop, "purchases", "receive", "1", "--ship", "--yes")
    monkeypatch.undo()
    assert result.exit_code == 130
    assert result.stderr.endswith(
        "Interrupted: 1 order shipped before the interrupt, 0 refused; the orders being "
        "worked on when you pressed Ctrl-C may also have been saved - the receipt on purchase "
        "#1 is saved: run `backorder ready --ship` to finish (orders already done are "
        "skipped)\n"
    )
    assert "rerun" not in result.stderr
    again = run(shop, "purchases", "receive", "1", "--ship", "--yes")
    assert again.exit_code == 1
    assert again.stderr == (
        "Error: purchase #1 is received: nothing is still to come - it cannot be received "
        "(see it with `backorder purchases show 1`); to ship the waiting orders stock on hand "
        "covers: `backorder ready --ship`\n"
    )
    finished = run(shop, "ready", "--ship", "--yes", "-f", "json")
    assert finished.exit_code == 0, finished.output
    assert [o["order"] for o in json.loads(finished.stdout)] == [2397, 2398, 2399]
    assert clean(shop)


def test_edit_and_cancel(shop: Path) -> None:
    run(shop, *ADD, "SWITCH-1=40", "CABLE-25=100")
    # Confirmations of a change are messages: stderr, stdout stays empty.
    result = run(shop, "purchases", "edit", "1", "--expected", "2026-12-15")
    assert (result.stdout, result.stderr) == (
        "",
        "Purchase #1 is now expected 2026-12-15 (was 2026-12-01).\n",
    )
    result = run(shop, "purchases", "cancel", "#1", "CABLE-25")
    assert (result.stdout, result.stderr) == (
        "",
        "Canceled 100 x CABLE-25 on purchase #1 (now open).\n",
    )
    assert clean(shop)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*ADD[:-2], "--expected", "2026-13-01", "SWITCH-1=1"], "is not a date"),
        ([*ADD, "SWITCH-1=abc"], "quantity of SWITCH-1"),
        ([*ADD, "SWITCH-1=1", "SWITCH-1=2"], "given twice"),
        (["purchases", "show", "x1"], "is not a purchase number"),
        (["purchases", "receive", "1", "SWITCH-1=1@2"], "no price is taken here"),
        (["purchases", "list", "--open", "--all"], "not both"),
        (["purchases", "edit", "1"], "--expected"),
    ],
)
def test_bad_values_are_usage_errors(shop: Path, args: list[str], message: str) -> None:
    run(shop, *ADD, "SWITCH-1=40")
    before = snapshot(shop)
    result = run(shop, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*ADD, "NOPE-1=1"], "Error: unknown SKU NOPE-1 - add it with"),
        (["purchases", "receive", "1", "SWITCH-1=41"], "only 40 x SWITCH-1 still to come"),
        (["purchases", "receive", "7"], "Error: purchase #7 not found"),
        (["purchases", "cancel", "1", "CABLE-25"], "has no line of CABLE-25"),
    ],
)
def test_refusals_exit_1_and_change_nothing(shop: Path, args: list[str], message: str) -> None:
    run(shop, *ADD, "SWITCH-1=40")
    before = snapshot(shop)
    result = run(shop, *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert snapshot(shop) == before


class FullDisk(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize(
    "args",
    [
        [*ADD, "SWITCH-1=40"],
        ["purchases", "receive", "1"],
        ["purchases", "edit", "1", "--expected", "2027-01-01", "-f", "json"],
        ["purchases", "cancel", "1", "-f", "json"],
    ],
    ids=["add", "receive", "edit", "cancel"],
)
def test_a_failed_print_after_the_commit_says_what_was_saved(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    run(shop, *ADD, "SWITCH-1=40")
    before = snapshot(shop)
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullDisk())
    with pytest.raises(SystemExit) as exit_:
        app(["--db", str(shop), *args], prog_name="backorder")
    monkeypatch.undo()
    stderr = capsys.readouterr().err
    assert exit_.value.code == 1
    assert "Error: the change was saved" in stderr
    assert "nothing was changed" not in stderr
    assert snapshot(shop) != before


def test_products_remember_a_supplier_and_a_lead_time(shop: Path) -> None:
    result = run(shop, "products", "add", "DIM-1", "--name", "Dimmer", "--price", "12",
                 "--supplier", "Lys AB", "--lead-time", "10")  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run(shop, "products", "edit", "DIM-1", "--lead-time", "14")
    assert result.stderr == "DIM-1: supplier Lys AB, lead time 14 days\n"
    result = run(shop, "products", "edit", "DIM-1", "--supplier", "", "-f", "json")
    assert json.loads(result.stdout) == {"sku": "DIM-1", "supplier": "", "lead_time": 14}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["products", "edit", "SWITCH-1", "--lead-time", "-1"], 2, "lead time '-1'"),
        (["products", "edit", "SWITCH-1", "--lead-time", "9999"], 2, "from 0 to 3650"),
        (["products", "edit", "SWITCH-1"], 1, "nothing to change"),
        (["products", "edit", "NOPE-1", "--lead-time", "3"], 1, "unknown SKU NOPE-1"),
    ],
)
def test_products_edit_refuses_bad_input_unchanged(
    shop: Path, args: list[str], code: int, message: str
) -> None:
    before = snapshot(shop)
    result = run(shop, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert snapshot(shop) == before
