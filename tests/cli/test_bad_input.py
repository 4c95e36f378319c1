"""Bad input: every case exits 1 or 2 with a one-line message on stderr naming the
problem, no traceback, and the database exactly as it was. Hostile text is stored and
shown verbatim, never executed.

The table runs in-process (`CliRunner`, the same `main` the script calls: the error
boundary, the exit codes and the streams are ours, not the process's); a handful of
cases run through the installed script too, where the script itself is what is tested
(`test_the_installed_script_refuses_the_same_way`)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.storage.models import SCHEMA_VERSION
from tests.conftest import snapshot

BIN = Path(sys.executable).parent


def argv(*args: str, db: Path | str | None = None) -> list[str]:
    return (["--db", str(db)] if db is not None else []) + list(args)


def backorder(
    *args: str, db: Path | str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Run the CLI in-process; the result looks like the script's (code, stdout, stderr)."""
    result = CliRunner().invoke(app, argv(*args, db=db), input=stdin)
    return subprocess.CompletedProcess(
        argv(*args, db=db), result.exit_code, result.stdout, result.stderr
    )


def installed(
    *args: str, db: Path | str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Run the installed `backorder` script for real."""
    command = [str(BIN / "backorder"), *argv(*args, db=db)]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)


def assert_refused(result: subprocess.CompletedProcess, code: int, message: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0], lines[0]
    assert result.stdout == ""


CASES = [
    # order numbers
    (["create", "99999", "--yes"], 1, "order #99999 not found"),
    (["create", "0", "--yes"], 2, "'0' is not an order number"),
    (["create", "-5", "--yes"], 2, "'-5' is not an order number - give one like 2401"),
    (["create", "abc", "--yes"], 2, "'abc' is not an order number"),
    (["create", "99999999999999999999999", "--yes"], 2, "is not an order number"),
    (["orders", "show", "0"], 2, "'0' is not an order number"),
    (["orders", "show", "abc"], 2, "'abc' is not an order number"),
    (["orders", "show", "99999999999999999999999"], 2, "is not an order number"),
    (["ship", "99999", "BOX-68=1"], 1, "order #99999 not found"),
    (["invoice", "#x"], 2, "'#x' is not an order number"),
    # unknown SKUs
    (["orders", "add", "-c", "X", "NOPE=1"], 1, "unknown SKU NOPE"),
    (["ship", "2396", "NOPE=1"], 1, "order #2396 has no line for SKU NOPE"),
    (["products", "receive", "NOPE", "1"], 1, "unknown SKU NOPE"),
    # quantities
    (["ship", "2396", "CABLE-25=0"], 2, "quantity of CABLE-25 must be greater than zero"),
    (["ship", "2396", "CABLE-25=-1"], 2, "quantity of CABLE-25 must be greater than zero"),
    (["ship", "2396", "CABLE-25=NaN"], 2, "must be a plain decimal number"),
    (["ship", "2396", "CABLE-25=inf"], 2, "must be a plain decimal number"),
    (["ship", "2396", "CABLE-25=1.0001"], 2, "has more than 3 decimal places"),
    (["ship", "2396", "CABLE-25=two"], 2, "must be a plain decimal number"),
    (["ship", "2396", "CABLE-25"], 2, "is not of the form SKU=QTY"),
    (["products", "receive", "BOX-68", "1e9999"], 2, "must be a plain decimal number"),
    (["products", "receive", "BOX-68", "10000000000000"], 2, "is too large"),
    # prices
    (["orders", "add", "-c", "X", "BOX-68=1@NaN"], 2, "price of BOX-68 must be a plain decimal"),
    (["orders", "add", "-c", "X", "BOX-68=1@-1"], 2, "price of BOX-68 must not be negative"),
    (["orders", "add", "-c", "X", "BOX-68=1@1.00001"], 2, "has more than 4 decimal places"),
    (["orders", "add", "-c", "X", "BOX-68=1@cheap"], 2, "must be a plain decimal number"),
    (["products", "add", "NEW", "--name", "n", "--price", "-inf"], 2, "must be a plain decimal"),
    # shipping more than remains or than stock
    (["ship", "2396", "CABLE-25=51"], 1, "only 50 remains"),
    (["ship", "2400", "SWITCH-1=1"], 1, "only 0 in stock"),
    (["ship", "2401", "--available"], 1, "no stock on hand for what remains on order #2401"),
    # drafts, canceled and archived orders
    (["ship", "2395", "SOCKET-2=1"], 1, "order #2395 is a draft"),
    (["invoice", "2395"], 1, "order #2395 is a draft"),
    (["create", "2395", "--yes"], 1, "order #2395 is a draft"),
    (["ship", "2390", "CABLE-25=1"], 1, "order #2390 is canceled"),
    (["invoice", "2390"], 1, "invoices cannot be created for a canceled order"),
    (["orders", "book", "2390"], 1, "order #2390 is not a draft"),
    (["ship", "2394", "LED-9W=1"], 1, "order #2394 is canceled"),
    # backordering twice, invoicing nothing
    (["create", "2390", "--yes"], 1, "already backordered as #2391"),
    (["invoice", "2392"], 1, "order #2392 is fully invoiced"),
    # text
    (["orders", "add", "-c", "A\x1b[31mB", "BOX-68=1"], 2, "customer must not contain control"),
    (["orders", "add", "-c", "  ", "BOX-68=1"], 2, "customer must not be empty"),
    (["orders", "add", "-c", "X", "--comment", "x" * 501, "BOX-68=1"], 2, "comment is longer"),
    (["orders", "list", "--status", "halfway"], 2, "unknown status 'halfway'"),
    (["orders", "list", "--limit", "-1"], 2, "Invalid value for '--limit'"),
    (["settings", "set", "colour", "on"], 2, "unknown setting 'colour'"),
    (["settings", "set", "inventory-value-on-invoicing", "maybe"], 2, "takes on or off"),
    # stdin
    (["create", "-"], 2, "no terminal to confirm on - pass --yes"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), CASES, ids=[" ".join(c[0])[:40] for c in CASES]
)
def test_bad_input_is_refused_and_changes_nothing(
    shop: Path, args: list[str], code: int, message: str
) -> None:
    before = snapshot(shop)
    assert_refused(backorder(*args, db=shop, stdin="2401\n"), code, message)
    assert snapshot(shop) == before


# The script itself: argument bytes from a real argv, exit codes of a real process.
SCRIPT_CASES = [CASES[0], CASES[3], CASES[7], CASES[14], CASES[-1]]


@pytest.mark.parametrize(
    ("args", "code", "message"), SCRIPT_CASES, ids=[" ".join(c[0])[:40] for c in SCRIPT_CASES]
)
def test_the_installed_script_refuses_the_same_way(
    shop: Path, args: list[str], code: int, message: str
) -> None:
    before = snapshot(shop)
    assert_refused(installed(*args, db=shop, stdin="2401\n"), code, message)
    assert snapshot(shop) == before


IMPORTS = [
    ("bad.json", '{"orders": [', "bad.json is not valid JSON"),
    ("binary.json", b"\xff\xfe\x00\x00garbage", "is not UTF-8 text"),
    ("lines.csv", "order,customer\n1,A\n", "lacks the columns sku, quantity, unit_price"),
    ("wrong.json", "[1, 2]", "must hold a JSON object"),
]


@pytest.mark.parametrize(("name", "content", "message"), IMPORTS, ids=[i[0] for i in IMPORTS])
def test_malformed_import_files_are_refused(
    shop: Path, tmp_path: Path, name: str, content: str | bytes, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = snapshot(shop)
    assert_refused(backorder("import", str(path), db=shop), 1, message)
    assert snapshot(shop) == before


def test_import_of_a_missing_file_or_a_folder(shop: Path, tmp_path: Path) -> None:
    assert_refused(backorder("import", str(tmp_path / "nope.json"), db=shop), 1, "no file")
    assert_refused(backorder("import", str(tmp_path), db=shop), 1, "is a folder")


def test_an_import_with_many_problems_lists_each_under_one_error(
    shop: Path, tmp_path: Path
) -> None:
    path = tmp_path / "many.json"
    path.write_text(
        json.dumps(
            {
                "orders": [
                    {"number": 2401, "customer": "A", "lines": [{"sku": "BOX-68", "quantity": 1}]},
                    {"number": 9, "customer": "B", "lines": [{"sku": "NOPE", "quantity": "-1"}]},
                ]
            }
        )
    )
    before = snapshot(shop)
    result = backorder("import", str(path), db=shop)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: many.json has 3 problems, so nothing was imported - fix them and import again",
        '  orders[1].lines[0].sku: unknown SKU NOPE - add it to "products" or the database',
        "  orders[1].lines[0].quantity: value must be greater than zero, got -1",
        "  orders[0].number: order #2401 already exists in the database",
    ]
    assert snapshot(shop) == before


# ---------------------------------------------------------------- --db


def test_db_pointing_at_a_folder(tmp_path: Path) -> None:
    assert_refused(backorder("orders", "list", db=tmp_path), 1, "is a folder")


def test_db_pointing_at_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 200)
    assert_refused(backorder("orders", "list", db=path), 1, "is not a backorder database")
    assert path.read_text() == "not a database\n" * 200


def test_db_in_a_missing_folder(tmp_path: Path) -> None:
    assert_refused(backorder("init", db=tmp_path / "no" / "shop.db"), 1, "does not exist")
    assert not (tmp_path / "no").exists()


def test_db_missing_for_any_command_but_init(tmp_path: Path) -> None:
    assert_refused(backorder("orders", "list", db=tmp_path / "x.db"), 1, "`backorder init`")
    assert not (tmp_path / "x.db").exists()


def test_db_with_a_newer_schema(shop: Path) -> None:
    with sqlite3.connect(shop) as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    before = snapshot(shop)
    assert_refused(backorder("orders", "list", db=shop), 1, "newer than this backorder")
    assert snapshot(shop) == before


def test_db_url_with_a_missing_driver_never_shows_the_password() -> None:
    result = backorder("orders", "list", db="mysql+nosuchdriver://ann:s3cret@localhost/shop")
    assert_refused(result, 1, "")
    assert "s3cret" not in result.stderr


@pytest.fixture
def read_only(shop: Path):  # type: ignore[no-untyped-def]
    """The shop file made read-only, even for root (who ignores permission bits)."""
    shop.chmod(0o444)
    immutable = False
    if os.access(shop, os.W_OK):  # root: only the immutable attribute stops it
        immutable = subprocess.run(["chattr", "+i", str(shop)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("cannot make a file read-only for root on this file system")
    yield shop
    if immutable:
        subprocess.run(["chattr", "-i", str(shop)], check=True)
    shop.chmod(0o644)


def test_db_that_is_a_read_only_file(read_only: Path) -> None:
    before = snapshot(read_only)
    assert_refused(backorder("products", "receive", "BOX-68", "1", db=read_only), 1, "is read-only")
    listed = backorder("orders", "list", "--format", "ids", db=read_only)
    assert (listed.returncode, listed.stdout.split()[0]) == (0, "2401")  # reading still works
    assert snapshot(read_only) == before


# ---------------------------------------------------------------- hostile text, verbatim


HOSTILE = [
    "Robert'); DROP TABLE orders;--",
    "$(rm -rf ~) `id` && echo pwned | cat > /tmp/x; ${HOME}",
    "100% _wild_ [bold]markup[/bold] \\ \" '",
    "Ærø Købmandshandel — Zürich 東京 🚚",
]


@pytest.mark.parametrize("text", HOSTILE, ids=["sql", "shell", "wildcards-markup", "unicode"])
def test_hostile_text_is_stored_and_shown_verbatim(shop: Path, text: str) -> None:
    added = backorder("orders", "add", "-c", text, "--comment", text, "BOX-68=1", db=shop)
    assert added.returncode == 0, added.stderr
    number = int(added.stdout)
    shown = json.loads(backorder("orders", "show", str(number), "-f", "json", db=shop).stdout)
    assert (shown["customer"], shown["comment"]) == (text, text)
    found = json.loads(backorder("orders", "list", "--search", text, "-f", "json", db=shop).stdout)
    assert [o["number"] for o in found] == [number]
    table = backorder("orders", "show", str(number), "-f", "table", db=shop).stdout
    assert text in table
    assert len(snapshot(shop)["orders"]) == 13  # the table is still there, one order added
