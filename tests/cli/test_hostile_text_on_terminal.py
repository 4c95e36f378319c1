"""Text from the database never reaches a terminal raw, nor as Rich markup.

The database is "old": its SKU, names, units, customer, comment, history user and a
setting hold terminal escapes, C1 controls, DEL, BEL, NUL, bidi overrides and Rich
markup, written past the services' own checks (plain SQL), as a database made before
the checks or edited by hand would hold them. Every human format of every command that
shows them must show them escaped and visible; JSON and CSV keep the exact text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app
from backorder_cli.cli.output.text import safe_text
from backorder_cli.domain.values import parse_items
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import catalogue, fulfilment, orders, steps
from backorder_cli.storage.schema import init_database
from tests.conftest import sqlite_connect

# Characters a terminal acts on or that reorder what is shown: none may be written raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

ESC_CLEAR = "\x1b[2J\x1b[31m"
SKU = "EVIL" + ESC_CLEAR  # 13 characters: an old database's SKU
CUSTOMER = "Ann\x9b31m\x7f\x07\x00\u202eevil\u2066x\u2069\u200f\u061c"
UNIT = "[/red]"
NAME = "[link=http://x.y]m"
COMMENT = "see\x1b]8;;http://x.y\x07here\x1b]8;;\x07"
USER = "bob\x1b]0;owned\x07"
DETAIL_MARKUP = "[bold red]x"
SETTING = "on\x1b[5m"

# What each shows instead (escapes as Python writes them, markup literally).
SKU_SHOWN = "EVIL\\x1b[2J\\x1b[31m"
CUSTOMER_SHOWN = "Ann\\x9b31m\\x7f\\x07\\x00\\u202eevil\\u2066x\\u2069\\u200f\\u061c"
USER_SHOWN = "bob\\x1b]0;owned\\x07"


SAFE_TEXT = {
    "plain": ("Ærø Købmand 東京 🚚 [b]x[/b] 100%", "Ærø Købmand 東京 🚚 [b]x[/b] 100%"),
    "c0": ("A\x1b[2J\x00\x07", "A\\x1b[2J\\x00\\x07"),
    "tab-newline": ("a\tb\nc\rd", "a\\tb\\nc\\rd"),
    "del-c1": ("\x7f\x85\x9b", "\\x7f\\x85\\x9b"),
    "bidi": (
        "\u202a\u202e\u2066\u2069\u200e\u200f\u061c",
        "\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c",
    ),
    "separators": ("a\u2028b\u2029", "a\\u2028b\\u2029"),
    "surrogate": ("a\ud800", "a\\ud800"),
    "backslash": ("A\\B \\ end\\", "A\\B \\ end\\"),
    "backslash-like-an-escape": ("A\\x1b C:\\new \\\\", "A\\\\x1b C:\\\\new \\\\\\"),
    "backslash-before-a-control": ("\\\x1b", "\\\\\\x1b"),
}


@pytest.mark.parametrize(("raw", "shown"), SAFE_TEXT.values(), ids=list(SAFE_TEXT))
def test_safe_text_escapes_what_a_terminal_would_act_on(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_a_message_keeps_its_backslashes_and_escapes_the_rest() -> None:
    # Messages quote values with repr, which has already written backslashes twice.
    assert safe_text("SKU 'A\\x1b' or A\x1b", message=True) == "SKU 'A\\x1b' or A\\x1b"


def invoke(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args], input=input)


def make_old_database(path: Path) -> None:
    """Order #1001 partially shipped and backordered as #1003 (a chain, a report row),
    #1002 partially shipped (for create), stock left over so #1003 is ready to ship;
    then the hostile text, written with plain SQL."""
    db, _ = init_database(str(path))
    try:
        catalogue.add_product(db, "PLAIN", name="Widget", unit="pcs", price="2", stock="4")
        for _ in range(2):
            orders.add_order(
                db, customer="Ann", comment="", items=parse_items(["PLAIN=10"]), draft=False
            )
        fulfilment.ship(db, 1001, parse_items(["PLAIN=2"], with_price=False))
        fulfilment.ship(db, 1002, parse_items(["PLAIN=2"], with_price=False))
        backorders_service.create_backorder(db, 1001, invoice_first=True)  # -> #1003
    finally:
        db.dispose()
    conn = sqlite_connect(path)  # the customer's new text goes into the search index
    with conn:
        conn.execute(
            "UPDATE product SET sku = ?, name = ?, unit = ?, stock = 100000", (SKU, NAME, UNIT)
        )
        conn.execute("UPDATE order_lines SET sku = ?, name = ?, unit = ?", (SKU, NAME, UNIT))
        conn.execute("UPDATE orders SET customer = ?, comment = ?", (CUSTOMER, COMMENT))
        conn.execute("UPDATE history SET user = ?, detail = detail || ?", (USER, DETAIL_MARKUP))
        conn.execute(
            "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)",
            ("inventory-value-on-invoicing", SETTING),
        )
    conn.close()  # the last connection: the WAL is folded into the file, which is copied


@pytest.fixture(scope="module")
def old_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("old") / "old.db"
    make_old_database(path)
    return path


@pytest.fixture
def old_db(old_database: Path, tmp_path: Path) -> Path:
    """A copy of the hostile database for one test."""
    path = tmp_path / "old.db"
    shutil.copyfile(old_database, path)
    return path


def assert_escaped(result: Result, *shown: str) -> str:
    """No raw control or bidi character anywhere; each escaped form visible."""
    text = result.stdout + result.stderr
    assert not RAW.findall(text), text
    for piece in shown:
        assert piece in text
    return text


HUMAN_FORMATS = ["table", "plain"]
COMMANDS: list[tuple[list[str], tuple[str, ...]]] = [
    (["orders", "list", "--all"], (CUSTOMER_SHOWN,)),
    (["orders", "show", "1001"], (CUSTOMER_SHOWN, SKU_SHOWN, UNIT, NAME, USER_SHOWN, "\\x1b]8;;")),
    (["log"], (USER_SHOWN, DETAIL_MARKUP)),
    (["chain", "1003"], (CUSTOMER_SHOWN, SKU_SHOWN)),
    (["report", "--by", "sku"], (SKU_SHOWN, NAME)),
    (["report", "--by", "customer"], (CUSTOMER_SHOWN,)),
    (["ready"], (CUSTOMER_SHOWN, SKU_SHOWN)),
    (["products", "list"], (SKU_SHOWN, NAME, UNIT)),
    (["settings", "show"], ("on\\x1b[5m",)),
]


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
@pytest.mark.parametrize(("args", "shown"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_every_human_format_shows_hostile_text_escaped(
    old_db: Path, args: list[str], shown: tuple[str, ...], fmt: str
) -> None:
    result = invoke(old_db, *args, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_escaped(result, *shown)


def test_ids_show_a_hostile_sku_escaped(old_db: Path) -> None:
    result = invoke(old_db, "products", "list", "--format", "ids")
    assert (result.exit_code, result.stdout) == (0, SKU_SHOWN + "\n")


def test_a_table_shows_markup_in_a_unit_literally_and_makes_no_link(old_db: Path) -> None:
    result = invoke(old_db, "orders", "show", "1001", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "10 [/red]" in result.stdout  # the quantity and its unit, as stored
    assert "[link=http://x.y]m" in result.stdout


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_backorder_plan_shows_hostile_text_escaped(old_db: Path) -> None:
    dry = invoke(old_db, "create", "1002", "--invoice", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert_escaped(dry, CUSTOMER_SHOWN, SKU_SHOWN, NAME, "8 [/red]")
    before = old_db.read_bytes()
    asked = invoke(old_db, "create", "1002", "--invoice", input="n\n")
    assert asked.exit_code == 1
    assert_escaped(asked, CUSTOMER_SHOWN, SKU_SHOWN, NAME, "Aborted: nothing was changed.")
    assert old_db.read_bytes() == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_undo_question_shows_the_customer_escaped(old_db: Path) -> None:
    result = invoke(old_db, "undo", "1003", input="n\n")
    assert result.exit_code == 1
    assert_escaped(
        result, f"Backorder #1003 ({CUSTOMER_SHOWN}): 8 x {SKU_SHOWN} go back to order #1001."
    )


def test_messages_after_a_change_show_skus_and_names_escaped(old_db: Path) -> None:
    shipped = invoke(old_db, "ship", "1002", "--available")
    assert shipped.exit_code == 0, shipped.output
    assert_escaped(shipped, f"Shipped 8 x {SKU_SHOWN} on order #1002")
    added = invoke(
        old_db, "products", "add", "OK-1", "--name", "A\u202eB", "--unit", "[/u]", "--price", "1"
    )
    assert added.exit_code == 0, added.output
    assert_escaped(added, "Added OK-1 (A\\u202eB): price 1.00, stock 0 [/u]")


@pytest.mark.parametrize("control", ["\x7f", "\x85", "\x9b"], ids=["del", "nel", "csi"])
def test_free_text_refuses_del_and_c1_controls_as_it_refuses_c0(old_db: Path, control: str) -> None:
    before = old_db.read_bytes()
    result = invoke(old_db, "orders", "add", "-c", f"A{control}31mB", "PLAIN=1")
    assert (result.exit_code, result.stdout) == (2, "")  # a bad option value: usage error
    assert result.stderr.count("\n") == 1
    assert "customer must not contain control characters" in result.stderr
    assert old_db.read_bytes() == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_ready_ship_lists_hostile_text_escaped(old_db: Path) -> None:
    result = invoke(old_db, "ready", "--ship", input="n\n")
    assert result.exit_code == 1
    assert_escaped(result, CUSTOMER_SHOWN, SKU_SHOWN)


def test_an_error_quoting_what_was_typed_shows_it_escaped(old_db: Path) -> None:
    before = old_db.read_bytes()
    result = invoke(old_db, "orders", "add", "-c", "X", f"{SKU}=1")
    assert result.exit_code == 2  # a bad argument value: usage error
    assert_escaped(result, "\\x1b[2J")
    assert result.stderr.startswith("Error: ")
    assert "SKU " in result.stderr
    assert old_db.read_bytes() == before


def test_check_reports_hostile_skus_escaped(old_db: Path) -> None:
    conn = sqlite3.connect(old_db)
    with conn:  # a line that says less than its backorder holds
        conn.execute(
            "UPDATE order_lines SET canceled = 0, backordered = 0, backordered_amount = 0 "
            "WHERE order_id = 1"
        )
        conn.execute("UPDATE order_lines SET quantity = quantity - 8 WHERE order_id = 1")
    conn.close()
    result = invoke(old_db, "check")
    assert result.exit_code == 1
    assert_escaped(result, SKU_SHOWN)


def test_json_keeps_the_exact_text_escaped_as_json(old_db: Path) -> None:
    result = invoke(old_db, "orders", "show", "1001", "--format", "json")
    assert result.exit_code == 0, result.output
    assert not RAW.findall(result.stdout)
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout
    order = json.loads(result.stdout)
    assert (order["customer"], order["comment"]) == (CUSTOMER, COMMENT)
    assert (order["lines"][0]["sku"], order["lines"][0]["unit"]) == (SKU, UNIT)
    assert order["history"][0]["user"] == USER
    listed = invoke(old_db, "products", "list", "--format", "json")
    assert not RAW.findall(listed.stdout)
    assert json.loads(listed.stdout)[0]["sku"] == SKU


def test_csv_keeps_the_exact_text(old_db: Path) -> None:
    result = invoke(old_db, "products", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith(f"{SKU},{NAME},{UNIT},")


def test_the_who_of_the_history_is_a_plain_user_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "ann\x1b]8;;http://evil\x07\u202e\u200b" + "x" * 200)
    steps._user.cache_clear()
    try:
        db = tmp_path / "who.db"
        assert invoke(db, "init").exit_code == 0
        assert (
            invoke(
                db, "products", "add", "A-1", "--name", "A", "--price", "1", "--stock", "5"
            ).exit_code
            == 0
        )
        assert invoke(db, "orders", "add", "-c", "C", "A-1=1").exit_code == 0
    finally:
        steps._user.cache_clear()
    with sqlite3.connect(db) as conn:
        (user,) = conn.execute("SELECT user FROM history").fetchone()
    assert user == ("ann]8;;http://evil" + "x" * 200)[:64]


def test_a_hostile_order_in_a_real_terminal_is_shown_escaped(old_db: Path) -> None:
    import pexpect

    from tests.cli.test_installed_scripts import script

    # The terminal's own size, not a COLUMNS inherited from the test runner's.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["BACKORDER_PAGER"] = ""  # what the tool writes, not what a pager makes of it
    child = pexpect.spawn(
        script("backorder"),
        ["--db", str(old_db), "orders", "show", "1001"],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
        env=env,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    screen: str = child.before
    for shown in (CUSTOMER_SHOWN, SKU_SHOWN, USER_SHOWN, "[link=http://x.y]m", "10 [/red]"):
        assert shown in screen
    # Our own styling uses ESC (bold); the data's escapes never reach the terminal.
    for raw in (ESC_CLEAR, "\x9b", "\u202e", "\x07", "\x1b]8;;", "\x1b]0;owned"):
        assert raw not in screen
