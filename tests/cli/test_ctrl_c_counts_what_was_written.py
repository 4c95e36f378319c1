"""Ctrl-C in a bulk run, at the two points where the count of what was listed can slip:
as an order's result is being written (a real SIGINT during the write of its JSON object
or line, or its write-through: it is written whole and counted, the signal raised
after), and just after an order's outcome left its committed group, before it was
written (it was saved and never listed, so the summary names it). Every format counts
exactly the orders whose result reached stdout, and names as "saved but not listed"
exactly the committed rest."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backorder_cli.cli.output import records
from backorder_cli.services import groups
from tests.cli.test_bulk_output_fails import run

TRUTH = (
    "the orders being worked on when you pressed Ctrl-C may also have been saved - rerun the "
    "same command to finish (orders already done are skipped)\n"
)


@pytest.fixture(autouse=True)
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt, as in the tool (a test runner's worker may
    ignore it)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


class InterruptedOutput(io.TextIOBase):
    """A stdout where Ctrl-C (a real SIGINT) comes as the text holding `at` is written
    through (flushed) or, `in_write`, during its write, before the text is taken (as a
    write blocked on a full pipe is cut short)."""

    def __init__(self, at: str, *, in_write: bool = False) -> None:
        self.at, self.in_write, self.text, self.fired = at, in_write, "", False

    def write(self, text: str) -> int:
        if self.in_write and self.at in text:
            self.interrupt()
        self.text += text
        return len(text)

    def flush(self) -> None:
        if not self.in_write and self.at in self.text:
            self.interrupt()

    def interrupt(self) -> None:
        if not self.fired:
            self.fired = True
            os.kill(os.getpid(), signal.SIGINT)

    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def _one_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """The orders of a run in one group however loaded the machine: these tests count
    what a committed group's interrupted output says, not when a group ends. (`run`
    undoes every patch when it returns, so this holds for a test's first run.)"""
    monkeypatch.setattr(groups, "GROUP_SECONDS", 600.0)


@pytest.mark.parametrize("in_write", [False, True])
def test_ctrl_c_while_ready_ship_writes_a_json_object_counts_it_as_listed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], in_write: bool
) -> None:
    out = InterruptedOutput('"order": 2397', in_write=in_write)
    code, stderr = run(
        monkeypatch, capsys, out, "--db", str(shop), "ready", "--ship", "-y", "-f", "json"
    )
    assert code == 130
    assert [o["order"] for o in json.loads(out.text)] == [2396, 2397]
    assert stderr == (
        "Interrupted: 2 orders shipped before the interrupt and 1 more saved but not listed "
        f"(#2398), 0 refused; {TRUTH}"
    )


def test_ctrl_c_while_create_writes_a_json_object_counts_it_as_listed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = InterruptedOutput('"order": 2399')
    code, stderr = run(
        monkeypatch,
        capsys,
        out,
        *("--db", str(shop), "create", "2401", "2399", "2398", "-y", "--invoice", "-f", "json"),
    )
    assert code == 130
    assert [o["backorder"] for o in json.loads(out.text)] == [2402, 2403]
    assert stderr == (
        "Interrupted: 2 backorders created before the interrupt and 1 more saved but not "
        f"listed (#2398 -> #2404), 0 refused; {TRUTH}"
    )


@pytest.mark.parametrize("in_write", [False, True])
def test_ctrl_c_while_create_writes_a_line_counts_it_as_listed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], in_write: bool
) -> None:
    out = InterruptedOutput("of order #2399", in_write=in_write)
    code, stderr = run(
        monkeypatch,
        capsys,
        out,
        *("--db", str(shop), "create", "2401", "2399", "2398", "-y", "--invoice"),
    )
    assert code == 130
    assert out.text.count("Backorder #") == 2
    assert stderr == (
        "Interrupted: 2 backorders created before the interrupt and 1 more saved but not "
        f"listed (#2398 -> #2404), 0 refused; {TRUTH}"
    )


def test_ctrl_c_as_ready_ship_turns_an_outcome_into_json_names_it_saved(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """#2397 has left its committed group and is being put in JSON's shape when Ctrl-C
    lands: it was never written, and it is named with #2398 as saved but not listed."""
    real = records.ready_shipped
    calls: list[Any] = []

    def shaped(outcome: Any) -> Any:
        calls.append(outcome)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(outcome)

    monkeypatch.setattr(records, "ready_shipped", shaped)
    out = io.StringIO()
    code, stderr = run(
        monkeypatch, capsys, out, "--db", str(shop), "ready", "--ship", "-y", "-f", "json"
    )
    assert code == 130
    assert [o["order"] for o in json.loads(out.getvalue())] == [2396]
    assert stderr == (
        "Interrupted: 1 order shipped before the interrupt and 2 more saved but not listed "
        f"(#2397, #2398), 0 refused; {TRUTH}"
    )


def test_ctrl_c_in_a_rerun_counts_only_the_refusals_it_said(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rerun from stdin: #2401 and #2399 are already done, #2398 is made now, all in
    one group. Ctrl-C lands as #2401's refusal is written: #2399's refusal was never
    said nor listed, so it is not counted (a rerun says it); #2398 is named as saved."""
    first = ("--db", str(shop), "create", "2401", "2399", "-y", "--invoice", "-f", "json")
    assert run(monkeypatch, capsys, io.StringIO(), *first)[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("2401\n2399\n2398\n"))
    out = InterruptedOutput('"order": 2401')
    code, stderr = run(
        monkeypatch,
        capsys,
        out,
        *("--db", str(shop), "create", "-", "--yes", "--invoice", "-f", "json"),
    )
    assert code == 130
    assert [(o["order"], o["code"]) for o in json.loads(out.text)] == [
        (2401, "already_backordered")
    ]
    assert stderr == (
        "Error: order #2401 is already backordered as #2402 - see it with `backorder orders "
        "show 2402`\n"
        "Interrupted: 0 backorders created before the interrupt and 1 more saved but not "
        f"listed (#2398 -> #2404), 1 refused; {TRUTH}"
    )
