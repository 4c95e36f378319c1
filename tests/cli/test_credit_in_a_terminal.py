"""The question of `backorder credit` in a real (pseudo-)terminal, through the installed
script: yes credits, the default (no) changes nothing."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pexpect
import pytest

from tests.cli.test_installed_scripts import in_terminal, run
from tests.conftest import snapshot


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    result = run("init", "--sample", db=db)
    assert result.returncode == 0, result.stderr
    return db


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


@pytest.mark.parametrize("width", [60, 80, 200])
def test_invoice_tables_never_cut_numbers_or_money(sample_file: Path, width: int) -> None:
    assert (
        run(
            "credit", "5", "CABLE-25=0.5", "--reason", "a long reason " * 5, "--yes", db=sample_file
        ).returncode
        == 0
    )
    for args, wholes in (
        (["invoices", "list"], ("#7", "#2399", "-0.98", "426.58", "2026-")),
        (["invoices", "show", "5"], ("#5", "#2399", "#7", "426.58", "390.98", "425.60")),
        (["invoices", "show", "7"], ("#7", "#2399", "#5", "-0.98", "-0.5 m")),
    ):
        child = pexpect.spawn(
            in_terminal(sample_file).command,
            ["--db", str(sample_file), *args],
            encoding="utf-8",
            timeout=30,
            dimensions=(60, width),
            # The terminal's own size, not a COLUMNS inherited from the test runner's.
            env={k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
        )
        child.expect(pexpect.EOF)
        child.close()
        shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before).replace("\r", "")
        assert child.exitstatus == 0, shown
        for whole in wholes:
            assert whole in shown, (args, shown)
        assert all(len(line) <= width for line in shown.splitlines()), shown
