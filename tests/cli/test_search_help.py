"""`orders list --help` says that a search shorter than a trigram reads every order."""

from __future__ import annotations

from typer.testing import CliRunner

from backorder_cli.cli import app


def test_list_help_says_short_search_text_reads_every_order() -> None:
    result = CliRunner().invoke(app, ["orders", "list", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert "under 3 characters it reads every order" in flat
    assert flat.count("indexed; under 3 characters") == 2  # --customer and --search
