"""The number series end where the tool can still read what it made, and an order's
value stays below its limit after its amounts are rounded (found by the attack review:
an imported 999,999,999,999,999,999 made the next order unreadable and its export
unimportable; 0.1 at 999,999,999,999.9999 made a total of exactly 10^11)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from backorder_cli.domain.values import MAX_ORDER_NUMBER
from tests.conftest import snapshot

Run = Callable[..., Result]


def one_line_refusal(result: Result, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ") and text in result.stderr, result.stderr


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_order_series_ends_at_the_last_readable_number(
    cli: Run, tmp_path: Path, target: str, sample_target: str
) -> None:
    last = {
        "number": MAX_ORDER_NUMBER,
        "customer": "Far",
        "lines": [{"sku": "BOX-68", "quantity": 1}],
    }
    document = tmp_path / "last.json"
    document.write_text(json.dumps({"orders": [last]}))
    assert cli("import", str(document)).exit_code == 0
    before = snapshot(target)
    one_line_refusal(cli("orders", "add", "-c", "X", "BOX-68=1"), "the order numbers have run out")
    one_line_refusal(cli("create", "2401", "--yes"), "the order numbers have run out")
    one_line_refusal(cli("create", "2401"), "the order numbers have run out")  # the preview
    assert snapshot(target) == before
    # Every number the database holds can be read back: the export imports.
    exported = cli("orders", "export", "--all")
    assert exported.exit_code == 0
    backup = tmp_path / "backup.json"
    backup.write_text(exported.stdout)
    assert cli("import", str(backup), db=tmp_path / "restored.db").exit_code == 1  # no db yet
    assert cli("init", db=tmp_path / "restored.db").exit_code == 0
    assert cli("import", str(backup), db=tmp_path / "restored.db").exit_code == 0


def test_the_invoice_series_ends_at_the_last_readable_number(
    cli: Run, tmp_path: Path, target: str, sample_target: str
) -> None:
    billed = {
        "number": 9001,
        "customer": "Far",
        "lines": [{"sku": "BOX-68", "quantity": 2, "shipped": 1, "invoiced": 1}],
        "invoices": [{"number": MAX_ORDER_NUMBER, "lines": [{"sku": "BOX-68", "quantity": 1}]}],
    }
    document = tmp_path / "last.json"
    document.write_text(json.dumps({"orders": [billed]}))
    assert cli("import", str(document)).exit_code == 0, cli("check").output
    before = snapshot(target)
    one_line_refusal(cli("invoice", "2398"), "the invoice numbers have run out")
    assert snapshot(target) == before


def test_an_order_worth_the_limit_once_rounded_is_refused(cli: Run, target: str) -> None:
    assert cli("init").exit_code == 0
    added = cli("products", "add", "BIG", "--name", "x", "--price", "999999999999.9999")
    assert added.exit_code == 0, added.output
    before = snapshot(target)
    result = cli("orders", "add", "-c", "X", "BIG=0.1")
    assert result.exit_code == 1, result.output
    assert "the order is worth too much" in result.stderr
    assert snapshot(target) == before
