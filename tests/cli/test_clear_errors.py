"""Inputs that used to end in "internal error ... this is a bug" get one line in our
words instead (exit 2 for a bad argument, 1 otherwise) and change nothing; limits that
the storage holds on both backends; order numbers in ASCII digits everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import Result

from backorder_cli.domain.money import line_amount
from backorder_cli.domain.values import MAX_ORDER_NUMBER, MAX_ORDER_VALUE
from backorder_cli.storage.schema import init_database
from tests.conftest import snapshot

Run = Callable[..., Result]
BIN = Path(sys.executable).parent


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def one_line_error(result: Result, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0], lines[0]
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------- numbers that are not ours


@pytest.mark.sqlite_only
def test_a_search_for_a_superscript_digit_finds_nothing_and_fails_nothing(sample: Run) -> None:
    result = sample("orders", "list", "--search", "²", "--format", "ids")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.sqlite_only
def test_a_superscript_digit_on_stdin_is_not_an_order_number(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("invoice", "-", input="²\n")
    one_line_error(result, 2, "'²' is not an order number")
    assert snapshot(target) == before


@pytest.mark.sqlite_only
def test_order_numbers_are_ascii_digits_with_or_without_hash_for_every_command(
    sample: Run,
) -> None:
    assert sample("orders", "show", "#2401", "-f", "json").exit_code == 0
    assert sample("chain", "#2401", "-f", "ids").stdout.split() == ["2401"]
    assert sample("log", "--order", "#2401", "-f", "json").exit_code == 0
    for args in (["orders", "show", "١٢"], ["create", "١٢", "--yes"], ["chain", "²"]):
        one_line_error(sample(*args), 2, f"'{args[-1] if args[0] != 'create' else '١٢'}'")


def test_the_largest_order_number_can_be_found_by_search(
    cli: Run, tmp_path: Path, target: str, sample_target: str
) -> None:
    number = MAX_ORDER_NUMBER - 1  # 18 digits: the longest an order number gets
    document = {
        "products": [],
        "orders": [
            {"number": number, "customer": "Far", "lines": [{"sku": "BOX-68", "quantity": 1}]}
        ],
    }
    path = tmp_path / "far.json"
    path.write_text(json.dumps(document))
    assert cli("import", str(path)).exit_code == 0
    for text in (str(number), f"#{number}"):
        result = cli("orders", "list", "--search", text, "--format", "ids")
        assert result.stdout.split() == [str(number)], result.output


@pytest.mark.sqlite_only
def test_numbers_too_large_for_storage_are_usage_errors(sample: Run, target: str) -> None:
    before = snapshot(target)
    one_line_error(sample("orders", "list", "--limit", "9" * 20), 2, "--limit")
    one_line_error(sample("log", "--order", "9" * 20), 2, "is not an order number")
    assert snapshot(target) == before


# ---------------------------------------------------------------- limits storage holds


def test_an_order_worth_more_than_the_limit_is_refused_on_both_backends(
    sample: Run, target: str
) -> None:
    before = snapshot(target)
    huge = sample("orders", "add", "-c", "T", "BOX-68=999999999999.999@999999999999.9999")
    one_line_error(huge, 2, "the order is worth too much")
    # At the product's price (0.85): refused by the service, after the look-up.
    at_list_price = sample("orders", "add", "-c", "T", "BOX-68=999999999999")
    one_line_error(at_list_price, 1, "the order is worth too much")
    assert snapshot(target) == before


def test_an_order_just_inside_the_limits_is_stored_exactly_and_checks_clean(
    sample: Run,
) -> None:
    largest_quantity = "999999999999.999"  # below 10^12, three places
    result = sample(
        "orders",
        "add",
        "-c",
        "Big",
        "BOX-68=99999.999@999000",  # worth 99,899,999,001
        f"CABLE-25={largest_quantity}@0.0001",  # worth 99,999,999.99...
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    number = json.loads(result.stdout)["number"]
    order = json.loads(
        sample("orders", "show", str(number), "-f", "json").stdout, parse_float=Decimal
    )
    lines = {line["sku"]: line for line in order["lines"]}
    assert Decimal(lines["CABLE-25"]["quantity"]) == Decimal(largest_quantity)
    assert Decimal(lines["BOX-68"]["unit_price"]) == Decimal("999000")
    expected = line_amount(Decimal("99999.999"), Decimal("999000")) + line_amount(
        Decimal(largest_quantity), Decimal("0.0001")
    )
    assert Decimal(order["total"]) == expected < MAX_ORDER_VALUE
    assert sample("check").exit_code == 0
    received = sample("products", "receive", "BOX-68", "999999999699.999")
    assert received.exit_code == 0, received.output  # stock 300 -> just below 10^12
    one_line_error(sample("products", "receive", "BOX-68", "1"), 1, "would exceed")


def test_an_import_of_an_order_worth_too_much_is_refused(
    sample: Run, target: str, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    line = {"sku": "BOX-68", "quantity": "999999999999", "unit_price": "999999999999"}
    path.write_text(json.dumps({"orders": [{"number": 9000, "customer": "X", "lines": [line]}]}))
    before = snapshot(target)
    one_line_error(sample("import", str(path)), 1, "order #9000: the order is worth too much")
    assert snapshot(target) == before


# ---------------------------------------------------------------- bytes, URLs, environment


@pytest.mark.sqlite_only
def test_arguments_that_are_not_utf8_are_usage_errors(sample: Run, target: str) -> None:
    before = snapshot(target)
    one_line_error(sample("orders", "add", "-c", "\udcff", "BOX-68=1"), 2, "not valid UTF-8")
    one_line_error(sample("orders", "show", "\udcff"), 2, "'\\udcff' is not valid UTF-8")
    assert snapshot(target) == before


def test_invalid_utf8_bytes_in_the_real_argv(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    init_database(str(db))[0].dispose()
    result = subprocess.run(
        [BIN / "backorder", "--db", db, "orders", "add", "-c", b"\xff\xfe", "BOX-68=1"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode().splitlines() == [
        "Error: argument '\\udcff\\udcfe' is not valid UTF-8 text - give every argument "
        "(file names too) in UTF-8"
    ]


@pytest.mark.sqlite_only
def test_a_database_url_with_a_port_that_is_not_a_number(cli: Run) -> None:
    result = cli("orders", "list", db="postgresql+psycopg://ann@db.example:abc/shop")
    one_line_error(result, 1, "--db is neither a file path nor a database URL")


@pytest.mark.sqlite_only
def test_a_busy_timeout_that_is_not_a_number(target: str) -> None:
    init_database(target)[0].dispose()
    result = subprocess.run(
        [BIN / "backorder", "--db", target, "orders", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BACKORDER_BUSY_TIMEOUT_MS": "abc"},
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: BACKORDER_BUSY_TIMEOUT_MS must be a whole number of milliseconds, got 'abc' - "
        "fix it or unset it\n"
    )
