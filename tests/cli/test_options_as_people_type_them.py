"""Numbers and options the way people type them (issue 13): one order-number rule for
every command, root options before or after the subcommand, help in the tool's words,
"did you mean" for a misspelled status, choice, setting or SKU, and `backorder` alone
showing the help."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner, Result

from backorder_cli.cli import app, orders_script
from tests.conftest import snapshot

BIN = Path(sys.executable).parent
LIBRARY_WORDS = ("Input should", "Value error", "valid integer", "Traceback", "internal error")


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input)


# Every place that takes an order number, with what follows it.
NUMBER_PLACES: list[tuple[list[str], list[str]]] = [
    (["orders", "show"], []),
    (["orders", "book"], []),
    (["ship"], ["BOX-68=1"]),
    (["invoice"], []),
    (["create"], ["--yes"]),
    (["undo"], ["--yes"]),
    (["chain"], []),
    (["log", "--order"], []),
]
NOT_NUMBERS = ["2401.0", "-1", "abc", "#", "##2401", "0", "+2401", "2401x", "1e3", "٢٤٠١"]


@pytest.mark.parametrize("text", NOT_NUMBERS)
@pytest.mark.parametrize(
    ("before", "after"), NUMBER_PLACES, ids=[" ".join(p[0]) for p in NUMBER_PLACES]
)
def test_every_order_number_is_refused_with_the_same_message(
    shop: Path, before: list[str], after: list[str], text: str
) -> None:
    state = snapshot(shop)
    result = run("--db", str(shop), *before, text, *after)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{text!r} is not an order number - give one like 2401 or #2401" in lines[0]
    assert not any(word in result.stderr for word in LIBRARY_WORDS)
    assert snapshot(shop) == state


@pytest.mark.parametrize(
    "args",
    [["orders", "show", "{n}", "-f", "json"], ["chain", "{n}", "-f", "json"]],
    ids=["orders show", "chain"],
)
def test_a_hash_before_the_number_is_the_same_order(shop: Path, args: list[str]) -> None:
    plain = run("--db", str(shop), *[a.format(n="2401") for a in args])
    hashed = run("--db", str(shop), *[a.format(n="#2401") for a in args])
    assert plain.exit_code == hashed.exit_code == 0, hashed.output
    assert json.loads(hashed.stdout) == json.loads(plain.stdout)


def test_log_order_takes_a_hash_too(shop: Path) -> None:
    plain = run("--db", str(shop), "log", "--order", "2401", "-f", "json")
    hashed = run("--db", str(shop), "log", "--order", "#2401", "-f", "json")
    assert hashed.exit_code == 0, hashed.output
    assert json.loads(hashed.stdout) == json.loads(plain.stdout) != []


def test_ship_takes_a_hash_and_ships(shop: Path) -> None:
    result = run("--db", str(shop), "ship", "#2396", "CABLE-25=1", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["number"] == 2396


# Root options after the subcommand


def listing(*args: str) -> list[int]:
    result = run(*args, "-f", "ids")
    assert result.exit_code == 0, result.output
    return [int(n) for n in result.stdout.split()]


def test_db_after_the_subcommand_is_the_same_as_before_it(shop: Path) -> None:
    before = listing("--db", str(shop), "orders", "list")
    assert before  # the sample company has orders
    assert listing("orders", "list", "--db", str(shop)) == before
    assert listing("orders", "--db", str(shop), "list") == before
    assert listing("orders", "list", f"--db={shop}") == before
    assert listing("orders", "list", "-s", "booked", "--db", str(shop)) == listing(
        "--db", str(shop), "orders", "list", "-s", "booked"
    )


def test_db_after_the_subcommand_opens_that_database(shop: Path, tmp_path: Path) -> None:
    result = run("orders", "show", "2401", "--db", str(tmp_path / "nope.db"))
    assert result.exit_code == 1
    assert "no database at" in result.stderr
    assert "nope.db" in result.stderr


def test_the_last_db_given_wins(shop: Path, tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "nope.db"), "orders", "list", "--db", str(shop))
    assert result.exit_code == 0, result.output


def test_an_options_value_that_looks_like_db_stays_that_value(shop: Path) -> None:
    result = run(
        "orders", "add", "--db", str(shop), "--comment", "--db", "-c", "Y", "BOX-68=1", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    number = json.loads(result.stdout)["number"]
    shown = json.loads(run("--db", str(shop), "orders", "show", str(number), "-f", "json").stdout)
    assert shown["comment"] == "--db"


def test_nothing_moves_after_a_double_dash(shop: Path) -> None:
    result = run("--db", str(shop), "orders", "show", "--", "--db")
    assert result.exit_code == 2
    assert "'--db' is not an order number" in result.stderr


def test_db_without_a_value_after_the_subcommand_says_so(shop: Path) -> None:
    result = run("orders", "list", "--db")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Option '--db' requires an argument")
    assert len(result.stderr.splitlines()) == 1


def test_version_works_anywhere_and_as_dash_v() -> None:
    for args in (["-V"], ["--version"], ["orders", "list", "-V"], ["ship", "--version"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.startswith("backorder "), args


def test_the_orders_script_takes_db_after_the_subcommand(shop: Path) -> None:
    result = subprocess.run(
        [str(BIN / "orders"), "list", "--db", str(shop), "-f", "ids"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(n) for n in listing("--db", str(shop), "orders", "list")]


# The help


@pytest.mark.parametrize(
    "args", [[], ["orders"], ["products"]], ids=["backorder", "orders", "products"]
)
def test_a_group_alone_prints_its_help_and_succeeds(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert result.stderr == ""


def test_the_installed_script_alone_prints_the_help(tmp_path: Path) -> None:
    for script in ("backorder", "orders"):
        result = subprocess.run(
            [str(BIN / script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout


def every_help_path() -> list[tuple[typer.Typer, list[str]]]:
    """Every group and command of both scripts."""
    paths: list[tuple[typer.Typer, list[str]]] = []

    def walk(script: typer.Typer, prefix: list[str], command: object) -> None:
        paths.append((script, prefix))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(script, [*prefix, name], sub)

    walk(app, [], get_command(app))
    walk(orders_script, [], get_command(orders_script))
    return paths


RAW_LABELS = ("<bool>", "<str>", "<int", "<Decimal>", "<path>", "list[", " range", "{")


@pytest.mark.parametrize(
    ("script", "path"),
    every_help_path(),
    ids=[
        " ".join(["backorder" if script is app else "orders", *path])
        for script, path in every_help_path()
    ],
)
def test_help_shows_no_raw_type_labels(script: typer.Typer, path: list[str]) -> None:
    result = CliRunner().invoke(script, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    raw = [label for label in RAW_LABELS if label in result.stdout]
    # Any other <type> label (an email address in angle brackets is an example, not one).
    raw += re.findall(r"<[A-Za-z][^>@]*>", result.stdout)
    assert raw == [], result.stdout


METAVARS = [
    (["orders", "add"], ["orders add [OPTIONS] SKU=QTY[@PRICE]...", "--customer  -c  NAME"]),
    (["ship"], ["ship [OPTIONS] NUMBER [SKU=QTY]...", "--format     -f  [text|json]"]),
    (["orders", "show"], ["orders show [OPTIONS] NUMBER"]),
    (["invoice"], ["invoice [OPTIONS] [NUMBERS]..."]),
    (["log"], ["--order          NUMBER", "--since          DATE"]),
    (["report"], ["--as-of          DATE"]),
    (["products", "add"], ["--price           PRICE", "--stock           QTY"]),
    (["products", "receive"], ["products receive [OPTIONS] SKU QTY"]),
    (["orders", "list"], ["--status    -s  STATUS", "--limit             N"]),
    ([], ["--db                          FILE|URL", "--version             -V"]),
]


@pytest.mark.parametrize(
    ("path", "shown"), METAVARS, ids=[" ".join(p) or "backorder" for p, _ in METAVARS]
)
def test_help_shows_readable_metavars(path: list[str], shown: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    squeezed = " ".join(result.stdout.split())
    for text in shown:
        assert " ".join(text.split()) in squeezed, result.stdout


def test_a_plain_flag_shows_no_type() -> None:
    result = CliRunner().invoke(app, ["create", "--help"], env={"COLUMNS": "200"})
    line = next(x for x in result.stdout.splitlines() if "--dry-run" in x)
    assert " ".join(line.strip("│ ").split()) == "--dry-run Show what would happen; change nothing."


# Did you mean


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["orders", "list", "--status", "bookd"],
            "unknown status 'bookd' - did you mean booked? (statuses: draft, booked,",
        ),
        (
            ["orders", "list", "-s", "partialy-shiped"],
            "unknown status 'partialy-shiped' - did you mean partially-shipped?",
        ),
        (
            ["report", "--by", "custmer"],
            "'custmer' is not one of sku, customer, age - did you mean customer?",
        ),
        (["orders", "list", "-f", "jsno"], "did you mean json?"),
        (
            ["settings", "set", "inventory-value-on-invoice", "on"],
            "unknown setting 'inventory-value-on-invoice' - did you mean "
            "inventory-value-on-invoicing?",
        ),
    ],
)
def test_a_misspelled_value_gets_a_did_you_mean(shop: Path, args: list[str], message: str) -> None:
    state = snapshot(shop)
    result = run("--db", str(shop), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(shop) == state


def test_a_value_like_nothing_known_gets_the_list_only(shop: Path) -> None:
    result = run("--db", str(shop), "orders", "list", "--status", "xyz")
    assert result.stderr == (
        "Error: Invalid value for '--status' / '-s': unknown status 'xyz' - use one of "
        "draft, booked, partially-shipped, shipped, invoiced, canceled\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["orders", "add", "-c", "X", "cable-25=1"],
            "unknown SKU cable-25 - did you mean CABLE-25?",
        ),
        (["products", "receive", "cable-25", "1"], "unknown SKU cable-25 - did you mean CABLE-25?"),
        (["products", "receive", "CABEL-25", "1"], "unknown SKU CABEL-25 - did you mean CABLE-25?"),
        (
            ["ship", "2401", "cable-15=1"],
            "order #2401 has no line for SKU cable-15 - did you mean CABLE-15? (see its lines",
        ),
    ],
)
def test_a_sku_in_the_wrong_case_or_misspelled_suggests_the_right_one(
    shop: Path, args: list[str], message: str
) -> None:
    state = snapshot(shop)
    result = run("--db", str(shop), *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert snapshot(shop) == state


def test_an_unknown_sku_like_none_says_how_to_add_it(shop: Path) -> None:
    result = run("--db", str(shop), "products", "receive", "ZZZZZZ", "1")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unknown SKU ZZZZZZ - see `backorder products list`, or add it with "
        "`backorder products add ZZZZZZ --name NAME`\n"
    )


def test_no_library_wording_reaches_a_user(shop: Path) -> None:
    cases = [
        ["orders", "list", "--limit", "-3"],
        ["orders", "list", "--limit", "1.5"],
        ["report", "--by", "tabel"],
        ["products", "receive", "BOX-68", "-5"],
        ["products", "add", "X", "--name", "x", "--price", "cheap"],
        ["orders", "show", "2401", "2402"],
        ["ship"],
    ]
    for args in cases:
        result = run("--db", str(shop), *args)
        assert result.exit_code == 2, (args, result.output)
        assert not any(word in result.stderr for word in LIBRARY_WORDS), result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr


def test_the_environment_database_still_applies(shop: Path) -> None:
    result = CliRunner().invoke(
        app, ["orders", "list", "-f", "ids"], env={**os.environ, "BACKORDER_DB": str(shop)}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.split()
