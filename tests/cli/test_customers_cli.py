"""The customer register on the command line: list and show in every format, add and
edit with the question, --dry-run and --format json, a near miss refused on `orders
add` with the name meant, a new name said on stderr, refusals exit 1 with the database
unchanged, and `check` clean after every write (bad values: test_usage_errors.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app
from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def run(shop: Path) -> Run:
    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(app, ["--db", str(shop), *args], input=input)

    return invoke


def checked(run: Run) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output


def test_list_shows_the_register_made_from_the_sample_orders(run: Run) -> None:
    result = run("customers", "list", "-f", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "name,email,address,policy,priority,open_orders,owed"
    assert "Hansen & Søn VVS,,,manual,0,2,431.30" in lines
    rows = json.loads(run("customers", "list", "-f", "json").stdout)
    assert len(rows) == len(lines) - 1 == 5


def test_show_finds_the_customer_in_any_case_and_lists_what_is_owed(run: Run) -> None:
    result = run("customers", "show", "HANSEN & SØN VVS", "-f", "plain")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "order\tsku\tquantity\tvalue",
        "2396\tCABLE-25\t50\t97.50",
        "2396\tBOX-68\t20\t17.00",
        "2401\tCABLE-15\t150\t210.00",
        "2401\tSWITCH-1\t12\t106.80",
    ]
    missing = run("customers", "show", "Hansen & Son")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "Error: customer 'Hansen & Son' not found - did you mean 'Hansen & Søn VVS'? "
        "(see `backorder customers list`)\n"
    )


def test_add_asks_then_registers_and_a_dry_run_writes_nothing(
    run: Run, shop: Path, at_terminal: None
) -> None:
    before = snapshot(shop)
    dry = run("customers", "add", "Elektro Syd", "--priority", "4", "--dry-run", "-f", "json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout) == {
        "dry_run": True,
        "name": "Elektro Syd",
        "added": True,
        "changes": ["policy manual", "priority 4"],
        "orders_updated": 0,
    }
    assert snapshot(shop) == before
    result = run("customers", "add", "Elektro Syd", "--email", "indkob@elektro-syd.dk", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        "Registered customer 'Elektro Syd': policy manual, priority 0, "
        "email indkob@elektro-syd.dk.\n"
    )
    again = run("customers", "add", "ELEKTRO SYD", "--yes", "-f", "json")
    assert again.exit_code == 1
    assert json.loads(again.stdout)["code"] == "customer_exists"
    checked(run)


def test_edit_priority_reaches_the_orders_and_ready(run: Run) -> None:
    result = run("customers", "edit", "byg-huset a/s", "--priority", "9", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Changed customer 'Byg-Huset A/S': priority 0 -> 9.\n2 of its orders carry the change.\n"
    )
    ready = json.loads(run("ready", "-f", "json").stdout)
    assert ready[0]["number"] == 2397  # Byg-Huset's: first, whatever waited longer
    checked(run)


def test_orders_add_registers_a_new_name_and_refuses_a_near_miss(run: Run, shop: Path) -> None:
    new = run("orders", "add", "-c", "Elektro Syd", "BOX-68=1")
    assert new.exit_code == 0, new.output
    assert new.stdout == "2402\n"
    assert new.stderr == (
        "Registered new customer 'Elektro Syd' (see `backorder customers show`).\n"
    )
    known = run("orders", "add", "-c", "hansen & søn vvs", "BOX-68=1", "-f", "json")
    assert json.loads(known.stdout)["customer"] == "Hansen & Søn VVS"
    assert known.stderr == ""
    before = snapshot(shop)
    near = run("orders", "add", "-c", "Hansen & Son VVS", "BOX-68=1")
    assert near.exit_code == 1
    assert near.stderr == (
        "Error: unknown customer 'Hansen & Son VVS' - did you mean 'Hansen & Søn VVS'? (give "
        "that name, or --new-customer to register a new customer by this name)\n"
    )
    assert snapshot(shop) == before
    forced = run("orders", "add", "-c", "Hansen & Son VVS", "BOX-68=1", "--new-customer")
    assert forced.exit_code == 0, forced.output
    checked(run)


def test_list_of_a_few_thousand_orders_counts_every_customer_once(tmp_path: Path) -> None:
    """2,000 waiting orders of 1,500 customers (some spelled in two cases): one row per
    customer, every waiting order counted once, what is owed summed exactly."""
    from backorder_cli.services import customers
    from backorder_cli.services import transfer as transfer_service
    from backorder_cli.storage.schema import init_database
    from tests.helpers.data import partially_shipped_company

    document = json.loads(partially_shipped_company(2000))
    for n, order in enumerate(document["orders"]):
        name = f"Customer {n % 1500:04d} ApS"
        order["customer"] = name.upper() if n % 3 == 0 else name
    db, _ = init_database(str(tmp_path / "big.db"))
    try:
        transfer_service.import_text(db, json.dumps(document), source="big.json")
        rows = list(customers.list_customers(db))
        assert len(rows) == 1500
        assert sum(r.open_orders for r in rows) == 2000
        owed = sum(
            (line.value for r in rows[:3] for line in customers.show_customer(db, r.name).owed),
            start=0,
        )
        assert owed == sum(r.owed for r in rows[:3])
    finally:
        db.dispose()
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "big.db"), "customers", "list"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1501  # piped: plain, a header and every row


def test_one_order_carries_the_change(run: Run) -> None:
    assert run("orders", "add", "-c", "Solo ApS", "BOX-68=1").exit_code == 0
    result = run("customers", "edit", "solo aps", "--priority", "2", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("1 of its orders carries the change.\n")
    checked(run)
