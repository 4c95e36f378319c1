"""Bulk backorders and invoices from a shell: numbers, stdin, --all, mixed outcomes,
dry runs and reruns."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from tests.conftest import snapshot

Run = Callable[..., Result]


@pytest.fixture
def sample(cli: Run, sample_target: str) -> Run:
    return cli


def show(cli: Run, number: int) -> dict:
    result = cli("orders", "show", str(number), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def order_rows(path: str, *numbers: int) -> list[tuple]:
    """The stored rows of these orders and their lines, to prove them untouched."""
    snap = snapshot(path)
    orders = [r for r in snap["orders"] if r[1] in numbers]
    ids = {r[0] for r in orders}
    return orders + [r for r in snap["order_lines"] if r[1] in ids]


def test_numbers_from_stdin_with_yes_and_invoice(sample: Run) -> None:
    result = sample(
        "create", "-", "--yes", "--invoice", "--format", "json", input="2401\n2399   2398\n"
    )
    assert result.exit_code == 0, result.output
    outcomes = json.loads(result.stdout)
    assert [(o["order"], o["ok"], o["backorder"], o["error"]) for o in outcomes] == [
        (2401, True, 2402, None),
        (2399, True, 2403, None),
        (2398, True, 2404, None),
    ]
    assert outcomes[2]["invoice"] is not None  # 2398 had uninvoiced shipments
    assert result.stderr.splitlines()[-1] == "3 backorders created, 0 refused"
    for original, new in ((2401, 2402), (2399, 2403), (2398, 2404)):
        assert show(sample, original)["backorders"] == [new]
        assert show(sample, new)["comment"] == f"Backorder from order #{original}"


def test_numbers_from_stdin_without_yes_is_a_usage_error(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("create", "-", input="2401\n")
    assert result.exit_code == 2
    assert result.stderr == "Error: no terminal to confirm on - pass --yes\n"
    assert snapshot(target) == before


def test_all_backorders_every_partially_shipped_order(sample: Run) -> None:
    result = sample("create", "--all", "--yes", "--invoice")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Backorder #") == 3
    listed = sample("orders", "list", "--status", "partially-shipped", "--format", "ids")
    assert listed.stdout == ""
    archived = sample("orders", "list", "--archived", "--format", "ids").stdout.split()
    assert archived == ["2401", "2399", "2398", "2390"]


def test_all_with_a_customer_takes_only_theirs(sample: Run) -> None:
    result = sample("create", "--all", "--customer", "hansen", "--yes", "--format", "json")
    assert [(o["order"], o["backorder"]) for o in json.loads(result.stdout)] == [(2401, 2402)]
    assert show(sample, 2399)["status"] == "partially_shipped"


def test_mixed_success_and_refusal(sample: Run, target: str) -> None:
    untouched = order_rows(target, 2396, 2398)
    result = sample("create", "2401", "2396", "9999", "2398", "2399", "--yes")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "Backorder #2402 created with the undelivered items of order #2401; "
        "order #2401 is canceled and archived.",
        "Backorder #2403 created with the undelivered items of order #2399; "
        "order #2399 is canceled and archived.",
    ]
    assert result.stderr.splitlines() == [
        "Error: order #2396 has nothing shipped yet (status booked) - a backorder is made from "
        "a partially shipped order; ship what you can first with `backorder ship 2396 --available`",
        "Error: order #9999 not found - list orders with `backorder orders list --all`",
        "Error: order #2398 has shipped items that are not invoiced, and invoices cannot be "
        "created for a canceled order - run `backorder invoice 2398` first, or pass --invoice",
        "2 backorders created, 3 refused",
    ]
    assert order_rows(target, 2396, 2398) == untouched
    assert show(sample, 2401)["backorders"] == [2402]


def test_json_results_have_one_object_per_order(sample: Run) -> None:
    result = sample("create", "2401", "2396", "--yes", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "order": 2401,
            "ok": True,
            "backorder": 2402,
            "invoice": None,
            "invoice_total": None,
            "error": None,
            "code": None,
        },
        {
            "order": 2396,
            "ok": False,
            "backorder": None,
            "invoice": None,
            "invoice_total": None,
            "error": "order #2396 has nothing shipped yet (status booked) - a backorder is made "
            "from a partially shipped order; ship what you can first with "
            "`backorder ship 2396 --available`",
            "code": "not_partially_shipped",
        },
    ]


def test_a_single_number_gives_one_json_object(sample: Run) -> None:
    result = sample("create", "2401", "--yes", "--format", "json")
    assert json.loads(result.stdout)["backorder"] == 2402
    assert "backorders created" not in result.stderr  # no summary for one order


@pytest.mark.parametrize(
    ("args", "code"),
    [(["2401", "2399"], 0), (["2401", "2396"], 1), (["--all"], 1), (["--all", "--invoice"], 0)],
)
def test_dry_run_changes_nothing_and_exits_as_the_real_run_would(
    sample: Run, target: str, args: list[str], code: int
) -> None:
    before = snapshot(target)
    dry = sample("create", *args, "--dry-run")
    assert dry.exit_code == code, dry.output
    assert "Dry run: nothing was changed." in dry.stderr
    assert snapshot(target) == before
    real = sample("create", *args, "--yes")
    assert real.exit_code == code


def test_dry_run_prints_the_full_plan_of_every_order(sample: Run) -> None:
    result = sample("create", "--all", "--invoice", "--dry-run", "--format", "json")
    plans = json.loads(result.stdout)
    assert [(p["order"], p["backorder"]) for p in plans] == [
        (2398, 2402),
        (2399, 2403),
        (2401, 2404),
    ]
    assert plans[0]["invoice_first"] == [{"sku": "LED-9W", "quantity": 25, "amount": 81.13}]
    assert plans[2]["lines"] == [
        {"sku": "CABLE-15", "quantity": 150, "unit_price": 1.4},
        {"sku": "SWITCH-1", "quantity": 12, "unit_price": 8.9},
    ]
    text = sample("create", "2401", "2399", "--dry-run").stdout
    assert "Order #2401 (Hansen & Søn VVS)" in text and "#2402" in text
    assert "Order #2399 (Aarhus Installations)" in text and "#2403" in text


def test_rerunning_after_an_interruption_does_nothing_twice(sample: Run, target: str) -> None:
    assert sample("create", "2401", "--yes").exit_code == 0  # the run "interrupted" after one
    count = len(snapshot(target)["orders"])
    rerun = sample("create", "2401", "2399", "--yes")
    assert rerun.exit_code == 1
    assert "Error: order #2401 is already backordered as #2402" in rerun.stderr
    assert "Backorder #2403 created" in rerun.stdout
    assert len(snapshot(target)["orders"]) == count + 1
    again = sample("create", "2401", "2399", "--yes")
    assert "1 backorder created" not in again.stderr
    # A rerun tells "already done" from a failure.
    assert again.stderr.splitlines()[-1] == "0 backorders created, 2 refused (2 already done)"
    assert len(snapshot(target)["orders"]) == count + 1


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_one_question_for_the_whole_batch(sample: Run) -> None:
    result = sample("create", "2401", "2399", input="y\n")
    assert result.exit_code == 0, result.output
    assert (
        "This will cancel orders no. #2401, #2399 and create new ones for the undelivered items.\n"
        "Continue? [y/N] "
    ) in result.stderr
    assert result.stderr.count("Continue?") == 1
    assert result.stdout.count("Backorder #") == 2


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_batch_question_answered_no_changes_nothing(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("create", "2401", "2399", input="n\n")
    assert result.exit_code == 1
    assert snapshot(target) == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_the_question_lists_only_the_orders_that_would_go(sample: Run) -> None:
    result = sample("create", "2401", "2396", input="y\n")
    assert result.exit_code == 1
    assert "This will cancel order no. #2401 and create a new one" in result.stderr
    assert "Error: order #2396 has nothing shipped yet" in result.stderr
    assert show(sample, 2401)["status"] == "canceled"


def test_no_progress_bar_when_stderr_is_piped(sample: Run) -> None:
    result = sample("create", "--all", "--yes", "--invoice")
    assert result.stderr == "3 backorders created, 0 refused\n"


@pytest.mark.parametrize(
    "args",
    [["2401", "--all"], ["--customer", "x", "2401"], ["-", "2401", "--yes"], ["abc"], []],
)
def test_bad_order_picks_are_usage_errors(sample: Run, target: str, args: list[str]) -> None:
    before = snapshot(target)
    result = sample("create", *args, input="")
    assert result.exit_code == 2, result.output
    assert snapshot(target) == before


def test_a_bad_number_on_stdin_stops_everything_before_it_starts(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("create", "-", "--yes", input="2401 24o1\n")
    assert result.exit_code == 2
    assert "'24o1' is not an order number" in result.stderr
    assert snapshot(target) == before


# ---------------------------------------------------------------- invoice in bulk


def test_invoice_takes_numbers_stdin_and_all(sample: Run) -> None:
    result = sample("invoice", "2398", "2392")
    assert result.exit_code == 1
    assert result.stdout == "Invoice #7 for order #2398: total 81.13\n"
    assert result.stderr.splitlines() == [
        "Error: order #2392 is fully invoiced: everything on it was shipped and invoiced - "
        "there is nothing left to invoice (`backorder orders show 2392` lists its invoices)",
        "1 invoice created, 1 refused (1 already done)",  # #2392 is invoiced already
    ]
    piped = sample("invoice", "-", "--format", "json", input="2393\n")
    assert json.loads(piped.stdout) == [
        {"order": 2393, "ok": True, "invoice": 8, "total": 96, "error": None, "code": None}
    ]
    assert sample("ship", "2396", "--available").exit_code == 0
    every = sample("invoice", "--all", "--yes", "--format", "json")
    assert every.exit_code == 0
    assert [(o["order"], o["invoice"]) for o in json.loads(every.stdout)] == [(2396, 9)]
    assert sample("invoice", "--all", "--yes").stderr == "No orders to invoice.\n"


def test_invoice_one_number_gives_one_object(sample: Run) -> None:
    result = sample("invoice", "2393", "--format", "json")
    assert json.loads(result.stdout) == {
        "order": 2393,
        "ok": True,
        "invoice": 7,
        "total": 96,
        "error": None,
        "code": None,
    }
