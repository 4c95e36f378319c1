"""A writing command asked for `--format json` that refuses prints the refusal as a JSON
object on stdout too (`{"ok": false, "error", "code"}`), besides the one-line error on
stderr, so a script reads the documented code (README "Result codes") the way it reads a
result; exit 1, and nothing changed. Listings keep errors on stderr only."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    assert cli("create", "2401", "--yes").exit_code == 0
    assert cli("undo", "2402", "--yes").exit_code == 0
    return cli


REFUSALS = [
    # (command, its code): each refused on the sample after `create 2401` and `undo 2402`
    (["undo", "2402", "--yes"], "already_undone"),  # a rerun: already done
    (["undo", "2399", "--yes"], "not_a_backorder"),
    (["orders", "book", "2396"], "not_a_draft"),
    (["ship", "2396", "CABLE-25=9999"], "more_than_remains"),
    (["close", "2394", "--yes"], "not_allowed"),
    (["credit", "999", "--yes"], "not_found"),
    (["products", "adjust", "NOPE-1", "1", "--reason", "count", "--yes"], "not_found"),
    (["invoice", "2392"], "nothing_to_invoice"),
    (["create", "2396", "--yes"], "not_partially_shipped"),
]


@pytest.mark.parametrize(("args", "code"), REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_a_refused_json_command_prints_its_code_on_stdout(
    sample: Run, target: str, args: list[str], code: str
) -> None:
    before = snapshot(target)
    result = sample(*args, "--format", "json")
    assert result.exit_code == 1, result.output
    refusal = json.loads(result.stdout)
    assert refusal["ok"] is False and refusal["code"] == code, refusal
    assert result.stderr == f"Error: {refusal['error']}\n"
    assert snapshot(target) == before


def test_text_refusals_and_listings_keep_stdout_empty(sample: Run) -> None:
    refused = sample("undo", "2399", "--yes")
    assert refused.exit_code == 1 and refused.stdout == ""
    missing = sample("orders", "show", "9999", "--format", "json")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith("Error: order #9999 not found")
