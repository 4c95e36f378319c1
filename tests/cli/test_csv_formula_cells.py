"""CSV output never hands a spreadsheet a formula: a text cell starting with =, +, -, @,
tab or CR gets a leading ', reversibly (one more ' before quotes followed by one of
those), and import reads the tool's own CSV back to the same text. Numbers stay
numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import Result

from backorder_cli.cli.output.flat import csv_cell
from backorder_cli.transfer.cells import csv_text, csv_text_read
from tests.conftest import is_url, postgres_run

Run = Callable[..., Result]

HOSTILE = [
    ('=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0"),
    ("-2+3", "@SUM(A1:A9)"),
    ("'=already quoted", "''+two quotes"),
    ("'plain quote", "= spaced"),
    ("Plain & Co", "x=1"),
]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("'x", "'x"),
        ("''", "''"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_cell_is_neutralised_and_read_back_exactly(text: str, written: str) -> None:
    assert csv_text(text) == written
    assert csv_text_read(written) == text
    assert csv_cell(text) == written


def test_numbers_are_not_text_cells_so_a_negative_number_stays_a_number() -> None:
    assert csv_cell(Decimal("-5")) == "-5"
    assert csv_cell(Decimal("-0.125")) == "-0.125"
    assert csv_cell(-3) == "-3"
    assert csv_text_read("-5") == "-5"


@pytest.fixture
def hostile(cli: Run, tmp_path: Path) -> Run:
    document = {
        "products": [{"sku": "FORMULA-1", "name": "=1+2", "unit": "@m", "price": 2}],
        "orders": [
            {
                "number": 7000 + i,
                "customer": customer,
                "comment": comment,
                "lines": [{"sku": "FORMULA-1", "quantity": 3, "shipped": 1, "invoiced": 1}],
            }
            for i, (customer, comment) in enumerate(HOSTILE)
        ],
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(document))
    assert cli("init").exit_code == 0
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    return cli


def rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_every_csv_listing_neutralises_formula_text(hostile: Run) -> None:
    listed = rows(hostile("orders", "list", "-f", "csv"))
    assert [r["customer"] for r in sorted(listed, key=lambda r: r["number"])] == [
        '\'=HYPERLINK("http://evil")',
        "'-2+3",
        "''=already quoted",
        "'plain quote",
        "Plain & Co",
    ]
    shown = rows(hostile("orders", "show", "7000", "-f", "csv"))
    assert (shown[0]["customer"], shown[0]["comment"]) == (
        '\'=HYPERLINK("http://evil")',
        "'+cmd|' /C calc'!A0",
    )
    assert (shown[0]["name"], shown[0]["unit"]) == ("'=1+2", "'@m")
    assert rows(hostile("products", "list", "-f", "csv")) == [
        {
            "sku": "FORMULA-1",
            "name": "'=1+2",
            "unit": "'@m",
            "price": "2.00",
            "stock": "0",
            "claimed": "10",
            "available": "-10",
            "incoming": "0",
        }
    ]
    exported = rows(hostile("orders", "export", "-f", "csv"))
    assert [(r["customer"], r["comment"]) for r in exported] == [
        (csv_text(customer), csv_text(comment)) for customer, comment in HOSTILE
    ]
    assert exported[1]["comment"] == "'@SUM(A1:A9)"
    assert exported[2]["comment"] == "'''+two quotes"


def test_csv_export_imports_back_to_the_same_text(
    hostile: Run, target: str, tmp_path: Path
) -> None:
    exported = hostile("orders", "export", "--all", "-f", "csv")
    assert exported.exit_code == 0
    dump = tmp_path / "dump.csv"
    dump.write_text(exported.stdout, newline="")
    products = tmp_path / "products.json"
    header = json.loads(hostile("orders", "export", "--all").stdout)
    products.write_text(json.dumps({"products": header["products"]}))
    copy = postgres_run().new_target() if is_url(target) else str(tmp_path / "copy.db")
    assert hostile("init", db=copy).exit_code == 0
    assert hostile("import", str(products), db=copy).exit_code == 0
    imported = hostile("import", str(dump), db=copy)
    assert imported.exit_code == 0, imported.output
    for number in range(7000, 7000 + len(HOSTILE)):
        original = json.loads(hostile("orders", "show", str(number), "-f", "json").stdout)
        copied = json.loads(hostile("orders", "show", str(number), "-f", "json", db=copy).stdout)
        assert (copied["customer"], copied["comment"]) == HOSTILE[number - 7000]
        assert (copied["customer"], copied["comment"]) == (
            original["customer"],
            original["comment"],
        )
        assert copied["lines"] == original["lines"]
