"""Counts in messages are sentences: `1 order checked`, `2 backorders would be created`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.cli.output.text import counted

Run = Callable[..., Result]


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 orders"), (1, "1 order"), (2, "2 orders"), (11, "11 orders")]
)
def test_a_count_takes_the_noun_in_the_right_number(count: int, expected: str) -> None:
    assert counted(count, "order") == expected


def test_check_of_one_order_says_one_order(cli: Run) -> None:
    assert cli("init").exit_code == 0
    assert cli("products", "add", "BOX-68", "--name", "Box", "--price", "1").exit_code == 0
    assert cli("orders", "add", "--customer", "A", "BOX-68=1").exit_code == 0
    result = cli("check")
    assert result.exit_code == 0
    assert result.stderr == "No problems found: 1 order checked.\n"


def test_a_bulk_dry_run_names_what_would_be_created(cli: Run, sample_target: str) -> None:
    result = cli("create", "2401", "2398", "--dry-run")
    assert result.exit_code == 1  # 2398 would be refused, as in the real run
    assert "Dry run: 1 backorder would be created, 1 order refused.\n" in result.stderr
    both = cli("create", "2401", "2398", "--invoice", "--dry-run")
    assert "Dry run: 2 backorders would be created, 0 orders refused.\n" in both.stderr


def test_the_sample_load_counts_in_words(cli: Run) -> None:
    result = cli("init", "--sample")
    assert result.stderr.endswith("Loaded the sample company: 8 products, 12 orders.\n")
