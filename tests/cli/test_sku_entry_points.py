"""The SKU rule (tests/unit/test_sku_rules.py) holds at every entry point: each
command that takes a SKU and both import formats refuse a bad one, changing nothing.
And `products add --stock -0` says 0."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app
from tests.conftest import snapshot

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "shop.db"
    assert invoke(path, "init", "--sample").exit_code == 0
    return path


@pytest.fixture
def shop(sample_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    shutil.copyfile(sample_file, path)
    return path


def invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


BAD = "CA\u202eBLE-25"  # bidi override


def assert_refused(result: Result, db: Path, before: dict) -> None:
    # A bad value; the exit code of bad values is another item of the issue (1 or 2).
    assert result.exit_code in (1, 2), result.output
    assert result.stdout == ""
    assert not RAW.findall(result.stderr)
    assert result.stderr.startswith("Error: ") and "\\u202e" in result.stderr
    assert "must not contain control, invisible or bidi characters" in result.stderr
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ["products", "add", BAD, "--name", "Cable"],
        ["products", "receive", BAD, "5"],
        ["orders", "add", "-c", "Ann", f"{BAD}=1"],
        ["ship", "2401", f"{BAD}=1"],
    ],
    ids=["products add", "products receive", "orders add", "ship"],
)
def test_every_command_refuses_a_bad_sku(shop: Path, args: list[str]) -> None:
    before = snapshot(shop)
    assert_refused(invoke(shop, *args), shop, before)


def test_import_refuses_a_bad_sku_in_products_and_lines(shop: Path, tmp_path: Path) -> None:
    document = {
        "products": [{"sku": BAD, "name": "Cable"}],
        "orders": [{"number": 9001, "customer": "Ann", "lines": [{"sku": BAD, "quantity": 1}]}],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    before = snapshot(shop)
    result = invoke(shop, "import", str(path))
    assert result.exit_code == 1
    assert "products[0].sku" in result.stderr and "orders[0].lines[0].sku" in result.stderr
    assert not RAW.findall(result.stderr)
    assert snapshot(shop) == before


def test_csv_import_refuses_a_bad_sku(shop: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"order,customer,sku,quantity,unit_price\n9001,Ann,{BAD},1,2.00\n")
    before = snapshot(shop)
    result = invoke(shop, "import", str(path))
    assert result.exit_code == 1
    assert "must not contain control, invisible or bidi characters" in result.stderr
    assert not RAW.findall(result.stderr)
    assert snapshot(shop) == before


def test_a_negative_zero_stock_is_echoed_and_stored_as_zero(shop: Path) -> None:
    added = invoke(shop, "products", "add", "Z-1", "--name", "Z", "--stock", "-0", "--price", "-0")
    assert added.exit_code == 0, added.output
    assert added.stderr == "Added Z-1 (Z): price 0.00, stock 0 pcs\n"
    listed = json.loads(invoke(shop, "products", "list", "--format", "json").stdout)
    assert [(p["price"], p["stock"]) for p in listed if p["sku"] == "Z-1"] == [(0, 0)]
    as_json = invoke(
        shop, "products", "add", "Z-2", "--name", "Z", "--price", "1", "--stock", "-0", "-f", "json"
    )
    assert '"stock": 0' in as_json.stdout and "-0" not in as_json.stdout
