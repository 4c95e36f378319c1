"""Every broken import document is refused with its place in the file, exit 1, and the
database exactly as it was: wrong JSON types, times out of range, deep nesting, lone
surrogates, numbers that are not ASCII digits or too large, oversized, unnamed and
duplicated CSV columns, keys named twice in a JSON object, another format. Row numbers
are the file's lines; a byte order mark is fine; `import -` reads stdin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]
LINE = {"sku": "BOX-68", "quantity": 1}
ONE_PROBLEM = "has 1 problem, so nothing was imported - fix them and import again"


def order(**fields: object) -> dict:
    return {"number": 5001, "customer": "A", "lines": [LINE], **fields}


def nested(levels: int) -> object:
    value: object = "x"
    for _ in range(levels):
        value = [value]
    return value


def document(*orders: dict, **extra: object) -> str:
    return json.dumps({"orders": list(orders), **extra})


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def refused(cli: Run, target: str, path: Path, content: str | bytes) -> str:
    """Import `content` from `path`: exit 1, nothing changed; returns stderr."""
    before = snapshot(target)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    result = cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert snapshot(target) == before
    return result.stderr


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (document(order(customer=7)), "orders[0].customer: must be text, got 7"),
        (
            document(order(lines=[{**LINE, "name": 5}])),
            "orders[0].lines[0].name: must be text, got 5",
        ),
        (
            json.dumps({"products": [{"sku": "NEW-1", "name": 5}]}),
            "products[0].name: must be text, got 5",
        ),
        (
            document(order(lines=[{"sku": 68, "quantity": 1}])),
            "orders[0].lines[0].sku: must be text, the product's SKU",
        ),
        (
            document(order(created_at="0001-01-01T00:00:00+05:00")),
            "orders[0].created_at: must be between 1000-01-01 and 9999-12-31 in UTC, got "
            "'0001-01-01T00:00:00+05:00'",
        ),
        (
            document(order(created_at="9999-12-31T23:59:59-05:00")),
            "orders[0].created_at: must be between 1000-01-01 and 9999-12-31 in UTC, got "
            "'9999-12-31T23:59:59-05:00'",
        ),
        (
            document(order(number=2**63 - 1)),
            "orders[0].number: must be between 1 and 999,999,999,999,999,999, got "
            "9223372036854775807",
        ),
        (
            document(order(number="2_1")),
            "orders[0].number: must be a whole number in digits 0-9, got '2_1'",
        ),
        (
            document(order(number="\u0661\u0662")),
            "orders[0].number: must be a whole number in digits 0-9, got '\u0661\u0662'",
        ),
        (
            document(order(number="+5")),
            "orders[0].number: must be a whole number in digits 0-9, got '+5'",
        ),
        (
            document(order(number=" 5")),
            "orders[0].number: must be a whole number in digits 0-9, got ' 5'",
        ),
        (
            document(order(backorder_of="24_01")),
            "orders[0].backorder_of: must be a whole number in digits 0-9, got '24_01'",
        ),
        (
            document(order(), format="backorder/2"),
            'format: must be "backorder/1", the format this backorder reads',
        ),
        (
            document(order(lines=[{"sku": "BOX-68", "quantity": "2_1"}])),
            "orders[0].lines[0].quantity: value must be a plain decimal number like 2 or 2.5, "
            "got '2_1'",
        ),
        (
            document(order(lines=[{"sku": "BOX-68", "quantity": "\u0661\u0662"}])),
            "orders[0].lines[0].quantity: value must be a plain decimal number like 2 or 2.5, "
            "got '\u0661\u0662'",
        ),
    ],
)
def test_a_wrong_value_is_refused_with_its_place(
    sample: Run, target: str, tmp_path: Path, text: str, problem: str
) -> None:
    stderr = refused(sample, target, tmp_path / "bad.json", text)
    assert stderr == f"Error: bad.json {ONE_PROBLEM}\n  {problem}\n"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "deep.json",
            "[" * 5000 + "]" * 5000,
            "deep.json nests lists and objects too deep - an import document goes 32 levels "
            "deep at most",
        ),
        (
            "deep.json",
            document(order(comment=nested(30))),
            "deep.json nests lists and objects too deep at orders[0].comment"
            + "[0]" * 29
            + " - an import document goes 32 levels deep at most",
        ),
        (
            "surrogate.json",
            '{"orders": [{"number": 5001, "customer": "\\ud800", "lines": []}]}',
            "surrogate.json has a \\u escape that is no character (a lone surrogate) at "
            "orders[0].customer - fix the text there",
        ),
        (
            "huge.json",
            '{"orders": [{"number": ' + "9" * 5000 + "}]}",
            "huge.json is not a usable JSON document (Exceeds the limit (4300 digits) for "
            "integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() "
            "to increase the limit) - fix the file",
        ),
        (
            "big.csv",
            "order,customer,sku,quantity,unit_price\n5001,A,BOX-68,1,\n5002,"
            + "x" * 140_000
            + ",BOX-68,1,\n",
            "big.csv is not readable CSV at row 3: a field is longer than 131,072 characters - "
            "fix the file there",
        ),
        (
            "twice.json",
            '{"orders": [{"number": 5001, "customer": "A", "customer": "B", "lines": []}]}',
            'twice.json names "customer" more than once in the object at orders[0] - keep one '
            "of each",
        ),
        (
            "twice.json",
            '{"orders": [], "products": [], "orders": []}',
            'twice.json names "orders" more than once in the object at $ - keep one of each',
        ),
        (
            "unnamed.csv",
            "order,customer,sku,quantity,unit_price,\n5001,A,BOX-68,1,,\n",
            "unnamed.csv has unknown column (no name) - known columns: order, customer, sku, "
            "quantity, unit_price, comment, shipped, invoiced, canceled, status, archived, "
            "backorder_of, created_at, name, unit, closed, canceled_with_order",
        ),
        (
            "twice.csv",
            "order,customer,sku,quantity,unit_price,quantity\n5001,A,BOX-68,1,,2\n",
            "twice.csv names the column quantity more than once - keep one column of each name",
        ),
        (
            "twice.csv",
            "order,customer,sku,quantity,unit_price,comment, comment,customer\n",
            "twice.csv names the columns comment, customer more than once - keep one column of "
            "each name",
        ),
    ],
)
def test_a_broken_document_is_refused_whole_in_one_line(
    sample: Run, target: str, tmp_path: Path, name: str, content: str, error: str
) -> None:
    assert refused(sample, target, tmp_path / name, content) == f"Error: {error}\n"


def test_csv_problems_are_placed_at_the_line_of_the_file_past_blank_lines_and_line_breaks(
    sample: Run, target: str, tmp_path: Path
) -> None:
    text = (
        "order,customer,sku,quantity,unit_price\n"
        "\n"
        "5001,A,BOX-68,1,\n"
        "\n"
        '5002,"two\nlines",BOX-68,x,\n'
        "5003,A,BOX-68,-1,\n"
    )
    stderr = refused(sample, target, tmp_path / "rows.csv", text)
    assert stderr == (
        "Error: rows.csv has 2 problems, so nothing was imported - fix them and import again\n"
        "  row 5, quantity: value must be a plain decimal number like 2 or 2.5, got 'x'\n"
        "  row 7, quantity: value must be greater than zero, got -1\n"
    )


def test_json_with_a_byte_order_mark_is_imported_like_csv_with_one(
    sample: Run, tmp_path: Path
) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + document(order(customer="Bom")).encode())
    result = sample("import", str(path))
    assert result.exit_code == 0, result.output
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbforder,customer,sku,quantity,unit_price\n5002,Bom,BOX-68,1,\n")
    result = sample("import", str(path))
    assert result.exit_code == 0, result.output
    listing = json.loads(sample("orders", "list", "-f", "json", "--customer", "Bom").stdout)
    assert [o["number"] for o in listing] == [5002, 5001]


def test_the_highest_importable_number_is_the_last_the_series_hands_out(
    sample: Run, target: str, tmp_path: Path
) -> None:
    """Every number the tool makes can be read back (shown, searched, imported from its
    own export): after the last one, the series refuses (attack review)."""
    path = tmp_path / "high.json"
    path.write_text(document(order(number=10**18 - 1)))
    result = sample("import", str(path))
    assert result.exit_code == 0, result.output
    before = snapshot(target)
    added = sample("orders", "add", "-c", "B", "BOX-68=1")
    assert added.exit_code == 1, added.output
    assert "the order numbers have run out" in added.stderr
    assert snapshot(target) == before
    assert sample("check").exit_code == 0


def test_import_dash_reads_json_or_csv_from_stdin(sample: Run, target: str) -> None:
    result = sample("import", "-", input=document(order()))
    assert result.exit_code == 0, result.output
    assert result.stderr == "Imported 0 products and 1 order (0 invoices) from stdin.\n"
    result = sample(
        "import", "-", input="order,customer,sku,quantity,unit_price\n5002,A,BOX-68,1,\n"
    )
    assert result.exit_code == 0, result.output
    before = snapshot(target)
    result = sample("import", "-", input=document(order(number=5003, customer=7)))
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: stdin {ONE_PROBLEM}\n  orders[0].customer: must be text, got 7\n"
    )
    assert snapshot(target) == before
