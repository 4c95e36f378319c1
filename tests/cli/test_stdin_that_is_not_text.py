"""Bytes on stdin that are not UTF-8 text (found by the fuzz suite): the question takes
them as no, a list of numbers refuses them as a usage error; never an internal error,
and the database unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.services import transfer
from backorder_cli.storage.schema import init_database
from tests.conftest import snapshot

NOT_TEXT = b"\xff\xfe2401\n"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    database, _ = init_database(str(path))
    transfer.load_sample(database)
    database.dispose()
    return path


@pytest.mark.parametrize(
    "args", [["ready", "--ship"], ["create", "2401"], ["undo", "2391"]], ids=" ".join
)
@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_an_answer_that_is_not_text_is_no(shop: Path, args: list[str]) -> None:
    before = snapshot(shop)
    result = CliRunner().invoke(app, ["--db", str(shop), *args], input=NOT_TEXT)
    assert "internal error" not in result.output
    assert result.exit_code == 1, result.output
    assert result.stderr.endswith("Aborted: nothing was changed.\n") or "Error:" in result.stderr
    assert snapshot(shop) == before


@pytest.mark.parametrize("args", [["create", "-", "--yes"], ["invoice", "-"]], ids=" ".join)
def test_numbers_on_stdin_that_are_not_text_are_a_usage_error(shop: Path, args: list[str]) -> None:
    before = snapshot(shop)
    result = CliRunner().invoke(app, ["--db", str(shop), *args], input=NOT_TEXT)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "stdin is not UTF-8 text" in result.stderr
    assert snapshot(shop) == before
