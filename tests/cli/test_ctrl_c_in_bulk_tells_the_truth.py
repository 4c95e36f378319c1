"""Ctrl-C in a bulk run says only what is true: how many were done before the interrupt,
which were saved but not listed yet (their group committed, their lines not printed), and
that the orders being worked on may have been saved too (the interrupt can land in their
group's commit). With -f json stdout is a valid JSON list in every case, even
when Ctrl-C comes before the first result. A Ctrl-C after the summary does not turn a
finished run into exit 130."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import Result

from backorder_cli.cli.app import State
from backorder_cli.cli.commands import backorders as backorders_cli
from backorder_cli.cli.output import json_format

Run = Callable[..., Result]

TRUTH = (
    "the orders being worked on when you pressed Ctrl-C may also have been saved - rerun the "
    "same command to finish (orders already done are skipped)\n"
)


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def status(run: Run, number: int) -> str:
    return str(json.loads(run("orders", "show", str(number), "-f", "json").stdout)["status"])


def test_ctrl_c_after_a_commit_before_its_line_is_not_called_rolled_back(
    sample: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backorders_cli._created_text
    calls: list[Any] = []

    def text(outcome: Any) -> str:
        calls.append(outcome)
        if len(calls) == 2:  # the group is committed; Ctrl-C before #2399's line
            raise KeyboardInterrupt
        return real(outcome)

    monkeypatch.setattr(backorders_cli, "_created_text", text)
    result = sample("create", "2401", "2399", "2398", "--yes", "--invoice")
    assert result.exit_code == 130
    assert result.stdout.count("Backorder #") == 1
    assert result.stderr == (
        "Interrupted: 1 backorder created before the interrupt and 2 more saved but not "
        f"listed (#2399 -> #2403, #2398 -> #2404), 0 refused; {TRUTH}"
    )
    assert "rolled back" not in result.stderr
    assert [status(sample, n) for n in (2401, 2399, 2398)] == ["canceled"] * 3


def test_ctrl_c_before_the_first_result_still_gives_an_empty_json_list(
    sample: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # the signal lands as the list is about to begin

    monkeypatch.setattr(json_format, "print_json_stream", interrupted)
    result = sample("create", "2401", "2399", "--yes", "-f", "json")
    assert result.exit_code == 130
    assert json.loads(result.stdout) == []
    assert result.stderr == (
        f"Interrupted: 0 backorders created before the interrupt, 0 refused; {TRUTH}"
    )
    assert [status(sample, n) for n in (2401, 2399)] == ["partially_shipped"] * 2


def test_ctrl_c_in_the_first_order_gives_an_empty_json_list(
    sample: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("backorder_cli.services.backorders._write_backorders", interrupted)
    result = sample("create", "2401", "2399", "--yes", "-f", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (130, [])
    assert status(sample, 2401) == "partially_shipped"


def test_ctrl_c_after_the_summary_keeps_the_runs_exit_code(
    sample: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_close = State.close

    def close(self: State) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the database is closed
        real_close(self)

    handler = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(State, "close", close)
    result = sample("create", "2401", "2399", "--yes", "--invoice", "-f", "json")
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is handler  # the caller's handler is back
    assert result.exit_code == 0, result.stderr
    assert [o["backorder"] for o in json.loads(result.stdout)] == [2402, 2403]
    assert result.stderr == "2 backorders created, 0 refused\n"
