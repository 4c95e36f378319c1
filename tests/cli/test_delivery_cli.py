"""The commands after the backorder through the CLI: ready, undo, chain, report, log
(in-process, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def test_ready_lists_what_stock_covers_in_plain_json_and_ids(sample: Run) -> None:
    plain = sample("ready")
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines() == [
        "number\tcover\tcustomer\tbackorder_of\tcreated_at\tship\twaiting",
        "2396\tfull\tHansen & Søn VVS\t\t2026-11-02T08:30:00Z\tCABLE-25=50 BOX-68=20\t",
        "2397\tfull\tByg-Huset A/S\t\t2026-11-05T14:10:00Z\tBREAKER-16=2 TAPE-19=10\t",
        "2398\tfull\tLys og Lampe I/S\t\t2026-11-09T10:45:00Z\tLED-9W=15 SOCKET-2=4\t",
    ]
    as_json = json.loads(sample("ready", "--format", "json").stdout)
    assert as_json[0]["ship"] == [
        {"sku": "CABLE-25", "quantity": 50},
        {"sku": "BOX-68", "quantity": 20},
    ]
    assert as_json[0]["waiting"] == []
    assert sample("ready", "--format", "ids").stdout == "2396\n2397\n2398\n"


def test_ready_ship_yes_ships_then_check_is_clean(sample: Run) -> None:
    sample("create", "2401", "--yes")
    sample("products", "receive", "CABLE-15", "100")
    listed = sample("ready", "--format", "json")
    partial = [r for r in json.loads(listed.stdout) if r["number"] == 2402]
    assert partial == []  # 150 of CABLE-15 needed, 100 on hand: no whole line fits
    result = sample("ready", "--ship", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Shipped order #2396 in full: 50 x CABLE-25, 20 x BOX-68 (now shipped).",
        "Shipped order #2397 in full: 2 x BREAKER-16, 10 x TAPE-19 (now shipped).",
        "Shipped order #2398 in full: 15 x LED-9W, 4 x SOCKET-2 (now shipped).",
    ]
    assert result.stderr.endswith("3 orders shipped, 0 refused\n")
    check = sample("check")
    assert check.exit_code == 0, check.stdout
    again = sample("ready", "--ship", "--yes")
    assert (again.exit_code, again.stdout) == (0, "")
    assert "No waiting order can ship from stock on hand." in again.stderr


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_ready_ship_answered_no_changes_nothing(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("ready", "--ship", input="n\n")
    assert result.exit_code == 1
    assert "This will ship 3 orders from stock on hand: 3 in full, 0 in part" in result.stderr
    assert result.stderr.endswith("Aborted: nothing was changed.\n")
    assert result.stdout == ""
    assert snapshot(target) == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_undo_confirms_then_gives_back_and_refuses_with_one_line(sample: Run, target: str) -> None:
    sample("create", "2401", "--yes")
    before = snapshot(target)
    no = sample("undo", "2402", input="\n")
    assert no.exit_code == 1 and snapshot(target) == before
    assert (
        "This will cancel backorder no. #2402 and give its items back to order #2401." in no.stderr
    )
    result = sample("undo", "2402", "--reason", "typed the wrong number", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        "Backorder #2402 undone: its items are back on order #2401 (now partially shipped); "
        "#2402 is canceled and archived.\n"
    )
    shown = json.loads(sample("orders", "show", "2402", "--format", "json").stdout)
    assert shown["comment"] == (
        "Backorder from order #2401, undone (typed the wrong number): its items went back to #2401"
    )
    refused = sample("undo", "2396", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: order #2396 is not a backorder - only a backorder can be undone "
        "(`backorder chain` shows where an order came from)\n"
    )


def test_undo_json_result(sample: Run) -> None:
    sample("create", "2401", "--yes")
    result = json.loads(sample("undo", "2402", "--yes", "--format", "json").stdout)
    assert result == {
        "number": 2402,
        "origin": 2401,
        "origin_status": "partially_shipped",
        "lines": [{"sku": "CABLE-15", "quantity": 150}, {"sku": "SWITCH-1", "quantity": 12}],
    }


def test_chain_draws_a_tree_and_shows_in_orders_show(sample: Run) -> None:
    sample("create", "2401", "--yes")
    tree = sample("chain", "2402", "--format", "table")
    assert tree.exit_code == 0, tree.output
    lines = tree.stdout.splitlines()
    assert lines[0].startswith("#2401  canceled, archived  Hansen & Søn VVS")
    assert lines[1].startswith("└── #2402  booked  Hansen & Søn VVS")
    assert "waiting for 150 x CABLE-15, 12 x SWITCH-1" in lines[1]
    as_json = json.loads(sample("chain", "2401", "--format", "json").stdout)
    assert [link["number"] for link in as_json] == [2401, 2402]
    shown = sample("orders", "show", "2402", "--format", "plain").stdout
    assert "chain\t#2401 -> #2402\n" in shown
    table = sample("orders", "show", "2401", "--format", "table").stdout
    assert "#2401 -> #2402" in table
    assert sample("chain", "9999").exit_code == 1


def test_report_formats_and_table_total(sample: Run) -> None:
    sample("create", "2401", "--yes")
    rows = list(csv.DictReader(io.StringIO(sample("report", "--format", "csv").stdout)))
    assert rows == [
        {
            "sku": "CABLE-15",
            "name": "Installation cable 3G1.5",
            "quantity": "150",
            "waiting": "150",
            "on_hand": "0",
            "incoming": "0",
            "shortfall": "150",
            "orders": "1",
            "lines": "1",
            "value": "210.00",  # the order's own price, 1.40 a metre
        },
        {
            "sku": "SWITCH-1",
            "name": "Light switch, white",
            "quantity": "12",
            "waiting": "42",  # #2399 (6) and #2400 (24) wait for SWITCH-1 too
            "on_hand": "0",
            "incoming": "0",
            "shortfall": "42",
            "orders": "1",
            "lines": "1",
            "value": "106.80",
        },
    ]
    table = sample("report", "--by", "customer", "--format", "table").stdout
    assert "Total" in table and "316.80" in table and "Oldest (days)" in table
    assert sample("report", "--format", "table").stdout.split()[0] == "SKU"
    by_age = sample("report", "--by", "age", "--as-of", "2027-01-30", "--format", "plain")
    assert by_age.stdout.splitlines()[1:] == [
        "0-7 days\t0\t0\t0.00",
        "8-30 days\t0\t0\t0.00",
        "31-90 days\t1\t2\t316.80",
        "over 90 days\t0\t0\t0.00",
    ]
    bad = sample("report", "--as-of", "yesterday")
    assert bad.exit_code == 2  # a bad option value is a usage error
    assert bad.stderr == (
        "Error: Invalid value for '--as-of': 'yesterday' is not a date - write it as YYYY-MM-DD\n"
    )
    assert sample("report", "--by", "color").exit_code == 2


def test_log_filters_by_order_and_day(sample: Run) -> None:
    sample("create", "2401", "--yes")
    rows = list(csv.DictReader(io.StringIO(sample("log", "--order", "2402", "-f", "csv").stdout)))
    assert [(r["order"], r["event"]) for r in rows] == [("2402", "created")]
    assert list(rows[0]) == ["at", "user", "order", "event", "detail"]
    everything = json.loads(sample("log", "--format", "json").stdout)
    assert {e["event"] for e in everything} >= {"imported", "backordered", "created"}
    assert sample("log", "--since", "2999-01-01", "-f", "csv").stdout == (
        "at,user,order,event,detail\n"
    )
    today = everything[-1]["at"][:10]
    since = json.loads(sample("log", "--since", today, "--format", "json").stdout)
    assert since == everything
    unknown = sample("log", "--order", "9999", "-f", "csv")
    assert (unknown.exit_code, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("Error: order #9999 not found")


def test_ready_ship_json_lists_what_shipped_as_sku_and_quantity_objects(sample: Run) -> None:
    planned = json.loads(sample("ready", "--ship", "--dry-run", "-f", "json").stdout)
    result = sample("ready", "--ship", "--yes", "-f", "json")
    assert result.exit_code == 0, result.output
    shipped = json.loads(result.stdout)
    policy = ("policy", "action", "rest", "backorder", "invoice", "invoice_total")
    assert [shipped[0].pop(key) for key in policy] == ["manual", "none", [], None, None, None]
    assert shipped[0] == {
        "order": 2396,
        "ok": True,
        "cover": "full",
        "status": "shipped",
        "shipped": [{"sku": "CABLE-25", "quantity": 50}, {"sku": "BOX-68", "quantity": 20}],
        "error": None,
        "code": None,
    }
    # The same shape the dry run showed for what would ship.
    assert [o["shipped"] for o in shipped] == [p["ship"] for p in planned]
    assert sample("check").exit_code == 0
