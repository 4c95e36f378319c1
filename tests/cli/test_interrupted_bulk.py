"""Ctrl-C in the middle of a bulk run: the JSON list on stdout is closed (valid JSON of
what was done), stderr says how far it got, the exit code is 130, and the order in
progress is rolled back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.services import backorders as backorders_service

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


@pytest.fixture
def ctrl_c_on_the_second_order(monkeypatch: pytest.MonkeyPatch) -> None:
    real = backorders_service._create_backorder
    calls = []

    def create(conn, number, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(number)
        if len(calls) == 2:
            real(conn, number, **kwargs)  # written, then interrupted before the commit
            raise KeyboardInterrupt
        return real(conn, number, **kwargs)

    monkeypatch.setattr("backorder_cli.services.backorders._create_backorder", create)


@pytest.mark.usefixtures("ctrl_c_on_the_second_order")
def test_an_interrupted_bulk_json_run_closes_its_list_and_says_how_far_it_got(
    sample: Run,
) -> None:
    result = sample("create", "2398", "2399", "2401", "--yes", "--invoice", "-f", "json")
    assert result.exit_code == 130
    done = json.loads(result.stdout)
    assert [(o["order"], o["ok"], o["backorder"]) for o in done] == [(2398, True, 2402)]
    assert result.stderr == (
        "Interrupted: 1 backorder created before the interrupt, 0 refused; the order being "
        "worked on when you pressed Ctrl-C may also have been saved - rerun the same command "
        "to finish "
        "(orders already done are skipped)\n"
    )
    statuses = {n: services_status(sample, n) for n in (2398, 2399, 2401)}
    assert statuses == {2398: "canceled", 2399: "partially_shipped", 2401: "partially_shipped"}


@pytest.mark.usefixtures("ctrl_c_on_the_second_order")
def test_an_interrupted_bulk_text_run_says_how_far_it_got(sample: Run) -> None:
    result = sample("create", "2398", "2399", "2401", "--yes", "--invoice")
    assert result.exit_code == 130
    assert result.stdout.count("Backorder #") == 1
    assert result.stderr.endswith(
        "Interrupted: 1 backorder created before the interrupt, 0 refused; the order being "
        "worked on when you pressed Ctrl-C may also have been saved - rerun the same command "
        "to finish "
        "(orders already done are skipped)\n"
    )


def services_status(run: Run, number: int) -> str:
    shown = run("orders", "show", str(number), "-f", "json")
    return json.loads(shown.stdout)["status"]
