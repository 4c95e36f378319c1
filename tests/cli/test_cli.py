"""The command line through typer.testing.CliRunner: exit codes, exact stdout and
stderr, and the database afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app, orders_script
from backorder_cli.services import catalogue
from backorder_cli.storage.schema import open_database
from tests.conftest import is_url, snapshot

Run = Callable[..., Result]

PLAN_2401 = (
    "Order #2401 (Hansen & Søn VVS): these undelivered quantities are canceled and move to a new "
    "order, #2402:"
)
QUESTION = (
    "This will cancel order no. #2401 and create a new one for the undelivered items.\n"
    "Continue? [y/N] "
)


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def show_json(cli: Run, number: int) -> dict:
    result = cli("orders", "show", str(number), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_clean_failure(result: Result, code: int, message: str) -> None:
    """Refused the way a user should see it: code, one message on stderr, no traceback."""
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# ---------------------------------------------------------------- the seed, end to end


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_seed_walk_through(sample: Run, target: str) -> None:
    result = sample("create", "2401", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Backorder #2402 created with the undelivered items of order #2401; "
        "order #2401 is canceled and archived.\n"
    )
    assert PLAN_2401 in result.stderr
    assert QUESTION in result.stderr

    new = show_json(sample, 2402)
    assert new["comment"] == "Backorder from order #2401"
    assert new["backorder_of"] == 2401
    assert new["status"] == "booked"
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in new["lines"]] == [
        ("CABLE-15", 150, 1.4),
        ("SWITCH-1", 12, 8.9),
    ]
    old = show_json(sample, 2401)
    assert (old["status"], old["archived"], old["backorders"]) == ("canceled", True, [2402])

    found = sample("orders", "list", "--archived", "--search", "2401", "--format", "json")
    assert [o["number"] for o in json.loads(found.stdout)] == [2401]

    before = snapshot(target)
    refused = sample("invoice", "2401")
    assert_clean_failure(refused, 1, "invoices cannot be created for a canceled order")
    assert snapshot(target) == before


@pytest.mark.parametrize(
    "answer",
    ["n\n", "\n", "maybe\n", "yes please\n", ""],
    ids=["n", "enter", "junk", "yes-ish", "eof"],
)
@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_anything_but_yes_at_the_prompt_aborts_and_changes_nothing(
    sample: Run, target: str, answer: str
) -> None:
    before = snapshot(target)
    result = sample("create", "2401", input=answer)
    assert_clean_failure(result, 1, "Aborted: nothing was changed.")
    assert QUESTION in result.stderr
    assert result.stdout == ""
    assert snapshot(target) == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
@pytest.mark.parametrize("answer", ["y\n", "YES\n", " Yes \n"])
def test_y_or_yes_in_any_case_confirms(sample: Run, answer: str) -> None:
    result = sample("create", "2401", input=answer)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Backorder #2402 created")


def test_yes_skips_the_question(sample: Run) -> None:
    result = sample("create", "2401", "--yes")
    assert result.exit_code == 0
    assert "Continue?" not in result.stderr
    assert show_json(sample, 2402)["backorder_of"] == 2401


def test_dry_run_prints_the_plan_and_writes_nothing(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("create", "2398", "--invoice", "--dry-run")
    assert result.exit_code == 0
    assert (
        "First, shipped items of order #2398 are invoiced: 25 x LED-9W (total 81.13)."
        in result.stdout
    )
    assert "move to a new order, #2402:" in result.stdout
    assert "LED-9W" in result.stdout and "SOCKET-2" in result.stdout
    assert result.stderr == "Dry run: nothing was changed.\n"
    assert snapshot(target) == before


def test_dry_run_of_a_refused_backorder_fails_like_the_real_run(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("create", "2398", "--dry-run")
    assert_clean_failure(result, 1, "run `backorder invoice 2398` first, or pass --invoice")
    assert snapshot(target) == before


def test_invoice_option_invoices_then_backorders(sample: Run) -> None:
    result = sample("create", "2398", "--invoice", "-y")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "Invoice #7 for order #2398: total 81.13",
        "Backorder #2402 created with the undelivered items of order #2398; "
        "order #2398 is canceled and archived.",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # Bad values of options and arguments are usage errors (exit 2):
        # tests/cli/test_usage_errors.py
        (["create", "9999", "-y"], "Error: order #9999 not found - list orders with"),
        (["create", "2396", "-y"], "Error: order #2396 has nothing shipped yet (status booked)"),
        (["create", "2390", "-y"], "Error: order #2390 is already backordered as #2391"),
        (["create", "2393", "-y"], "is fully shipped (status shipped)"),
        (["ship", "2396", "CABLE-25=51"], "Error: cannot ship 51 x CABLE-25 on order #2396"),
        (["ship", "2400", "SWITCH-1=1"], "only 0 in stock"),
        (["ship", "2395", "SOCKET-2=1"], "is a draft - book it first"),
        (["invoice", "2392"], "is fully invoiced"),
        (["orders", "book", "2396"], "is not a draft"),
        (["orders", "add", "--customer", "A", "NOPE=1"], "unknown SKU NOPE"),
        (["products", "receive", "NOPE", "1"], "unknown SKU NOPE"),
        (
            ["products", "add", "BOX-68", "--name", "x", "--price", "1"],
            "product BOX-68 already exists",
        ),
    ],
)
def test_refusals_exit_1_with_a_message_and_change_nothing(
    sample: Run, target: str, args: list[str], message: str
) -> None:
    before = snapshot(target)
    result = sample(*args)
    assert_clean_failure(result, 1, message)
    assert result.stderr.startswith("Error: ")
    assert result.stdout == ""
    assert snapshot(target) == before


@pytest.mark.parametrize(
    "args",
    [
        ["create", "abc"],
        ["create", "0"],
        ["create", "99999999999999999999999"],
        ["create"],
        ["ship", "2396"],
        ["ship", "2396", "CABLE-25=1", "--available"],
        ["orders", "list", "--archived", "--all"],
        ["orders", "list", "--format", "xml"],
        ["orders", "add", "BOX-68=1"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_and_change_nothing(sample: Run, target: str, args: list[str]) -> None:
    before = snapshot(target)
    result = sample(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert snapshot(target) == before


# ---------------------------------------------------------------- the database option


@pytest.mark.parametrize(
    "args",
    [
        ["orders", "list"],
        ["orders", "show", "1"],
        ["create", "2401", "-y"],
        ["ship", "1", "--available"],
        ["invoice", "1"],
        ["products", "list"],
        ["settings"],
        ["import", "x.json"],
    ],
)
def test_only_init_creates_a_database(cli: Run, target: str, args: list[str]) -> None:
    result = cli(*args)
    assert_clean_failure(result, 1, "run `backorder init`".replace("run ", "create one with "))
    if is_url(target):
        assert snapshot(target) == {}  # the server's schema: still no table
    else:
        assert not Path(target).exists()


def test_the_environment_variable_names_the_database(
    cli: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init").exit_code == 0
    monkeypatch.setenv("BACKORDER_DB", target)
    result = cli("products", "add", "A", "--name", "a", "--price", "1", db=None)
    assert result.exit_code == 0
    assert [p.sku for p in catalogue.list_products(open_database(target))] == ["A"]


def test_init_twice_is_fine_and_sample_is_refused_on_a_database_with_orders(
    sample: Run, target: str
) -> None:
    before = snapshot(target)
    again = sample("init")
    assert again.exit_code == 0
    assert "is ready" in again.stderr
    refused = sample("init", "--sample")
    assert_clean_failure(refused, 1, "already holds 12 orders")
    assert snapshot(target) == before


# ---------------------------------------------------------------- commands and output


def test_orders_add_prints_only_the_new_number(sample: Run) -> None:
    result = sample(
        "orders",
        "add",
        "--customer",
        "Ørsted & Co",
        "--comment",
        "rush",
        "BOX-68=2.5",
        "LED-9W=3@2.99",
    )
    assert result.exit_code == 0
    assert result.stdout == "2402\n"
    order = show_json(sample, 2402)
    assert (order["customer"], order["comment"], order["status"]) == (
        "Ørsted & Co",
        "rush",
        "booked",
    )
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [
        ("BOX-68", 2.5, 0.85),
        ("LED-9W", 3, 2.99),
    ]
    assert order["history"][0]["event"] == "created"


def test_a_draft_is_added_and_booked(sample: Run) -> None:
    assert sample("orders", "add", "--draft", "-c", "A", "BOX-68=1").stdout == "2402\n"
    assert show_json(sample, 2402)["status"] == "draft"
    result = sample("orders", "book", "2402")
    # A confirmation is a message: stderr (the new number of `orders add` is data: stdout).
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "Order #2402 is booked.\n")
    assert show_json(sample, 2402)["status"] == "booked"


def test_ship_and_invoice_report_what_they_did(sample: Run) -> None:
    result = sample("ship", "2396", "CABLE-25=20.5")
    assert result.stderr == "Shipped 20.5 x CABLE-25 on order #2396 (now partially shipped).\n"
    assert result.stdout == ""
    result = sample("ship", "2396", "--available")
    assert result.stderr == "Shipped 29.5 x CABLE-25, 20 x BOX-68 on order #2396 (now shipped).\n"
    result = sample("invoice", "2396")
    assert result.stdout == "Invoice #7 for order #2396: total 114.50\n"
    assert show_json(sample, 2396)["status"] == "invoiced"
    assert show_json(sample, 2396)["invoices"][0]["total"] == 114.5


def test_products_and_settings_commands(sample: Run) -> None:
    result = sample(
        "products",
        "add",
        "CAB-3",
        "--name",
        "Cable 3G",
        "--unit",
        "m",
        "--price",
        "2.1",
        "--stock",
        "12.5",
    )
    assert result.stderr == "Added CAB-3 (Cable 3G): price 2.10, stock 12.5 m\n"
    assert (
        sample("products", "receive", "CAB-3", "0.25").stderr
        == "CAB-3: stock on hand is now 12.75 m\n"
    )
    listing = sample("products", "list").stdout
    assert "CAB-3\tCable 3G\tm\t2.10\t12.75\t0\t12.75\t0\n" in listing
    assert json.loads(sample("settings", "show", "--format", "json").stdout) == [
        {"setting": "inventory-value-on-invoicing", "value": "off"},
        {"setting": "next-order-number", "value": "2402"},
    ]
    assert sample("settings", "set", "inventory-value-on-invoicing", "on").stderr == (
        "inventory-value-on-invoicing = on\n"
    )
    assert sample("settings").stdout == (
        "setting\tvalue\ninventory-value-on-invoicing\ton\nnext-order-number\t2402\n"
    )
    table = sample("settings", "show", "--format", "table").stdout
    assert table.splitlines()[-2].split() == ["inventory-value-on-invoicing", "│", "on"]
    result = sample("create", "2401", "-y")
    assert_clean_failure(
        result, 1, "not possible while inventory value is associated with invoicing"
    )


def test_list_json_has_the_documented_fields(sample: Run) -> None:
    rows = json.loads(sample("orders", "list", "--all", "--format", "json").stdout)
    assert len(rows) == 12
    assert set(rows[0]) == {
        "number", "status", "archived", "customer", "total", "backorder_of", "eta"
    }  # fmt: skip
    assert rows[0] == {
        "number": 2401,
        "status": "partially_shipped",
        "archived": False,
        "customer": "Hansen & Søn VVS",
        "total": 450.8,
        "backorder_of": None,
        "eta": None,  # CABLE-15 and SWITCH-1: no stock, nothing incoming
    }


def test_list_accepts_every_spelling_of_a_status(sample: Run) -> None:
    for spelling in ("partially-shipped", "partially_shipped", "Partially Shipped"):
        rows = json.loads(sample("orders", "list", "--status", spelling, "--format", "json").stdout)
        assert [r["number"] for r in rows] == [2401, 2399, 2398]


def test_show_json_has_the_documented_fields(sample: Run) -> None:
    order = show_json(sample, 2391)
    assert {
        "number",
        "status",
        "archived",
        "customer",
        "comment",
        "backorder_of",
        "backorders",
        "lines",
        "invoices",
        "history",
    } <= set(order)
    assert set(order["lines"][0]) >= {
        "sku",
        "name",
        "quantity",
        "shipped",
        "invoiced",
        "canceled",
        "remaining",
        "unit_price",
    }
    assert set(order["invoices"][0]) >= {"number", "total"}
    assert set(order["history"][0]) >= {"at", "event", "detail"}


def test_json_numbers_are_exact_decimals(sample: Run) -> None:
    result = sample("orders", "show", "2399", "--format", "json")
    assert '"quantity": 200.5,' in result.stdout
    assert '"unit_price": 1.95' in result.stdout
    assert '"total": 479.98,' in result.stdout


def test_tables_show_user_text_verbatim_not_as_markup(sample: Run) -> None:
    number = sample(
        "orders", "add", "-c", "[bold]Evil[/bold] $(rm -rf /)", "BOX-68=1"
    ).stdout.strip()
    shown = sample("orders", "show", number, "--format", "table").stdout
    assert "[bold]Evil[/bold] $(rm -rf /)" in shown
    assert "[bold]Evil[/bold]" in sample("orders", "list", "--format", "table").stdout


def test_an_empty_list_says_so_on_stderr(sample: Run) -> None:
    result = sample("orders", "list", "--search", "nobody-at-all", "--format", "table")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "No orders match.\n"
    piped = sample("orders", "list", "--search", "nobody-at-all")
    assert piped.stdout == "number\tstatus\tarchived\tcustomer\ttotal\tbackorder_of\n"


def test_the_orders_script_is_backorder_orders(sample: Run, target: str) -> None:
    runner = CliRunner()
    direct = runner.invoke(orders_script, ["--db", target, "list", "--archived"])
    via = sample("orders", "list", "--archived")
    assert direct.exit_code == via.exit_code == 0
    assert direct.stdout == via.stdout
    assert "2390\tcanceled\ttrue\t" in direct.stdout


@pytest.mark.parametrize("script", [app, orders_script], ids=["backorder", "orders"])
def test_version_is_shown_by_both_scripts(script) -> None:
    result = CliRunner().invoke(script, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("backorder ")


def test_an_unexpected_error_is_one_line_not_a_traceback(
    sample: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("backorder_cli.services.orders.get_order", broken)
    result = sample("orders", "show", "2401")
    assert_clean_failure(
        result, 1, "Error: internal error (ZeroDivisionError: boom) - this is a bug"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_that_is_not_a_database_is_refused(cli: Run, db_path: Path) -> None:
    db_path.write_bytes(b"\x00garbage" * 512)
    result = cli("orders", "list")
    assert_clean_failure(result, 1, "is not a backorder database")
    assert db_path.read_bytes() == b"\x00garbage" * 512


def test_a_directory_or_missing_folder_as_db_is_refused(cli: Run, tmp_path: Path) -> None:
    assert_clean_failure(cli("orders", "list", db=tmp_path), 1, "is a folder")
    assert_clean_failure(cli("init", db=tmp_path / "no" / "x.db"), 1, "does not exist")
