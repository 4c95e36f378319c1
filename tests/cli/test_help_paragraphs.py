"""A command's help paragraphs are rewrapped to the terminal: never broken mid-sentence
where the docstring's lines happened to end, on a wide terminal or a narrow one."""

from __future__ import annotations

import itertools

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app

# One sentence of each command's help, from after its first paragraph.
SENTENCES = {
    "credit": "Each credited line gives back its share of what the invoice billed for it, so "
    "an invoice and its credit notes add up to the cent.",
    "report": "Open means: on a backorder that is booked or partially shipped and not "
    "archived, neither shipped nor canceled.",
    "ready": "Stock is allocated to them in a fixed order: backorders first, then the order "
    "waiting longest, then number.",
}


@pytest.mark.parametrize("command", sorted(SENTENCES))
def test_a_wide_terminal_shows_a_help_paragraph_unbroken(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert any(SENTENCES[command] in line for line in result.stdout.splitlines())


@pytest.mark.parametrize("command", ["credit", "chain", "report", "log", "ready"])
def test_a_narrow_terminal_wraps_help_paragraphs_within_its_width(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    # Text lines wrapped by Rich fill the width (80 less a column of padding each side):
    # no short line ends mid-sentence and is followed by more of the same paragraph.
    prose = [ln.rstrip() for ln in lines if ln.startswith(" ") and not ln.startswith(" Usage")]
    for this, following in itertools.pairwise(prose):
        if this and following.strip() and not this.endswith((".", ":")) and "│" not in this:
            first_word = following.split()[0]
            assert len(this) + 1 + len(first_word) > 79, (this, following)


def test_the_orders_group_is_described_by_what_it_holds() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    described = next(ln for ln in result.stdout.splitlines() if ln.startswith("│ orders "))
    assert "List, show, add, book, cancel, edit and export orders." in described
    listed = CliRunner().invoke(app, ["orders", "--help"], env={"COLUMNS": "200"}).stdout
    for command in ("list", "show", "add", "book", "cancel", "edit", "export"):
        assert f" {command} " in listed
