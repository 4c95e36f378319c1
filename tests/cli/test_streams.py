"""What a command did goes to one stream, the same for every command: data (listings,
JSON results, the new number `orders add` prints, each order's line of a bulk run, what
a dry run would do) on stdout; messages (a confirmation of a change, plans, questions,
summaries, errors) on stderr. A script that captures stdout gets only data."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.test_installed_scripts import run, script

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


CONFIRMATIONS = [
    # (command, its confirmation), in an order that works on the sample
    (["ship", "2396", "CABLE-25=1"], "Shipped 1 x CABLE-25 on order #2396"),
    (["products", "add", "NEW-1", "--name", "New", "--price", "1"], "Added NEW-1 (New)"),
    (["products", "receive", "NEW-1", "5"], "NEW-1: stock on hand is now 5 pcs"),
    (["orders", "book", "2395"], "Order #2395 is booked."),
    (["settings", "set", "inventory-value-on-invoicing", "off"], "inventory-value-on-invoicing"),
    (["migrate"], ""),
    (["init"], ""),
]


def test_a_confirmation_is_a_message_on_stderr(sample: Run) -> None:
    for args, said in CONFIRMATIONS:
        result = sample(*args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout == "", args
        assert said in result.stderr, (args, result.stderr)
        assert result.stderr.strip(), args
    assert sample("check").exit_code == 0


def test_undo_confirms_on_stderr(sample: Run) -> None:
    assert sample("create", "2401", "--yes").exit_code == 0
    result = sample("undo", "2402", "--yes")
    assert result.stdout == ""
    assert result.stderr.startswith("Backorder #2402 undone")


def test_with_format_json_the_result_is_data_on_stdout(sample: Run) -> None:
    result = sample("ship", "2396", "CABLE-25=1", "--format", "json")
    assert json.loads(result.stdout)["shipped"] == [{"sku": "CABLE-25", "quantity": 1}]
    assert result.stderr == ""
    received = sample("products", "receive", "BOX-68", "1", "--format", "json")
    assert json.loads(received.stdout)["stock"] == 301
    assert received.stderr == ""


def test_a_new_number_is_data_on_stdout(sample: Run) -> None:
    result = sample("orders", "add", "-c", "Hansen & Søn VVS", "BOX-68=1")
    assert (result.stdout, result.stderr) == ("2402\n", "")
    # A customer not yet in the register is registered, and that is said on stderr.
    result = sample("orders", "add", "-c", "Script", "BOX-68=1")
    assert (result.stdout, result.stderr) == (
        "2403\n",
        "Registered new customer 'Script' (see `backorder customers show`).\n",
    )


def test_each_order_of_a_bulk_run_is_a_line_on_stdout_and_the_summary_on_stderr(
    sample: Run,
) -> None:
    result = sample("invoice", "2398", "2393")
    assert result.stdout.splitlines() == [
        "Invoice #7 for order #2398: total 81.13",
        "Invoice #8 for order #2393: total 96.00",
    ]
    assert result.stderr == "2 invoices created, 0 refused\n"


def test_import_reports_on_stderr_and_reads_stdin(sample: Run) -> None:
    exported = sample("orders", "export", "--format", "json")
    document = json.loads(exported.stdout)
    document.pop("products", None)  # the catalogue is there already
    document.pop("customers", None)  # and so is the register
    document["orders"] = [o for o in document["orders"] if o["number"] == 2396]
    document["orders"][0]["number"] = 7001
    result = sample("import", "-", input=json.dumps(document))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 order" in result.stderr
    shown = sample("orders", "show", "7001", "--format", "json")
    assert json.loads(shown.stdout)["customer"] == "Hansen & Søn VVS"


def test_import_dash_reads_a_piped_document_with_the_real_script(tmp_path: Path) -> None:
    """`orders export --all | backorder --db new.db import -`: the installed script reads
    the document from stdin; its report goes to stderr, nothing to stdout."""
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    assert run("init", "--sample", db=old).returncode == 0
    assert run("init", db=new).returncode == 0
    pipeline = (
        f"{script('backorder')} --db {old} orders export --all"
        f" | {script('backorder')} --db {new} import -"
    )
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "12 orders" in result.stderr
    listed = run("orders", "list", "--all", "--format", "ids", db=new)
    assert (
        listed.stdout.split() == run("orders", "list", "--all", "-f", "ids", db=old).stdout.split()
    )
