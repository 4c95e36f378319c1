"""Ctrl-C in the middle of a bulk run: the JSON list on stdout is closed (valid JSON of
what was done), stderr says how far it got, the exit code is 130, and the group of
orders in progress is rolled back whole (its orders were never reported)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import groups

Run = Callable[..., Result]
TRUTH = (
    "the orders being worked on when you pressed Ctrl-C may also have been saved - rerun the "
    "same command to finish (orders already done are skipped)\n"
)


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


@pytest.fixture
def ctrl_c_in_the_second_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of two orders; Ctrl-C once the second group is written, before its commit."""
    real = backorders_service._write_backorders
    calls = []

    def write(conn, splits):  # type: ignore[no-untyped-def]
        calls.append(splits)
        written = real(conn, splits)
        if len(calls) == 2:
            raise KeyboardInterrupt  # written, then interrupted before the commit
        return written

    monkeypatch.setattr(groups, "GROUP_ORDERS", 2)
    monkeypatch.setattr(backorders_service, "_write_backorders", write)


@pytest.mark.usefixtures("ctrl_c_in_the_second_group")
def test_an_interrupted_bulk_json_run_closes_its_list_and_says_how_far_it_got(
    sample: Run,
) -> None:
    result = sample("create", "2398", "2399", "2401", "--yes", "--invoice", "-f", "json")
    assert result.exit_code == 130
    done = json.loads(result.stdout)
    assert [(o["order"], o["ok"], o["backorder"]) for o in done] == [
        (2398, True, 2402),
        (2399, True, 2403),
    ]
    assert result.stderr == (
        f"Interrupted: 2 backorders created before the interrupt, 0 refused; {TRUTH}"
    )
    statuses = {n: services_status(sample, n) for n in (2398, 2399, 2401)}
    assert statuses == {2398: "canceled", 2399: "canceled", 2401: "partially_shipped"}
    assert sample("check").exit_code == 0


@pytest.mark.usefixtures("ctrl_c_in_the_second_group")
def test_an_interrupted_bulk_text_run_says_how_far_it_got(sample: Run) -> None:
    result = sample("create", "2398", "2399", "2401", "--yes", "--invoice")
    assert result.exit_code == 130
    assert result.stdout.count("Backorder #") == 2
    assert result.stderr.endswith(
        f"Interrupted: 2 backorders created before the interrupt, 0 refused; {TRUTH}"
    )
    assert services_status(sample, 2401) == "partially_shipped"  # its group rolled back
    rerun = sample("create", "2398", "2399", "2401", "--yes", "--invoice")
    assert rerun.exit_code == 1  # the two done are refused as done; the third is made now
    assert "Backorder #2404 created with the undelivered items of order #2401" in rerun.stdout
    assert rerun.stderr.endswith("1 backorder created, 2 refused (2 already done)\n")


def services_status(run: Run, number: int) -> str:
    shown = run("orders", "show", str(number), "-f", "json")
    return json.loads(shown.stdout)["status"]
