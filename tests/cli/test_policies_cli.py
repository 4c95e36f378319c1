"""What `ship` and `ready --ship` say about the fulfilment policy they applied, in text
and JSON, and a refusal's one line and exit code (in-process, on SQLite and PostgreSQL).
The rules themselves: tests/integration/test_fulfilment_policies.py."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot
from tests.integration.test_fulfilment_policies import company, set_policy

Run = Callable[..., Result]

__all__ = ["company"]  # the fixture, shared with the service tests


@pytest.fixture
def shop(company: Database, cli: Run) -> Run:
    return cli


def checked(cli: Run) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output


def test_ship_says_what_the_backorder_policy_did(shop: Run, target: str) -> None:
    set_policy(target, 4001, "backorder")
    result = shop("ship", "4001", "A=6", "B=2")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        "Shipped 6 x A, 2 x B on order #4001 (now canceled). Policy backorder: invoice #1 "
        "(total 15.00) billed what shipped, and 4 x A moved to backorder #4003.\n"
    )
    checked(shop)


def test_ship_json_carries_the_policy_and_what_it_did(shop: Run, target: str) -> None:
    set_policy(target, 4001, "cancel-rest")
    result = shop("ship", "4001", "--available", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "number": 4001,
        "status": "shipped",
        "shipped": [{"sku": "A", "quantity": 6}, {"sku": "B", "quantity": 2}],
        "policy": "cancel-rest",
        "action": "closed",
        "rest": [{"sku": "A", "quantity": 4}],
        "backorder": None,
        "invoice": None,
        "invoice_total": None,
    }
    checked(shop)


def test_ship_complete_refusal_is_one_line_and_force_ships_and_says_so(
    shop: Run, target: str
) -> None:
    set_policy(target, 4001, "ship-complete")
    before = snapshot(target)
    refused = shop("ship", "4001", "--available", "-f", "json")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: order #4001 ships complete only (policy ship-complete), and this shipment "
        "would leave 4 x A to follow - ship all of it at once, or ship it in part anyway with "
        "--force\n"
    )
    assert json.loads(refused.stdout)["code"] == "ship_complete"
    assert snapshot(target) == before
    forced = shop("ship", "4001", "--available", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stderr == (
        "Shipped 6 x A, 2 x B on order #4001 (now partially shipped). Policy ship-complete "
        "overridden with --force: 4 x A still to follow (recorded in the order's history).\n"
    )
    checked(shop)


def test_ready_ship_says_what_each_order_s_policy_did(shop: Run, target: str) -> None:
    set_policy(target, 4001, "backorder")
    result = shop("ready", "--ship", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Shipped order #4001 in part: 2 x B (now canceled). Policy backorder: invoice #1 "
        "(total 3.00) billed what shipped, and 10 x A moved to backorder #4003.",
        "Shipped order #4002 in full: 3 x A (now shipped).",
    ]
    checked(shop)


def test_ready_ship_json_carries_the_policy_fields(shop: Run, target: str) -> None:
    set_policy(target, 4001, "cancel-rest")
    run_sql(target, "UPDATE product SET stock = 0 WHERE sku = 'A'")  # only #4001's B ships
    result = shop("ready", "--ship", "--yes", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "order": 4001,
            "ok": True,
            "cover": "partial",
            "status": "shipped",
            "shipped": [{"sku": "B", "quantity": 2}],
            "error": None,
            "code": None,
            "policy": "cancel-rest",
            "action": "closed",
            "rest": [{"sku": "A", "quantity": 10}],
            "backorder": None,
            "invoice": None,
            "invoice_total": None,
        }
    ]
    checked(shop)
