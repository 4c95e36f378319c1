"""The corrections on the command line: the question (and --yes), --dry-run, --format
json, refusals with exit 1 and an unchanged database, usage errors with exit 2, and
`check` clean after every write."""

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


def show(run: Run, number: int) -> dict:
    return json.loads(run("orders", "show", str(number), "-f", "json").stdout)


def test_cancel_asks_and_a_yes_cancels(run: Run, at_terminal: None) -> None:
    result = run("orders", "cancel", "2396", "--reason", "customer withdrew", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "This will cancel order #2396 (50 x CABLE-25, 20 x BOX-68 canceled).\nContinue? [y/N] "
        "Order #2396 is canceled (50 x CABLE-25, 20 x BOX-68 canceled).\n"
    )
    assert result.stdout == ""
    order = show(run, 2396)
    assert (order["status"], order["archived"]) == ("canceled", False)
    assert (
        order["history"][-1]["detail"] == "canceled (customer withdrew): 50 x CABLE-25, 20 x BOX-68"
    )
    checked(run)


def test_cancel_answered_no_changes_nothing(run: Run, shop: Path, at_terminal: None) -> None:
    before = snapshot(shop)
    result = run("orders", "cancel", "2396", input="n\n")
    assert result.exit_code == 1
    assert result.stderr.endswith("Aborted: nothing was changed.\n")
    assert snapshot(shop) == before


def test_cancel_of_many_in_json(run: Run) -> None:
    result = run("orders", "cancel", "2395", "#2397", "--yes", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is False
    assert [(o["number"], o["status"], o["total"]) for o in data["orders"]] == [
        (2395, "canceled", 0),
        (2397, "canceled", 0),
    ]
    checked(run)


def test_a_refused_cancel_is_one_line_exit_1_and_changes_nothing(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    result = run("orders", "cancel", "2396", "2401", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: order #2401 is partially shipped and cannot be canceled - cancel the rest with "
        "`backorder close 2401`, or move it to a backorder with `backorder create 2401`\n"
    )
    assert snapshot(shop) == before


def test_close_dry_run_shows_the_plan_in_json_and_changes_nothing(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    result = run("close", "2401", "SWITCH-1", "--dry-run", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["dry_run"], data["action"], data["status"], data["total"]) == (
        True,
        "closed",
        "partially_shipped",
        344,
    )
    assert data["lines"] == [{"sku": "SWITCH-1", "quantity": 12}]
    assert result.stderr == "Dry run: nothing was changed.\n"
    assert snapshot(shop) == before


def test_close_with_yes_closes_every_line_short(run: Run) -> None:
    result = run("close", "2401", "--yes", "--reason", "no backorder")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Order #2401 closed short: 150 x CABLE-15, 12 x SWITCH-1 canceled (now invoiced).\n"
    )
    assert show(run, 2401)["status"] == "invoiced"
    checked(run)


def test_unship_takes_back_stock(run: Run) -> None:
    assert run("ship", "2396", "CABLE-25=10").exit_code == 0
    result = run("unship", "2396", "CABLE-25=10", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Took back 10 x CABLE-25 on order #2396 into stock (now booked).\n"
    stock = json.loads(run("products", "list", "-f", "json").stdout)
    assert next(p["stock"] for p in stock if p["sku"] == "CABLE-25") == 400
    checked(run)


def test_unship_needs_an_item_and_a_good_one(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    assert run("unship", "2396").exit_code == 2
    bad = run("unship", "2396", "CABLE-25=-1", "--yes")
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
    assert snapshot(shop) == before


def test_edit_changes_lines_and_says_what(run: Run) -> None:
    result = run(
        "orders", "edit", "2396", "CABLE-25=10@2", "TAPE-19=3", "--remove", "BOX-68", "--yes"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Order #2396 changed: CABLE-25 quantity 50 -> 10, price 1.95 -> 2.00; TAPE-19 added: "
        "3 at 1.10; BOX-68 removed (was 20); total 23.30 (now booked).\n"
    )
    assert show(run, 2396)["history"][-1]["event"] == "edited"
    checked(run)


def test_edit_with_nothing_to_change_is_refused(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    result = run("orders", "edit", "2396", "--yes")
    assert result.exit_code == 2  # a usage error: the command says nothing to do
    assert result.stderr == (
        "Error: nothing to change - give --customer, --comment, --address, --reference, "
        "--policy, SKU=QTY[@PRICE] or --remove SKU\n"
    )
    assert snapshot(shop) == before


def test_adjust_sets_the_count_and_receive_refuses_a_negative(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    refused = run("products", "receive", "SWITCH-1", "-5")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: Invalid value for 'QUANTITY': cannot receive a negative quantity (-5) - to "
        "lower stock on hand, set the counted quantity with `backorder products adjust SKU "
        "QTY --reason TEXT`\n"
    )
    assert snapshot(shop) == before
    result = run("products", "adjust", "CABLE-25", "380", "--reason", "count", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stderr == "CABLE-25: stock on hand is now 380 m (was 400: -20; count).\n"
    checked(run)


def test_adjust_needs_a_reason_and_a_count_that_is_not_negative(run: Run, shop: Path) -> None:
    before = snapshot(shop)
    missing = run("products", "adjust", "CABLE-25", "380", "--yes")
    assert missing.exit_code == 2
    assert "--reason" in missing.stderr
    negative = run("products", "adjust", "CABLE-25", "--reason", "x", "--yes", "--", "-1")
    assert negative.exit_code == 2
    assert "Traceback" not in negative.output
    assert snapshot(shop) == before


def test_the_corrections_appear_in_the_log(run: Run) -> None:
    assert run("close", "2401", "SWITCH-1", "--yes", "--reason", "not wanted").exit_code == 0
    assert run("orders", "cancel", "2396", "--yes").exit_code == 0
    log = json.loads(run("log", "-f", "json").stdout)
    events = [(e["order"], e["event"]) for e in log][-2:]
    assert events == [(2401, "closed"), (2396, "canceled")]


def test_a_stock_count_is_in_the_log_as_a_change_of_no_order(run: Run) -> None:
    assert run("products", "adjust", "CABLE-25", "380", "--reason", "count", "--yes").exit_code == 0
    log = json.loads(run("log", "-f", "json").stdout)
    assert {k: log[-1][k] for k in ("order", "event", "detail")} == {
        "order": None,
        "event": "stock counted",
        "detail": "CABLE-25: 400 -> 380 (-20): count",
    }
    plain = run("log", "-f", "plain").stdout.splitlines()[-1].split("\t")
    assert plain[2:] == ["", "stock counted", "CABLE-25: 400 -> 380 (-20): count"]
    one_order = json.loads(run("log", "--order", "2401", "-f", "json").stdout)
    assert all(e["event"] != "stock counted" for e in one_order)


def test_data_in_an_edit_is_never_shown_raw(run: Run) -> None:
    result = run("orders", "edit", "2396", "-c", "Evil\u202eliveE", "--yes")
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stderr
    assert "'Evil\\u202eliveE'" in result.stderr
    assert show(run, 2396)["customer"] == "Evil\u202eliveE"  # kept exactly


def test_the_history_of_an_edit_keeps_the_text_as_given_and_shows_it_escaped_once(
    run: Run,
) -> None:
    customer, reason = "x\u202e \\x1b", "\u202e"
    done = run("orders", "edit", "2396", "-c", customer, "--reason", reason, "--yes")
    assert done.exit_code == 0, done.output
    detail = json.loads(run("log", "--order", "2396", "-f", "json").stdout)[-1]["detail"]
    assert detail == f"customer 'Hansen & Søn VVS' -> '{customer}' ({reason})"
    shown = run("log", "--order", "2396", "-f", "plain").stdout.splitlines()[-1]
    assert shown.endswith("customer 'Hansen & Søn VVS' -> 'x\\u202e \\\\x1b' (\\u202e)")
    checked(run)
