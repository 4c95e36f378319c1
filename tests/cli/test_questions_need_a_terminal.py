"""A command that asks first needs someone to answer: with stdin not a terminal (a pipe,
a file, /dev/null, xargs) and no --yes it refuses before it plans anything, exit 2,
and the database is untouched. At a terminal it asks, showing with the plan the
refusals it already knows."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from typer.testing import Result

from tests.cli.test_installed_scripts import in_terminal, script
from tests.conftest import snapshot

Run = Callable[..., Result]
NO_TERMINAL = "Error: no terminal to confirm on - pass --yes\n"


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    # #2402, a backorder of #2401: something `undo` could take back.
    assert cli("create", "2401", "--yes").exit_code == 0
    return cli


@pytest.fixture
def sample_file(shop: Path) -> Path:
    """The sample company's file, as `init --sample` makes it (a copy: see conftest)."""
    return shop


ASKING = [
    ["create", "2399"],
    ["create", "2399", "2398"],
    ["create", "--all"],
    ["create", "-"],
    ["create", "9999"],  # not even looked up: the refusal comes before planning
    ["undo", "2402"],
    ["undo", "9999"],
    ["ready", "--ship"],
    ["invoice", "--all"],
    ["invoice", "--all", "--format", "json"],
    ["settings", "set", "next-order-number", "5000"],
]


@pytest.mark.parametrize("args", ASKING, ids=" ".join)
def test_without_a_terminal_a_question_is_refused_before_planning(
    sample: Run, target: str, args: list[str]
) -> None:
    before = snapshot(target)
    result = sample(*args, input="y\n")  # even an answer waiting on stdin is not a person's
    assert result.exit_code == 2, result.output
    assert result.stderr == NO_TERMINAL
    assert result.stdout == ""
    assert snapshot(target) == before


@pytest.mark.parametrize("args", ASKING, ids=" ".join)
def test_dry_run_needs_no_terminal(sample: Run, target: str, args: list[str]) -> None:
    before = snapshot(target)
    result = sample(*args, "--dry-run", input="2399\n")
    assert result.exit_code in (0, 1), result.output
    assert "no terminal" not in result.stderr
    assert result.stderr.endswith("Dry run: nothing was changed.\n") or (
        result.exit_code == 1 and result.stderr.startswith("Error: order #9999 not found")
    )
    assert snapshot(target) == before


def test_yes_answers_without_a_terminal(sample: Run) -> None:
    result = sample("invoice", "--all", "--yes", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [o["order"] for o in json.loads(result.stdout)] == [2393, 2398]
    assert sample("check").exit_code == 0


def test_the_installed_script_refuses_with_stdin_from_dev_null(sample_file: Path) -> None:
    before = snapshot(sample_file)
    with open("/dev/null") as devnull:
        result = subprocess.run(
            [script("backorder"), "--db", str(sample_file), "create", "2401"],
            stdin=devnull,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", NO_TERMINAL)
    assert snapshot(sample_file) == before


def test_numbers_through_xargs_are_refused_without_yes(sample_file: Path) -> None:
    """`... | xargs backorder create`: xargs gives the command /dev/null as stdin."""
    before = snapshot(sample_file)
    pipeline = f"echo 2401 2399 | xargs {script('backorder')} --db {sample_file} create"
    result = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, timeout=60)
    assert result.returncode == 123  # xargs: the command exited non-zero
    assert result.stderr == NO_TERMINAL
    assert result.stdout == ""
    assert snapshot(sample_file) == before
    done = subprocess.run(
        ["bash", "-c", pipeline + " --yes"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Backorder #") == 2


def test_at_a_terminal_the_known_refusals_come_before_the_question(sample_file: Path) -> None:
    """create 2401 2399 2398: #2398 (shipped items not invoiced) is refused, and the
    person sees that before answering for #2401 and #2399."""
    child = in_terminal(sample_file, "create", "2401", "2399", "2398")
    child.expect_exact("Error: order #2398 has shipped items that are not invoiced")
    child.expect_exact(
        "This will cancel orders no. #2401, #2399 and create new ones for the undelivered items."
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendline("y")
    child.expect_exact("2 backorders created, 1 refused")
    child.expect(pexpect.EOF)
    after = child.before
    child.close()
    assert child.exitstatus == 1
    assert "Error: order #2398" not in after  # said once, before the question


def test_invoice_all_asks_at_a_terminal_and_no_changes_nothing(sample_file: Path) -> None:
    before = snapshot(sample_file)
    child = in_terminal(sample_file, "invoice", "--all")
    child.expect_exact(
        "This will invoice 2 orders for a total of 177.13; an invoice cannot be undone."
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendline("n")
    child.expect_exact("Aborted: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert snapshot(sample_file) == before


def test_invoice_all_answered_yes_at_a_terminal_invoices(sample_file: Path) -> None:
    child = in_terminal(sample_file, "invoice", "--all")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("y")
    child.expect_exact("Invoice #7 for order #2393: total 96.00")
    child.expect_exact("Invoice #8 for order #2398: total 81.13")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
