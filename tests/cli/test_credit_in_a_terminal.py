"""`backorder credit`, `invoices list` and `invoices show` in a real (pseudo-)terminal,
through the installed script: yes credits, the default (no) changes nothing; the tables
fit the window at 40 to 200 columns with no number, SKU or amount cut; long output goes
through the pager."""

from __future__ import annotations

import json
import os
import re
import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import pexpect
import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.domain.values import format_money, format_quantity
from tests.cli.test_installed_scripts import in_terminal, run, script
from tests.conftest import snapshot
from tests.helpers.data import partially_shipped_company

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def sample_file(shop: Path) -> Path:
    """The sample company's file, as `init --sample` makes it (a copy: see conftest)."""
    return shop


def test_the_credit_question_in_a_real_terminal_is_answered_yes(sample_file: Path) -> None:
    child = in_terminal(sample_file, "credit", "5", "SWITCH-1=2", "--reason", "returned")
    child.expect_exact("Invoice #5 (order #2399, Aarhus Installations): credit note #7 gives back:")
    child.expect_exact("Total of the credit note: -17.80")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("yes")
    child.expect_exact("Credit note #7 for invoice #5: total -17.80")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    note = json.loads(run("invoices", "show", "7", "--format", "json", db=sample_file).stdout)
    assert (note["credit_of"], note["reason"], note["total"]) == (5, "returned", -17.8)
    assert run("check", db=sample_file).returncode == 0


def test_the_credit_question_in_a_real_terminal_defaults_to_no(sample_file: Path) -> None:
    before = snapshot(sample_file)
    child = in_terminal(sample_file, "credit", "5")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("")
    child.expect_exact("Aborted: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert snapshot(sample_file) == before


LONG_REASON = "the cable arrived with a crushed drum and water damage, " * 2


@pytest.fixture(scope="module")
def credited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample company with a credit note that has a long reason (set up in-process,
    as the narrow-window test does; only the terminal runs use the installed script)."""
    db = tmp_path_factory.mktemp("credited") / "shop.db"
    for args in (
        ["init", "--sample"],
        ["credit", "5", "CABLE-25=0.5", "--reason", LONG_REASON, "--yes"],
        ["credit", "4", "--yes"],
    ):
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
    return db


def _json(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", str(db), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout, parse_float=Decimal, parse_int=Decimal)


def _must_stay_whole(db: Path) -> dict[str, set[str]]:
    """What `invoices list` and each `invoices show` print that must never be cut: every
    invoice and order number, date, SKU, quantity, price, amount and total (shown: an
    invoice with a credit note, a credit note of part of it and one of all of another)."""
    whole: dict[str, set[str]] = {"list": set()}
    for i in _json(db, "invoices", "list"):
        whole["list"] |= {f"#{i['number']}", f"#{i['order']}", format_money(i["total"])}
        whole["list"].add(i["created_at"][:10])
    for number in (5, 7, 8):
        shown = _json(db, "invoices", "show", str(number))
        name = f"show {number}"
        whole[name] = {f"#{shown['number']}", f"#{shown['order']}", format_money(shown["total"])}
        whole[name] |= {f"#{n}" for n in shown["credit_notes"]}
        for line in shown["lines"]:
            whole[name] |= {line["sku"], format_quantity(line["quantity"])}
            whole[name] |= {format_money(line["unit_price"]), format_money(line["amount"])}
    return whole


def _screens(db: Path, commands: dict[str, str], width: int, env: dict[str, str]) -> dict[str, str]:
    """Shell lines run in one pseudo-terminal `width` columns wide: each one's screen."""
    backorder = shlex.quote(script("backorder")) + " --db " + shlex.quote(str(db))
    lines = [
        f"echo @@{name}; {line.replace('backorder', backorder)}; echo rc=$?"
        for name, line in commands.items()
    ]
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER", "LESS")}
    child = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", "; ".join(lines) + "; echo @@end"],
        encoding="utf-8",
        timeout=120,
        dimensions=(50, width),
        # The terminal's own size, not a COLUMNS inherited from the test runner's.
        env={**clean, "TERM": "xterm", **env},
    )
    child.expect_exact("@@end")
    screen = ANSI.sub("", child.before or "").replace("\r\n", "\n")
    child.expect(pexpect.EOF)
    return {
        part.partition("\n")[0].strip(): part.partition("\n")[2] for part in screen.split("@@")[1:]
    }


@pytest.mark.parametrize("width", [40, 50, 60, 80, 200])
def test_invoice_tables_never_cut_numbers_skus_or_money_at_any_width(
    credited: Path, width: int
) -> None:
    whole = _must_stay_whole(credited)
    commands = {
        name: "backorder invoices list" if name == "list" else f"backorder invoices {name}"
        for name in whole
    }
    screens = _screens(credited, commands, width, {"BACKORDER_PAGER": ""})
    assert set(screens) == set(whole)
    for name, screen in screens.items():
        assert screen.rstrip().endswith("rc=0"), (name, screen)
        assert "…" not in screen, (name, screen)
        too_wide = [line for line in screen.splitlines() if len(line.rstrip()) > width]
        assert not too_wide, (name, width, too_wide)
        for token in whole[name]:
            # On one line, not touching other letters or digits: never split or clipped.
            pattern = rf"(?<![\w.-]){re.escape(token)}(?![\w.-])"
            assert re.search(pattern, screen), (name, token, width, screen)
    # The long reason wraps (between words) rather than widening the window.
    assert "crushed" in screens["list"] and "crushed" in screens["show 7"]


def test_invoices_list_and_show_go_through_the_pager_only_at_a_terminal(credited: Path) -> None:
    # The pager shows 3 lines, then quits early.
    pager = "sh -c 'echo PAGER-STARTED; head -n 3'"
    screens = _screens(
        credited,
        {
            "list": "backorder invoices list",
            "show": "backorder invoices show 5",
            "list-no-pager": "backorder invoices list --no-pager",
            "show-no-pager": "backorder invoices show 5 --no-pager",
            "piped": "backorder invoices list --format table | tail -n 1",
        },
        80,
        {"BACKORDER_PAGER": pager},
    )
    for paged in ("list", "show"):
        assert "PAGER-STARTED" in screens[paged], paged
        # Quitting the pager early ends the listing quietly, with success.
        assert len(screens[paged].splitlines()) == 1 + 3 + 1, screens[paged]
        assert screens[paged].rstrip().endswith("rc=0")
    for unpaged in ("list-no-pager", "show-no-pager", "piped"):
        assert "PAGER-STARTED" not in screens[unpaged], unpaged
        assert screens[unpaged].rstrip().endswith("rc=0")
    assert "Credit notes" in screens["show-no-pager"] and "#2390" in screens["list-no-pager"]
    assert "#2390" in screens["piped"]  # piped: the last row came straight out
    assert "Traceback" not in "".join(screens.values())


def test_invoices_list_shows_the_newest_50_at_a_real_terminal_and_all_when_piped(
    tmp_path: Path,
) -> None:
    db = tmp_path / "sixty.db"
    document = tmp_path / "sixty.json"
    document.write_text(partially_shipped_company(60))
    for args in (["init"], ["import", str(document)]):
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
    screens = _screens(
        db,
        {
            "default": "backorder invoices list",
            "all": "backorder invoices list --limit 0 --format ids",
            "piped": "backorder invoices list --format ids | wc -l",
        },
        120,
        {"BACKORDER_PAGER": ""},
    )
    rows = re.findall(r"^ *#(\d+) ", screens["default"], flags=re.MULTILINE)
    assert rows == [str(n) for n in range(60, 10, -1)]
    assert (
        "Showing the newest 50 of 60 invoices; 10 more - list them all with --limit 0, or "
        "pick a number with --limit N." in screens["default"].replace("\n", " ")
    )
    assert len(re.findall(r"^\d+$", screens["all"], flags=re.MULTILINE)) == 60
    assert "Showing" not in screens["all"]
    assert screens["piped"].split()[0] == "60"
    assert all(screen.rstrip().endswith("rc=0") for screen in screens.values())
