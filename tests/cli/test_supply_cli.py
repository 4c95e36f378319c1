"""Promise dates, who waits for what and what to buy, through the CLI, on the sample
company after `create 2401` (backorder #2402: CABLE-15=150, SWITCH-1=12) with two
purchases: #1 SWITCH-1=42 expected 2026-12-10 (enough for #2399's 6, #2400's 24 and
#2402's 12), #2 CABLE-15=200 expected 2026-12-20. The README's example is this one."""

from __future__ import annotations

import csv
import errno
import io
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.services.supply import utc_today
from tests.conftest import snapshot


class FullDisk(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self) -> bool:
        return False


def run(shop: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", str(shop), *args], input=input)


@pytest.fixture
def supplied(shop: Path) -> Path:
    assert run(shop, "create", "2401", "--yes").exit_code == 0
    add = ["purchases", "add", "--supplier", "Kabel AB"]
    assert run(shop, *add, "--expected", "2026-12-10", "SWITCH-1=42").stdout == "1\n"
    assert run(shop, *add, "--expected", "2026-12-20", "CABLE-15=200").stdout == "2\n"
    return shop


def test_when_will_2402_ship(supplied: Path) -> None:
    shown = json.loads(run(supplied, "orders", "show", "2402", "-f", "json").stdout)
    assert shown["eta"] == "2026-12-20"
    assert [(ln["sku"], ln["eta"], ln["eta_source"], ln["short"]) for ln in shown["lines"]] == [
        ("CABLE-15", "2026-12-20", "purchase #2", None),
        ("SWITCH-1", "2026-12-10", "purchase #1", None),
    ]
    table = run(supplied, "orders", "show", "2402", "-f", "table").stdout
    assert "2026-12-20 (purchase #2)" in table and "2026-12-10 (purchase #1)" in table
    # the README's example, word for word
    assert run(supplied, "orders", "list", "--sku", "CABLE-15", "-f", "csv").stdout == (
        "number,status,archived,customer,total,backorder_of,eta\n"
        "2402,booked,false,Hansen & Søn VVS,316.80,2401,2026-12-20\n"
    )


def test_a_line_no_supply_covers_says_how_much_is_short(supplied: Path) -> None:
    assert run(supplied, "purchases", "cancel", "2").exit_code == 0
    shown = json.loads(run(supplied, "orders", "show", "2402", "-f", "json").stdout)
    assert shown["eta"] is None
    assert shown["lines"][0]["short"] == 150
    assert "none (150 short)" in run(supplied, "orders", "show", "2402", "-f", "table").stdout
    assert run(supplied, "orders", "list", "--no-eta", "-f", "ids").stdout == "2402\n"


def test_eta_before_finds_the_orders_to_chase(supplied: Path) -> None:
    before = run(supplied, "orders", "list", "--eta-before", "2026-12-15", "-f", "ids").stdout
    assert "2402" not in before.split()  # promised for Dec 20
    assert {"2399", "2400"} <= set(before.split())  # SWITCH-1 on Dec 10
    later = run(supplied, "orders", "list", "--eta-before", "2026-12-21", "-f", "ids").stdout
    assert "2402" in later.split()


def test_orders_list_sku_is_in_priority_order(supplied: Path) -> None:
    numbers = run(supplied, "orders", "list", "--sku", "SWITCH-1", "-f", "ids").stdout.split()
    assert sorted(numbers) == ["2399", "2400", "2402"]
    shown = json.loads(run(supplied, "products", "show", "SWITCH-1", "-f", "json").stdout)
    assert [w["number"] for w in shown["waiting"]] == [int(n) for n in numbers]


def test_products_show_json_has_the_documented_keys(supplied: Path) -> None:
    shown = json.loads(run(supplied, "products", "show", "SWITCH-1", "-f", "json").stdout)
    assert {"sku", "stock", "claimed", "available", "incoming", "purchases", "waiting"} <= set(
        shown
    )
    assert (shown["stock"], shown["claimed"], shown["available"], shown["incoming"]) == (
        0, 42, -42, 42
    )  # fmt: skip
    assert shown["purchases"] == [
        {"purchase": 1, "supplier": "Kabel AB", "expected": "2026-12-10", "quantity": 42}
    ]
    assert all(w["eta"] == "2026-12-10" for w in shown["waiting"])


def test_products_list_has_claimed_available_and_incoming(supplied: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(supplied, "products", "list", "-f", "csv").stdout)))
    cable = next(r for r in rows if r["sku"] == "CABLE-15")
    assert (cable["stock"], cable["claimed"], cable["available"], cable["incoming"]) == (
        "0", "150", "-150", "200"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["orders", "list", "--eta-before", "soon"], 2, "--eta-before 'soon' is not a date"),
        (["orders", "list", "--eta-before", "2026-12-01", "--no-eta"], 2, "not both"),
        (["orders", "list", "--sku", "bad sku"], 2, "SKU"),
        (["products", "show", "NOPE-1"], 1, "unknown SKU NOPE-1"),
        (["products", "show", "SWITCH-1", "-f", "ids"], 2, "ids is for lists only"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    supplied: Path, args: list[str], code: int, message: str
) -> None:
    before = snapshot(supplied)
    result = run(supplied, *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert snapshot(supplied) == before


def test_suggest_lists_what_to_buy_per_sku(supplied: Path) -> None:
    assert run(supplied, "purchases", "cancel", "2").exit_code == 0  # CABLE-15 now short
    run(supplied, "products", "edit", "CABLE-15", "--supplier", "Nordkabel", "--lead-time", "5")
    rows = json.loads(run(supplied, "suggest", "-f", "json").stdout)
    assert [(r["sku"], r["supplier"], r["quantity"], r["demand"], r["incoming"]) for r in rows] == [
        ("CABLE-15", "Nordkabel", 150, 150, 0)
    ]
    assert rows[0]["arrives"] == (utc_today() + timedelta(5)).isoformat()
    assert run(supplied, "suggest", "--supplier", "kabel ab", "-f", "ids").stdout == ""
    assert "Nothing to buy" in run(supplied, "suggest", "--supplier", "kabel ab").stderr


@pytest.mark.usefixtures("at_terminal")
def test_suggest_create_asks_then_makes_one_purchase_per_supplier(supplied: Path) -> None:
    run(supplied, "purchases", "cancel", "2")
    run(supplied, "products", "edit", "CABLE-15", "--supplier", "Nordkabel", "--lead-time", "5")
    before = snapshot(supplied)
    result = run(supplied, "suggest", "--create", input="n\n")
    assert (
        result.exit_code == 1 and "This will create 1 purchase, one per supplier." in result.stderr
    )
    assert snapshot(supplied) == before
    result = run(supplied, "suggest", "--create", "--yes")
    day = (utc_today() + timedelta(5)).isoformat()
    assert result.stdout == f"Purchase #3 from Nordkabel, expected {day}: 150 x CABLE-15\n"
    shown = json.loads(run(supplied, "orders", "show", "2402", "-f", "json").stdout)
    assert [(ln["sku"], ln["eta"]) for ln in shown["lines"]] == [
        ("CABLE-15", day),
        ("SWITCH-1", "2026-12-10"),
    ]
    assert run(supplied, "check").exit_code == 0


@pytest.mark.usefixtures("at_terminal")
def test_suggest_create_refuses_a_sku_without_supplier_before_asking(supplied: Path) -> None:
    run(supplied, "purchases", "cancel", "2")
    before = snapshot(supplied)
    result = run(supplied, "suggest", "--create", input="y\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: CABLE-15 has no supplier")
    assert "Continue?" not in result.stderr
    assert snapshot(supplied) == before


def test_suggest_create_without_a_terminal_refuses_before_planning(supplied: Path) -> None:
    before = snapshot(supplied)
    result = run(supplied, "suggest", "--create")
    assert result.exit_code == 2
    assert result.stderr == "Error: no terminal to confirm on - pass --yes\n"
    assert snapshot(supplied) == before


def test_suggest_create_with_a_failed_print_says_what_was_saved(
    supplied: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(supplied, "purchases", "cancel", "2")
    run(supplied, "products", "edit", "CABLE-15", "--supplier", "Nordkabel")
    before = snapshot(supplied)
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullDisk())
    with pytest.raises(SystemExit) as exit_:
        app(["--db", str(supplied), "suggest", "--create", "--yes"], prog_name="backorder")
    monkeypatch.undo()
    stderr = capsys.readouterr().err
    assert exit_.value.code == 1
    assert "Error: the change was saved" in stderr and "nothing was changed" not in stderr
    assert snapshot(supplied) != before


def test_ready_explain_says_why_each_waiting_line_waits(supplied: Path) -> None:
    result = run(supplied, "ready", "--explain")
    assert result.exit_code == 0
    assert "#2402 waits for 150 x CABLE-15: 0 on hand; ETA 2026-12-20 (purchase #2)" in (
        result.stderr.splitlines()
    )
    plain = run(supplied, "ready").stdout
    assert result.stdout == plain  # the listing itself is unchanged


@pytest.mark.parametrize(
    ("args", "allocates"),
    [
        (["-f", "plain"], False),
        (["-f", "ids"], False),
        (["-f", "table"], False),
        (["-f", "json"], True),
        (["-f", "csv"], True),
        (["-f", "plain", "--no-eta"], True),
        (["-f", "ids", "--sku", "SWITCH-1"], True),
        (["-f", "plain", "--eta-before", "2027-01-01"], True),
    ],
)
def test_orders_list_makes_the_allocation_only_when_its_output_needs_it(
    supplied: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], allocates: bool
) -> None:
    """The promise dates are one allocation of every waiting line: the plain listing
    (and the table, and ids) never pays for it unless a filter on the ETA asks."""
    from backorder_cli.services import supply

    made: list[bool] = []
    real = supply.etas

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        made.append(True)
        return real(*a, **kw)

    monkeypatch.setattr(supply, "etas", counting)
    result = run(supplied, "orders", "list", "--all", *args)
    assert result.exit_code == 0, result.output
    assert bool(made) is allocates
    if "--sku" in args:  # waiting for SWITCH-1, first in line first: the backorder first
        assert result.stdout.split() == ["2402", "2399", "2400"]
