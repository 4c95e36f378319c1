"""One human form for a quantity of a SKU (`150 x CABLE-15`) in every message, table and
history entry; money with two decimals in every human and flat (CSV, plain) output;
JSON keeps the exact numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest
from typer.testing import Result

Run = Callable[..., Result]

# A quantity next to a SKU written any other way: `150 CABLE-15` or `SKU=150` or `SKU 150`.
OTHER_FORMS = re.compile(r"\b\d+(\.\d+)? [A-Z][A-Z0-9]*-\d|\b[A-Z]+-\d+[=\s]\d")


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    assert cli("create", "2401", "--yes").exit_code == 0
    return cli


def test_every_human_text_writes_quantities_as_count_x_sku(sample: Run, at_terminal: None) -> None:
    texts = {
        "history": sample("orders", "show", "2402", "-f", "table").stdout,
        "ship": sample("ship", "2396", "CABLE-25=20.5").stderr,
        "receive": sample("products", "receive", "SWITCH-1", "24").stderr,
        "ready": sample("ready", "-f", "table").stdout,
        "chain": sample("chain", "2402", "-f", "table").stdout,
        "undo question": sample("undo", "2402", input="n\n").stderr,
        "refusal": sample("ship", "2396", "CABLE-25=9999").stderr,
    }
    assert "as backorder of order #2401: 150 x CABLE-15, 12 x SWITCH-1" in texts["history"]
    assert "Shipped 20.5 x CABLE-25 on order #2396" in texts["ship"]
    assert "12 x SWITCH-1" in texts["ready"]
    assert "waiting for 150 x CABLE-15" in texts["chain"]
    assert "150 x CABLE-15, 12 x SWITCH-1 go back" in texts["undo question"]
    assert "cannot ship 9999 x CABLE-25 on order #2396" in texts["refusal"]
    for name, text in texts.items():
        assert not OTHER_FORMS.search(text), f"{name}: {OTHER_FORMS.search(text)}"


@pytest.mark.parametrize(
    ("args", "field", "expected"),
    [
        (["orders", "list", "--all"], "total", {"2401": "134.00", "2400": "204.00"}),
        (["products", "list"], "price", {"BREAKER-16": "24.00", "LED-9W": "3.245"}),
        (["report"], "value", {"SWITCH-1": "106.80"}),
        (["orders", "show", "2402"], "unit_price", {"CABLE-15": "1.40", "SWITCH-1": "8.90"}),
    ],
    ids=["orders", "products", "report", "show"],
)
def test_money_has_two_decimals_in_csv_and_plain_and_stays_exact_in_json(
    sample: Run, args: list[str], field: str, expected: dict[str, str]
) -> None:
    as_csv = list(csv.DictReader(io.StringIO(sample(*args, "-f", "csv").stdout)))
    key = next(k for k in ("order", "number", "sku") if k in as_csv[0])
    if args[:2] == ["orders", "show"]:
        key = "sku"
    got = {row[key]: row[field] for row in as_csv if row[key] in expected}
    assert got == expected
    plain = sample(*args, "-f", "plain").stdout
    for value in expected.values():
        assert f"\t{value}\t" in plain or f"\t{value}\n" in plain
    as_json = json.loads(sample(*args, "-f", "json").stdout)
    rows = as_json["lines"] if isinstance(as_json, dict) else as_json
    exact = {str(r[key if key != "order" else "number"]): r[field] for r in rows}
    for name, value in expected.items():
        # JSON writes the exact decimal: 134 and 24, not "134.00"
        assert exact[name] == json.loads(value.rstrip("0").rstrip(".") or "0")
