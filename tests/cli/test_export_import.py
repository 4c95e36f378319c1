"""Export and import: the round trip rebuilds the same orders; CSV imports are checked
as a whole with every problem placed by row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def busy_sample(cli: Run, sample_target: str) -> Run:
    """The sample after a day's work: backorders, shipments, invoices."""
    assert cli("create", "2401", "2398", "--yes", "--invoice").exit_code == 0
    assert cli("products", "receive", "SWITCH-1", "5").exit_code == 0
    assert cli("ship", "2402", "--available").exit_code == 0
    assert cli("invoice", "2402").exit_code == 0
    return cli


def without_history(order: dict) -> dict:
    return {k: v for k, v in order.items() if k != "history"}


def every_order(cli: Run, db: Path) -> tuple[list, list]:
    listing = json.loads(cli("orders", "list", "--all", "-f", "json", db=db).stdout)
    shown = [
        without_history(
            json.loads(cli("orders", "show", str(o["number"]), "-f", "json", db=db).stdout)
        )
        for o in listing
    ]
    return listing, shown


def test_json_export_then_import_into_an_empty_database_gives_the_same_orders(
    busy_sample: Run, target: str, tmp_path: Path
) -> None:
    exported = busy_sample("orders", "export", "--all")
    assert exported.exit_code == 0
    dump = tmp_path / "dump.json"
    dump.write_text(exported.stdout)
    copy = tmp_path / "copy.db"
    assert busy_sample("init", db=copy).exit_code == 0
    imported = busy_sample("import", str(dump), db=copy)
    assert imported.exit_code == 0, imported.output

    assert every_order(busy_sample, copy) == every_order(busy_sample, target)
    assert busy_sample("products", "list", "-f", "json", db=copy).stdout == (
        busy_sample("products", "list", "-f", "json").stdout
    )
    # The series go on where they were: no number is handed out twice.
    assert busy_sample("orders", "add", "-c", "X", "BOX-68=1", db=copy).stdout == (
        busy_sample("orders", "add", "-c", "X", "BOX-68=1").stdout
    )


def test_export_is_in_the_import_format_with_links_and_quantities(busy_sample: Run) -> None:
    data = json.loads(busy_sample("orders", "export", "--archived").stdout)
    assert set(data) == {"format", "settings", "products", "customers", "orders"}
    original = {o["number"]: o for o in data["orders"]}
    assert sorted(original) == [2390, 2398, 2401]
    assert original[2401]["archived"] is True
    assert original[2401]["lines"][2] == {
        "sku": "CABLE-15",
        "name": "Installation cable 3G1.5",
        "unit": "m",
        "quantity": 150,
        "unit_price": 1.4,
        "shipped": 0,
        "invoiced": 0,
        "canceled": 150,
        "closed": 0,  # all 150 moved to the backorder
        "canceled_with_order": 0,
    }
    assert [i["lines"] for i in original[2398]["invoices"]] == [[{"sku": "LED-9W", "quantity": 25}]]
    active = json.loads(busy_sample("orders", "export").stdout)["orders"]
    # the active orders, and the archived ones their backorders come from
    assert {o["number"] for o in active if o["archived"]} == {2390, 2401, 2398}
    backorder = next(o for o in active if o["number"] == 2402)
    assert backorder["backorder_of"] == 2401


def test_csv_export_then_import_where_the_products_exist(
    busy_sample: Run, target: str, tmp_path: Path
) -> None:
    exported = busy_sample("orders", "export", "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert {
        "order",
        "customer",
        "sku",
        "quantity",
        "unit_price",
        "comment",
        "shipped",
        "invoiced",
    } <= set(rows[0])
    dump = tmp_path / "dump.csv"
    dump.write_text(exported.stdout)
    products = tmp_path / "products.json"
    header = json.loads(busy_sample("orders", "export", "--archived").stdout)
    products.write_text(json.dumps({"products": header["products"]}))
    copy = tmp_path / "copy.db"
    assert busy_sample("init", db=copy).exit_code == 0
    assert busy_sample("import", str(products), db=copy).exit_code == 0
    result = busy_sample("import", str(dump), db=copy)
    assert result.exit_code == 0, result.output

    listing, shown = every_order(busy_sample, copy)
    listing0, shown0 = every_order(busy_sample, target)
    assert listing == listing0
    # CSV carries no invoice numbers: invoiced quantities are billed on one new invoice
    # per order, so lines and totals agree while invoice numbers may not.
    assert [o["lines"] for o in shown] == [o["lines"] for o in shown0]


def test_a_simple_csv_is_imported_grouped_by_order(
    cli: Run, tmp_path: Path, sample_target: str
) -> None:
    path = tmp_path / "new.csv"
    path.write_text(
        "order,customer,sku,quantity,unit_price,comment,shipped,invoiced\n"
        "3001,Nordic Electric ApS,CABLE-25,100.5,1.90,Phase 2,40,40\n"
        "3001,Nordic Electric ApS,BOX-68,20,,,0,0\n"
        "3002,Byg-Huset A/S,LED-9W,12,3.10,,,\n"
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 0 products and 2 orders (1 invoice)" in result.stderr
    order = json.loads(cli("orders", "show", "3001", "-f", "json").stdout)
    assert order["status"] == "partially_shipped"
    assert order["comment"] == "Phase 2"
    assert [
        (ln["sku"], ln["quantity"], ln["unit_price"], ln["shipped"]) for ln in order["lines"]
    ] == [
        ("CABLE-25", 100.5, 1.9, 40),
        ("BOX-68", 20, 0.85, 0),
    ]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("order,customer,sku\n1,A,B\n", ["lacks the columns quantity, unit_price"]),
        ("order,customer,sku,quantity,unit_price,colour\n", ["unknown column colour"]),
        (
            "order,customer,sku,quantity,unit_price\n"
            "5001,A,NOPE,1,1\n"
            "5002,A,BOX-68,-1,1\n"
            "5003,A,BOX-68,many,1\n"
            "5004,A,BOX-68,1,1\n"
            "5005,A,BOX-68,1,1\n"
            "5004,A,LED-9W,1,1\n"
            "2401,A,BOX-68,1,1\n",
            [
                "row 2, sku: unknown SKU NOPE",
                "row 3, quantity: value must be greater than zero",
                "row 4, quantity: value must be a plain decimal number",
                "row 7: order 5004 appears again after other orders (first at row 5)",
                "row 8, number: order #2401 already exists in the database",
            ],
        ),
        (
            "order,customer,sku,quantity,unit_price,shipped,invoiced\n"
            "5001,A,BOX-68,1,1,1,2\n"
            "5001,B,LED-9W,1,1,2,0\n",
            [
                "row 3, customer: differs from row 2 for the same order 5001",
                "row 2, invoiced: is more than was shipped",
                "row 3, shipped: shipped plus canceled is more than the quantity",
            ],
        ),
    ],
)
def test_a_malformed_csv_is_refused_whole_with_every_problem_by_row(
    cli: Run, target: str, tmp_path: Path, text: str, problems: list[str], sample_target: str
) -> None:
    before = snapshot(target)
    path = tmp_path / "bad.csv"
    path.write_text(text)
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bad.csv ")
    for problem in problems:
        assert problem in result.stderr
    if len(problems) > 1:
        assert len(result.stderr.strip().splitlines()) == len(problems) + 1
    assert snapshot(target) == before


def test_the_order_series_continues_where_it_was_after_export_and_import(
    busy_sample: Run, tmp_path: Path
) -> None:
    # The series moved past the last order: the copy's next new order is the same.
    assert busy_sample("settings", "set", "next-order-number", "3000", "--yes").exit_code == 0
    dump = tmp_path / "dump.json"
    dump.write_text(busy_sample("orders", "export", "--all").stdout)
    assert json.loads(dump.read_text())["settings"]["next-order-number"] == "3000"
    copy = tmp_path / "copy.db"
    assert busy_sample("init", db=copy).exit_code == 0
    assert busy_sample("import", str(dump), db=copy).exit_code == 0
    added = busy_sample("orders", "add", "-c", "X", "BOX-68=1", "-f", "json", db=copy)
    assert json.loads(added.stdout)["number"] == 3000
