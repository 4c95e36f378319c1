"""What `--format json` prints is what the help and the README say it prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app

Run = Callable[..., Result]
README = (Path(__file__).resolve().parent.parent.parent / "README.md").read_text()


def help_text(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "300"})
    return " ".join(result.stdout.split())


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


@pytest.mark.parametrize(
    ("command", "one", "several"),
    [
        (["create", "--yes", "--invoice"], ["2401"], ["2399", "2398"]),
        (["invoice"], ["2398"], ["2393", "2396"]),
    ],
    ids=["create", "invoice"],
)
def test_bulk_commands_print_one_object_for_one_number_and_an_array_for_several(
    sample: Run, command: list[str], one: list[str], several: list[str]
) -> None:
    words = help_text(command[0])
    assert "one result object for one number; an array of them, one per order" in words
    single = json.loads(sample(*command, *one, "-f", "json").stdout)
    assert isinstance(single, dict)
    bulk = json.loads(sample(*command, *several, "-f", "json").stdout)
    assert isinstance(bulk, list) and len(bulk) == 2
    assert "print one\nobject for one number and an array of them for a bulk run" in README


def test_settings_show_in_json_is_an_array_as_the_readme_says(sample: Run) -> None:
    rows = json.loads(sample("settings", "show", "-f", "json").stdout)
    assert isinstance(rows, list)
    assert all(set(r) == {"setting", "value"} for r in rows)
    assert '`settings show`: one `{"setting", "value"}` object per setting' in README
    assert "an array of objects" in README.split("### Output formats", 1)[1]


def test_check_in_json_is_an_array(sample: Run) -> None:
    assert "json: an array of the violations" in help_text("check")
    assert json.loads(sample("check", "-f", "json").stdout) == []
