"""A bad value for any option or argument of any command is a usage error: exit 2, one
line on stderr in the tool's own words (never the library's), the database unchanged.

The table names every option and argument that takes a value; a test walks the
commands and fails when one is missing from it, so a new option gets a row too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backorder_cli.cli import app
from tests.conftest import snapshot

LIBRARY_WORDS = ("Input should", "Value error", "valid integer", "Traceback", "internal error")
BIG = "99999999999999999999"

# (the parameter, as "command path + option or ARGUMENT"), arguments, what the message says
TABLE: list[tuple[str, list[str], str]] = [
    ("ship NUMBER", ["ship", "2401½", "BOX-68=1"], "'2401½' is not an order number"),
    ("ship ITEMS", ["ship", "2396", "CABLE-25=1,5"], "quantity of CABLE-25 must be a plain"),
    ("ship ITEMS", ["ship", "2396", "CABLE-25=1@2"], "no price is taken here"),
    (
        "ship --format",
        ["ship", "2396", "CABLE-25=1", "-f", "xml"],
        "'xml' is not one of text, json",
    ),
    ("invoice NUMBERS", ["invoice", "²"], "'²' is not an order number"),
    ("invoice NUMBERS", ["invoice", BIG], f"'{BIG}' is not an order number"),
    ("invoice --format", ["invoice", "2401", "-f", "yaml"], "'yaml' is not one of text, json"),
    ("credit INVOICE", ["credit", "5½", "--yes"], "'5½' is not an invoice number"),
    ("credit ITEMS", ["credit", "5", "SWITCH-1=1,5", "--yes"], "must be a plain decimal"),
    ("credit ITEMS", ["credit", "5", "SWITCH-1=1@2", "--yes"], "no price is taken here"),
    ("credit ITEMS", ["credit", "5", "SWITCH-1=1", "SWITCH-1=2", "-y"], "given twice"),
    ("credit --reason", ["credit", "5", "-y", "--reason", "r" * 201], "reason is longer"),
    ("credit --format", ["credit", "5", "-y", "-f", "csv"], "'csv' is not one of text, json"),
    ("invoices list --order", ["invoices", "list", "--order", BIG], "is not an order number"),
    ("invoices list --customer", ["invoices", "list", "--customer", "\udcff"], "not valid UTF-8"),
    ("invoices list --limit", ["invoices", "list", "--limit", "-1"], "a whole number from 0 (no"),
    ("invoices list --format", ["invoices", "list", "-f", "x"], "'x' is not one of table"),
    ("invoices show NUMBER", ["invoices", "show", "١٢"], "'١٢' is not an invoice number"),
    ("invoices show --format", ["invoices", "show", "5", "-f", "ids"], "ids is for lists only"),
    ("invoice list", ["invoice", "list"], "to list invoices: `backorder invoices list`"),
    ("invoice show", ["invoice", "show", "5"], "to show invoices: `backorder invoices show 5`"),
    ("create NUMBERS", ["create", "²", "--yes"], "'²' is not an order number"),
    ("create NUMBERS", ["create", "١٢", "--yes"], "'١٢' is not an order number"),
    ("create --format", ["create", "2401", "-y", "-f", "x"], "'x' is not one of text, json"),
    ("check --format", ["check", "-f", "csv"], "'csv' is not one of text, json"),
    ("ready --format", ["ready", "-f", "xml"], "'xml' is not one of table, plain, json, csv, ids"),
    ("undo NUMBER", ["undo", "0", "--yes"], "'0' is not an order number"),
    ("undo --reason", ["undo", "2402", "--yes", "--reason", " "], "reason must not be empty"),
    ("undo --format", ["undo", "2402", "--yes", "-f", "x"], "'x' is not one of text, json"),
    ("chain NUMBER", ["chain", "#"], "'#' is not an order number"),
    ("chain --format", ["chain", "2401", "-f", "x"], "'x' is not one of table, plain"),
    ("report --by", ["report", "--by", "colour"], "'colour' is not one of sku, customer, age"),
    ("report --as-of", ["report", "--as-of", "yesterday"], "'yesterday' is not a date"),
    ("report --as-of", ["report", "--as-of", "2026-02-30"], "'2026-02-30' is not a date"),
    ("report --format", ["report", "-f", "x"], "'x' is not one of table, plain"),
    ("log --order", ["log", "--order", BIG], f"'{BIG}' is not an order number"),
    ("log --since", ["log", "--since", "26/11/2026"], "'26/11/2026' is not a date"),
    ("statement CUSTOMER", ["statement", " "], "customer must not be empty"),
    ("statement --format", ["statement", "x", "-f", "pdf"], "'pdf' is not one of text, json"),
    ("statement --date", ["statement", "x", "--date", "26/11"], "'26/11' is not a date"),
    ("notice NUMBER", ["notice", "2402½"], "'2402½' is not an order number"),
    ("notice --format", ["notice", "2402", "-f", "pdf"], "'pdf' is not one of text, markdown"),
    ("notice --from", ["notice", "2402", "-f", "eml", "--from", "x"], "is not an email address"),
    ("notice --date", ["notice", "2402", "--date", "x"], "'x' is not a date"),
    ("log --interval", ["log", "--follow", "--interval", "0"], "'0' is not an interval"),
    ("log --format", ["log", "-f", "x"], "'x' is not one of table, plain"),
    ("orders add ITEMS", ["orders", "add", "-c", "T", "CABLE-25="], "'CABLE-25=' is not of the"),
    ("orders add ITEMS", ["orders", "add", "-c", "T", "CABLE-25=1,5"], "must be a plain decimal"),
    ("orders add ITEMS", ["orders", "add", "-c", "T", "CABLE-25=١"], "must be a plain decimal"),  # noqa: RUF001
    ("orders add ITEMS", ["orders", "add", "-c", "T", "BOX-68=1", "BOX-68=2"], "given twice"),
    (
        "orders add ITEMS",
        ["orders", "add", "-c", "T", "BOX-68=999999999999.999@999999999999.9999"],
        "the order is worth too much",
    ),
    ("orders add --customer", ["orders", "add", "-c", " ", "BOX-68=1"], "must not be empty"),
    (
        "orders add --comment",
        ["orders", "add", "-c", "T", "--comment", "x" * 501, "BOX-68=1"],
        "comment is longer",
    ),
    (
        "orders add --format",
        ["orders", "add", "-c", "T", "BOX-68=1", "-f", "x"],
        "'x' is not one of text",
    ),
    ("orders book NUMBER", ["orders", "book", "x"], "'x' is not an order number"),
    ("orders book --format", ["orders", "book", "2395", "-f", "x"], "'x' is not one of text"),
    ("orders list --status", ["orders", "list", "--status", "shiped"], "unknown status 'shiped'"),
    ("orders list --limit", ["orders", "list", "--limit", BIG], "a whole number from 0 (no"),
    ("orders list --limit", ["orders", "list", "--limit", "-1"], "a whole number from 0 (no"),
    ("orders list --format", ["orders", "list", "-f", "xml"], "'xml' is not one of table, plain"),
    ("orders list --search", ["orders", "list", "--search", "  "], "the text must not be empty"),
    ("orders list --customer", ["orders", "list", "--customer", ""], "the text must not be empty"),
    ("orders show NUMBER", ["orders", "show", "١٢"], "'١٢' is not an order number"),
    ("orders show --format", ["orders", "show", "2401", "-f", "x"], "'x' is not one of table"),
    ("orders export --format", ["orders", "export", "-f", "xml"], "'xml' is not one of json, csv"),
    ("products list --format", ["products", "list", "-f", "x"], "'x' is not one of table"),
    ("products add SKU", ["products", "add", "A B", "--name", "n"], "must not contain spaces"),
    ("products add --name", ["products", "add", "NEW", "--name", ""], "name must not be empty"),
    (
        "products add --unit",
        ["products", "add", "NEW", "--name", "n", "--price", "1", "--unit", "u" * 21],
        "unit is longer",
    ),
    (
        "products add --price",
        ["products", "add", "NEW", "--name", "n", "--price", "-1"],
        "price must not be negative",
    ),
    (
        "products add --stock",
        ["products", "add", "NEW", "--name", "n", "--price", "1", "--stock", "1e3"],
        "stock must be a plain",
    ),
    (
        "products add --format",
        ["products", "add", "NEW", "--name", "n", "-f", "x"],
        "'x' is not one of text",
    ),
    ("products receive SKU", ["products", "receive", "A=B", "1"], "must not contain spaces, '='"),
    # The customer register (issue 16).
    ("customers list --format", ["customers", "list", "-f", "x"], "'x' is not one of"),
    ("customers show NAME", ["customers", "show", " "], "customer must not be empty"),
    ("customers show --format", ["customers", "show", "A", "-f", "ids"], "ids"),
    ("customers add NAME", ["customers", "add", "\x1b[2J", "-y"], "control characters"),
    ("customers add --email", ["customers", "add", "X", "--email", "a b", "-y"], "email"),
    ("customers add --address", ["customers", "add", "X", "--address", "\x07", "-y"], "control"),
    ("customers add --policy", ["customers", "add", "X", "--policy", "backordr", "-y"], "did you"),
    ("customers add --priority", ["customers", "add", "X", "--priority", "1.5", "-y"], "whole"),
    ("customers add --priority", ["customers", "add", "X", "--priority", "10000000"], "priority"),
    ("customers add --format", ["customers", "add", "X", "-f", "x", "-y"], "'x' is not one of"),
    ("customers edit NAME", ["customers", "edit", " ", "--priority", "1", "-y"], "must not be"),
    ("customers edit NAME", ["customers", "edit", "Byg-Huset A/S", "-y"], "nothing to change"),
    ("customers edit --name", ["customers", "edit", "A", "--name", " ", "-y"], "must not be"),
    ("customers edit --email", ["customers", "edit", "A", "--email", "x@", "-y"], "email"),
    ("customers edit --address", ["customers", "edit", "A", "--address", "\x07"], "control"),
    ("customers edit --policy", ["customers", "edit", "A", "--policy", "later"], "unknown policy"),
    ("customers edit --priority", ["customers", "edit", "A", "--priority", "high"], "whole"),
    ("customers edit --format", ["customers", "edit", "A", "--priority", "1", "-f", "x"], "'x'"),
    (
        "orders add --address",
        ["orders", "add", "-c", "T", "BOX-68=1", "--address", "\x07"],
        "control",
    ),
    (
        "orders add --reference",
        ["orders", "add", "-c", "T", "BOX-68=1", "--reference", "\x07"],
        "control",
    ),
    (
        "orders add --policy",
        ["orders", "add", "-c", "T", "BOX-68=1", "--policy", "later"],
        "unknown policy",
    ),
    ("orders edit --address", ["orders", "edit", "2396", "--address", "\x07", "-y"], "control"),
    ("orders edit --reference", ["orders", "edit", "2396", "--reference", "\x07", "-y"], "control"),
    (
        "orders edit --policy",
        ["orders", "edit", "2396", "--policy", "manul", "-y"],
        "did you mean manual",
    ),
    (
        "products receive QUANTITY",
        ["products", "receive", "BOX-68", "0"],
        "must be greater than zero",
    ),
    (
        "products receive QUANTITY",
        ["products", "receive", "BOX-68", "10000000000000"],
        "is too large",
    ),
    (
        "products receive --format",
        ["products", "receive", "BOX-68", "1", "-f", "x"],
        "'x' is not one",
    ),
    ("settings show --format", ["settings", "show", "-f", "ids"], "ids is for lists only"),
    ("settings set KEY", ["settings", "set", "colour", "on"], "unknown setting 'colour'"),
    (
        "settings set VALUE",
        ["settings", "set", "inventory-value-on-invoicing", "maybe"],
        "takes on or off",
    ),
    (
        "settings set --format",
        ["settings", "set", "inventory-value-on-invoicing", "on", "-f", "x"],
        "'x' is not one",
    ),
    ("import FILE", ["import", "orders\udcff.json"], "is not valid UTF-8 text"),
    # Supply (issue 15)
    ("suggest --format", ["suggest", "-f", "xml"], "'xml' is not one of table, plain"),
    ("products show SKU", ["products", "show", "A B"], "must not contain spaces"),
    ("products show --format", ["products", "show", "BOX-68", "-f", "ids"], "ids is for lists"),
    (
        "products add --supplier",
        ["products", "add", "NEW", "--name", "n", "--supplier", "s" * 201],
        "supplier is longer",
    ),
    (
        "products add --lead-time",
        ["products", "add", "NEW", "--name", "n", "--lead-time", "-1"],
        "lead time '-1' is not a number of days",
    ),
    ("products edit SKU", ["products", "edit", "A=B", "--lead-time", "1"], "must not contain"),
    (
        "products edit --supplier",
        ["products", "edit", "BOX-68", "--supplier", "s" * 201],
        "supplier is longer",
    ),
    ("products edit --lead-time", ["products", "edit", "BOX-68", "--lead-time", "2w"], "lead time"),
    (
        "products edit --format",
        ["products", "edit", "BOX-68", "--lead-time", "1", "-f", "x"],
        "'x' is not one of text",
    ),
    (
        "purchases add ITEMS",
        ["purchases", "add", "--supplier", "S", "--expected", "2026-12-01", "BOX-68=1,5"],
        "must be a plain decimal",
    ),
    (
        "purchases add --supplier",
        ["purchases", "add", "--supplier", " ", "--expected", "2026-12-01", "BOX-68=1"],
        "supplier must not be empty",
    ),
    (
        "purchases add --expected",
        ["purchases", "add", "--supplier", "S", "--expected", "1/12", "BOX-68=1"],
        "expected date '1/12' is not a date",
    ),
    (
        "purchases add --comment",
        [
            "purchases",
            "add",
            "--supplier",
            "S",
            "--expected",
            "2026-12-01",
            "--comment",
            "x" * 501,
            "BOX-68=1",
        ],
        "comment is longer",
    ),
    (
        "purchases add --format",
        ["purchases", "add", "--supplier", "S", "--expected", "2026-12-01", "BOX-68=1", "-f", "x"],
        "'x' is not one of text",
    ),
    ("purchases list --sku", ["purchases", "list", "--sku", "A B"], "must not contain spaces"),
    ("purchases list --format", ["purchases", "list", "-f", "x"], "'x' is not one of table"),
    ("purchases show NUMBER", ["purchases", "show", "x"], "'x' is not a purchase number"),
    ("purchases show --format", ["purchases", "show", "1", "-f", "ids"], "ids is for lists"),
    ("purchases receive NUMBER", ["purchases", "receive", "0"], "'0' is not a purchase number"),
    ("purchases receive ITEMS", ["purchases", "receive", "1", "BOX-68=1@2"], "no price is taken"),
    ("purchases receive --format", ["purchases", "receive", "1", "-f", "x"], "'x' is not one"),
    (
        "purchases edit NUMBER",
        ["purchases", "edit", "²", "--expected", "2026-12-01"],
        "'²' is not a purchase number",
    ),
    (
        "purchases edit --expected",
        ["purchases", "edit", "1", "--expected", "2026-02-30"],
        "'2026-02-30' is not a date",
    ),
    (
        "purchases edit --format",
        ["purchases", "edit", "1", "--expected", "2026-12-01", "-f", "x"],
        "'x' is not one of text",
    ),
    ("purchases cancel NUMBER", ["purchases", "cancel", BIG], "is not a purchase number"),
    ("purchases cancel SKUS", ["purchases", "cancel", "1", "A B"], "must not contain spaces"),
    ("purchases cancel --format", ["purchases", "cancel", "1", "-f", "x"], "'x' is not one"),
    ("orders list --eta-before", ["orders", "list", "--eta-before", "soon"], "is not a date"),
    ("orders list --sku", ["orders", "list", "--sku", "A B"], "must not contain spaces"),
    ("suggest --supplier", ["suggest", "--supplier", "\udcff"], "not valid UTF-8"),
    ("purchases list --supplier", ["purchases", "list", "--supplier", "\udcff"], "not valid UTF-8"),
    # Free text that only searches: anything is a valid search, but not undecodable bytes.
    ("orders list --customer", ["orders", "list", "--customer", "\udcff"], "not valid UTF-8"),
    ("orders list --search", ["orders", "list", "--search", "x\udce9"], "not valid UTF-8"),
    ("invoice --customer", ["invoice", "--all", "--customer", "\udcff"], "not valid UTF-8"),
    ("create --customer", ["create", "--all", "--customer", "\udcff"], "not valid UTF-8"),
    # The corrections (issue 14).
    ("orders cancel NUMBERS", ["orders", "cancel", "²", "--yes"], "'²' is not an order number"),
    ("orders cancel --reason", ["orders", "cancel", "2396", "-y", "--reason", ""], "reason must"),
    ("orders cancel --format", ["orders", "cancel", "2396", "-y", "-f", "x"], "'x' is not one"),
    ("orders edit NUMBER", ["orders", "edit", "x", "--comment", "c"], "'x' is not an order"),
    ("orders edit ITEMS", ["orders", "edit", "2396", "CABLE-25=0"], "greater than zero"),
    ("orders edit ITEMS", ["orders", "edit", "2396", "BOX-68=1", "BOX-68=2"], "given twice"),
    ("orders edit --customer", ["orders", "edit", "2396", "-c", " "], "customer must not be"),
    ("orders edit --comment", ["orders", "edit", "2396", "--comment", "\udcff"], "not valid UTF"),
    ("orders edit --remove", ["orders", "edit", "2396", "--remove", "A B"], "must not contain"),
    (
        "orders edit --remove",
        ["orders", "edit", "2396", "BOX-68=2", "--remove", "BOX-68"],
        "BOX-68 is both set and removed - give one or the other",
    ),
    ("orders edit --reason", ["orders", "edit", "2396", "--reason", " "], "reason must not"),
    ("orders edit --format", ["orders", "edit", "2396", "-f", "x"], "'x' is not one of text"),
    ("close NUMBER", ["close", "0", "--yes"], "'0' is not an order number"),
    ("close SKUS", ["close", "2401", "A=B", "--yes"], "must not contain spaces, '='"),
    ("close --reason", ["close", "2401", "--reason", " ", "-y"], "reason must not be empty"),
    ("close --format", ["close", "2401", "-y", "-f", "x"], "'x' is not one of text, json"),
    ("unship NUMBER", ["unship", "²", "BOX-68=1"], "'²' is not an order number"),
    ("unship ITEMS", ["unship", "2393", "BREAKER-16=1@2"], "no price is taken here"),
    ("unship --reason", ["unship", "2393", "BREAKER-16=1", "--reason", " "], "reason must not"),
    ("unship --format", ["unship", "2393", "BREAKER-16=1", "-f", "x"], "'x' is not one of text"),
    ("products adjust SKU", ["products", "adjust", "A=B", "1", "--reason", "r"], "must not"),
    (
        "products adjust COUNTED",
        ["products", "adjust", "BOX-68", "1,5", "--reason", "r"],
        "must be a plain decimal",
    ),
    ("products adjust --reason", ["products", "adjust", "BOX-68", "1", "--reason", " "], "reason"),
    (
        "products adjust --format",
        ["products", "adjust", "BOX-68", "1", "--reason", "r", "-f", "x"],
        "'x' is not one",
    ),
    (
        "products receive QUANTITY",
        ["products", "receive", "SWITCH-1", "-5"],
        "cannot receive a negative quantity (-5) - to lower stock on hand, set the counted "
        "quantity with `backorder products adjust SKU QTY --reason TEXT`",
    ),
]

# Options whose bad values are not usage errors, and why.
NOT_IN_TABLE = {
    # Which database: a path or URL that cannot be used is a database problem (exit 1),
    # like a missing file; tests/cli/test_clear_errors.py covers it.
    "--db",
}


def assert_usage_error(stderr: str, exit_code: int, message: str) -> None:
    assert exit_code == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    assert message in lines[0], lines[0]
    assert not any(word in stderr for word in LIBRARY_WORDS), stderr


@pytest.mark.parametrize(
    ("param", "args", "message"), TABLE, ids=[f"{row[0]}: {row[2][:30]}" for row in TABLE]
)
def test_a_bad_value_is_a_usage_error_in_our_words(
    shop: Path, param: str, args: list[str], message: str
) -> None:
    before = snapshot(shop)
    result = CliRunner().invoke(app, ["--db", str(shop), *args], input="2401\n")
    assert result.stdout == ""
    assert_usage_error(result.stderr, result.exit_code, message)
    assert snapshot(shop) == before


def test_the_messages_name_the_option_and_say_what_to_do(shop: Path) -> None:
    run = CliRunner().invoke
    db = ["--db", str(shop)]
    assert run(app, [*db, "orders", "list", "--status", "shiped"]).stderr == (
        "Error: Invalid value for '--status' / '-s': unknown status 'shiped' - did you mean "
        "shipped? (statuses: draft, booked, partially-shipped, shipped, invoiced, canceled)\n"
    )
    assert run(app, [*db, "log", "--since", "26/11/2026"]).stderr == (
        "Error: Invalid value for '--since': '26/11/2026' is not a date - write it as YYYY-MM-DD\n"
    )
    assert run(app, [*db, "orders", "add", "-c", "T", "CABLE-25=1,5"]).stderr == (
        "Error: Invalid value for 'ITEMS': quantity of CABLE-25 must be a plain decimal number "
        "like 2 or 2.5, got '1,5' - see `root orders add --help`\n"
    )
    assert run(app, [*db, "orders", "list", "-f", "xml"]).stderr == (
        "Error: Invalid value for '--format' / '-f': 'xml' is not one of table, plain, json, "
        "csv, ids - see `root orders list --help`\n"
    )


def test_order_numbers_read_from_stdin_follow_the_same_rule(shop: Path) -> None:
    before = snapshot(shop)
    result = CliRunner().invoke(app, ["--db", str(shop), "invoice", "-"], input="2401\n²\n")
    assert_usage_error(result.stderr, result.exit_code, "'²' is not an order number")
    assert snapshot(shop) == before


def test_every_option_and_argument_that_takes_a_value_has_a_row() -> None:
    covered = {row[0] for row in TABLE}
    missing = []

    def walk(command: typer.main.TyperGroup | typer.core.TyperCommand, path: str) -> None:
        for param in command.params:
            if getattr(param, "is_flag", False) or getattr(param, "hidden", False):
                continue
            name = param.opts[0] if param.param_type_name == "option" else param.name.upper()
            if name in NOT_IN_TABLE or name in {"--install-completion", "--show-completion"}:
                continue
            key = f"{path} {name}".strip()
            if key not in covered:
                missing.append(key)
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {sub_name}".strip())

    walk(typer.main.get_command(app), "")
    assert missing == []
