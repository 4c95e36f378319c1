"""--dry-run on every command that writes in bulk or asks first (`create`, `invoice`,
`ready --ship`, `undo`): it shows what the real run would do, writes nothing, and needs
no terminal; its exit code is the real run's."""

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


def test_invoice_dry_run_shows_each_bill_and_writes_nothing(sample: Run, target: str) -> None:
    before = snapshot(target)
    result = sample("invoice", "2398", "2393", "2392", "--dry-run")
    assert result.exit_code == 1  # as the real run: #2392 would be refused
    assert result.stdout == (
        "Order #2398 would be invoiced 25 x LED-9W: total 81.13\n"
        "Order #2393 would be invoiced 4 x BREAKER-16: total 96.00\n"
    )
    assert result.stderr.splitlines() == [
        "Error: order #2392 is fully invoiced: everything on it was shipped and invoiced - "
        "there is nothing left to invoice (`backorder orders show 2392` lists its invoices)",
        "Dry run: 2 orders would be invoiced, 1 order refused (1 already done).",
        "Dry run: nothing was changed.",
    ]
    assert snapshot(target) == before
    real = sample("invoice", "2398", "2393", "2392", "--format", "json")
    assert [(o["order"], o["total"]) for o in json.loads(real.stdout) if o["ok"]] == [
        (2398, 81.13),
        (2393, 96),
    ]


def test_invoice_dry_run_in_json_has_the_lines_and_the_refusal_code(
    sample: Run, target: str
) -> None:
    before = snapshot(target)
    result = sample("invoice", "--all", "--dry-run", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "order": 2393,
            "ok": True,
            "total": 96,
            "lines": [{"sku": "BREAKER-16", "quantity": 4, "amount": 96}],
            "error": None,
            "code": None,
        },
        {
            "order": 2398,
            "ok": True,
            "total": 81.13,
            "lines": [{"sku": "LED-9W", "quantity": 25, "amount": 81.13}],
            "error": None,
            "code": None,
        },
    ]
    one = sample("invoice", "2394", "--dry-run", "--format", "json")
    assert one.exit_code == 1
    assert json.loads(one.stdout)["code"] == "canceled"
    assert snapshot(target) == before


def test_ready_ship_dry_run_lists_what_would_ship(sample: Run, target: str) -> None:
    before = snapshot(target)
    listed = sample("ready", "--format", "json")
    result = sample("ready", "--ship", "--dry-run", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(listed.stdout)
    covers = [o["cover"] for o in json.loads(result.stdout)]
    assert result.stderr == (
        f"Dry run: {len(covers)} order{'s' * (len(covers) != 1)} would ship, "
        f"{covers.count('full')} in full and "
        f"{covers.count('partial')} in part.\nDry run: nothing was changed.\n"
    )
    assert snapshot(target) == before


def test_dry_run_without_ship_is_a_usage_error(sample: Run) -> None:
    result = sample("ready", "--dry-run")
    assert result.exit_code == 2
    assert "--dry-run goes with --ship" in result.stderr


def test_undo_dry_run_says_what_would_go_back(sample: Run, target: str) -> None:
    assert sample("create", "2401", "--yes").exit_code == 0
    before = snapshot(target)
    result = sample("undo", "2402", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == (
        "Backorder #2402 (Hansen & Søn VVS): 150 x CABLE-15, 12 x SWITCH-1 would go back to "
        "order #2401.\n"
    )
    assert result.stderr == "Dry run: nothing was changed.\n"
    as_json = sample("undo", "2402", "--dry-run", "--format", "json")
    assert json.loads(as_json.stdout) == {
        "number": 2402,
        "origin": 2401,
        "customer": "Hansen & Søn VVS",
        "lines": [{"sku": "CABLE-15", "quantity": 150}, {"sku": "SWITCH-1", "quantity": 12}],
    }
    refused = sample("undo", "2401", "--dry-run")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: order #2401 is not a backorder")
    assert snapshot(target) == before


@pytest.mark.usefixtures("at_terminal")  # a person answers the question
def test_refusals_said_before_the_question_are_still_in_the_json_list(
    sample: Run, target: str
) -> None:
    result = sample("create", "2401", "2398", "--format", "json", input="y\n")
    assert result.exit_code == 1
    err = result.stderr
    assert err.count("Error: order #2398 has shipped items") == 1
    assert err.index("Error: order #2398") < err.index("Continue? [y/N]")
    assert [(o["order"], o["ok"], o["code"]) for o in json.loads(result.stdout)] == [
        (2398, False, "not_invoiced"),
        (2401, True, None),
    ]
    assert err.endswith("1 backorder created, 1 refused\n")
    assert sample("check").exit_code == 0


@pytest.mark.usefixtures("at_terminal")  # a person would be asked
def test_invoice_all_with_every_order_refused_reports_each_once(
    sample: Run, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order picked by --all that the preview refuses (it changed in between; here
    #2392, invoiced already) is reported once, and nothing is asked."""
    from backorder_cli.services import orders as orders_service

    monkeypatch.setattr(orders_service, "uninvoiced_numbers", lambda db, customer=None: [2392])
    before = snapshot(target)
    result = sample("invoice", "--all", "--format", "json", input="")
    assert result.exit_code == 1
    assert [(o["order"], o["code"]) for o in json.loads(result.stdout)] == [
        (2392, "nothing_to_invoice")
    ]
    assert "Continue?" not in result.stderr
    assert result.stderr.count("Error: order #2392") == 1
    assert result.stderr.endswith("0 invoices created, 1 refused (1 already done)\n")
    assert snapshot(target) == before
