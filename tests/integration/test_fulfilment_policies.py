"""Fulfilment policies on both backends: what `ship`, `ship --available` and `ready
--ship` do after a partial shipment under each policy, in the shipment's transaction;
refusals change nothing; `check` is clean after every write."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from backorder_cli.domain.values import Item
from backorder_cli.errors import BackorderError
from backorder_cli.services import catalogue, fulfilment, integrity, orders
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from tests.conftest import run_sql, snapshot

# Stock: A 6, B 10. #4001 (the older) wants 10 of A and 2 of B, #4002 3 of A.
COMPANY = {
    "products": [
        {"sku": "A", "name": "Part A", "price": "2.00", "stock": 6},
        {"sku": "B", "name": "Part B", "price": "1.50", "stock": 10},
    ],
    "orders": [
        {
            "number": 4001,
            "customer": "Alpha",
            "created_at": "2026-09-01T09:00:00Z",
            "lines": [{"sku": "A", "quantity": 10}, {"sku": "B", "quantity": 2}],
        },
        {
            "number": 4002,
            "customer": "Beta",
            "created_at": "2026-10-01T09:00:00Z",
            "lines": [{"sku": "A", "quantity": 3}],
        },
    ],
}

# The two ways of a partial shipment of #4001 that ship the same: 6 of A and 2 of B
# (all the A on hand), leaving 4 of A to follow.
HOW = {
    "items": [Item("A", D(6)), Item("B", D(2))],
    "available": None,
}


@pytest.fixture
def company(db: Database) -> Database:
    transfer_service.import_text(db, json.dumps(COMPANY), source="company.json")
    return db


def set_policy(target: str, number: int, policy: str | None) -> None:
    value = "NULL" if policy is None else f"'{policy}'"
    run_sql(target, f"UPDATE orders SET policy = {value} WHERE number = {number}")


def clean(db: Database) -> None:
    assert [str(v) for v in integrity.check_database(db)] == []


def refused(target: str, call: Callable[[], Any], match: str, code: str) -> None:
    before = snapshot(target)
    with pytest.raises(BackorderError, match=re.escape(match)) as caught:
        call()
    assert caught.value.code == code
    assert snapshot(target) == before


def stock(db: Database) -> dict[str, D]:
    return {p.sku: p.stock for p in catalogue.list_products(db)}


def events(db: Database, number: int) -> list[tuple[str, str]]:
    return [(h.event, h.detail) for h in orders.get_order(db, number).history]


# --- ship and ship --available -------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_manual_leaves_a_partial_shipment_partially_shipped(company: Database, how: str) -> None:
    result = fulfilment.ship(company, 4001, HOW[how])
    assert (result.status, result.then.policy, result.then.action) == (
        "partially_shipped",
        "manual",
        "none",
    )
    assert [o.number for o in orders.iter_orders(company)] == [4002, 4001]  # nothing new
    clean(company)


@pytest.mark.parametrize("how", HOW)
def test_backorder_invoices_what_shipped_and_moves_the_rest_to_a_backorder(
    company: Database, target: str, how: str
) -> None:
    set_policy(target, 4001, "backorder")
    result = fulfilment.ship(company, 4001, HOW[how])
    then = result.then
    assert (result.status, then.action, then.rest) == ("canceled", "backordered", [("A", D(4))])
    assert then.invoice_total == D("15.00")  # 6 x 2.00 + 2 x 1.50
    original = orders.get_order(company, 4001)
    assert (original.status, original.archived) == ("canceled", True)
    assert [i.number for i in original.invoices] == [then.invoice]
    backorder = orders.get_order(company, then.backorder)  # type: ignore[arg-type]
    assert (backorder.backorder_of, backorder.comment) == (4001, "Backorder from order #4001")
    assert [(ln.sku, ln.quantity) for ln in backorder.lines] == [("A", D(4))]
    assert [e for e, _d in events(company, 4001)][-3:] == ["shipped", "invoiced", "backordered"]
    assert events(company, 4001)[-3][1].endswith("(policy backorder)")
    assert stock(company) == {"A": D(0), "B": D(8)}
    clean(company)


@pytest.mark.parametrize("how", HOW)
def test_backorder_refused_by_its_own_rules_refuses_the_shipment_and_changes_nothing(
    company: Database, target: str, how: str
) -> None:
    set_policy(target, 4001, "backorder")
    catalogue.set_setting(company, "inventory-value-on-invoicing", "on")
    refused(
        target,
        lambda: fulfilment.ship(company, 4001, HOW[how]),
        "order #4001 cannot ship in part under its backorder policy: backorders are not "
        "possible while inventory value is associated with invoicing - turn it off with",
        code="inventory_value_on_invoicing",
    )


def test_backorder_policy_does_nothing_after_a_shipment_that_completes_the_order(
    company: Database, target: str
) -> None:
    set_policy(target, 4002, "backorder")
    result = fulfilment.ship(company, 4002, None)
    assert (result.status, result.then.action, result.then.backorder) == ("shipped", "none", None)
    assert orders.get_order(company, 4002).invoices == []
    clean(company)


@pytest.mark.parametrize("how", HOW)
def test_cancel_rest_closes_the_rest_short(company: Database, target: str, how: str) -> None:
    set_policy(target, 4001, "cancel-rest")
    result = fulfilment.ship(company, 4001, HOW[how])
    assert (result.status, result.then.action, result.then.rest) == (
        "shipped",
        "closed",
        [("A", D(4))],
    )
    line_a = orders.get_order(company, 4001).lines[0]
    assert (line_a.shipped, line_a.canceled, line_a.remaining) == (D(6), D(4), D(0))
    assert events(company, 4001)[-1] == (
        "closed",
        "closed short (policy cancel-rest): 4 x A canceled",
    )
    clean(company)


@pytest.mark.parametrize("how", HOW)
def test_ship_complete_refuses_a_partial_shipment_and_changes_nothing(
    company: Database, target: str, how: str
) -> None:
    set_policy(target, 4001, "ship-complete")
    refused(
        target,
        lambda: fulfilment.ship(company, 4001, HOW[how]),
        "order #4001 ships complete only (policy ship-complete), and this shipment would "
        "leave 4 x A to follow - ship all of it at once, or ship it in part anyway with --force",
        code="ship_complete",
    )


@pytest.mark.parametrize("how", HOW)
def test_ship_complete_forced_ships_in_part_and_says_so_in_the_history(
    company: Database, target: str, how: str
) -> None:
    set_policy(target, 4001, "ship-complete")
    result = fulfilment.ship(company, 4001, HOW[how], force=True)
    assert (result.status, result.then.action, result.then.rest) == (
        "partially_shipped",
        "forced",
        [("A", D(4))],
    )
    assert events(company, 4001)[-1] == (
        "shipped",
        "6 x A, 2 x B (in part, though policy ship-complete ships complete only: --force; "
        "4 x A to follow)",
    )
    clean(company)


def test_ship_complete_ships_a_complete_shipment(company: Database, target: str) -> None:
    set_policy(target, 4002, "ship-complete")
    result = fulfilment.ship(company, 4002, [Item("A", D(3))])
    assert (result.status, result.then.action) == ("shipped", "none")
    assert events(company, 4002)[-1] == ("shipped", "3 x A")  # nothing forced


# --- ready and ready --ship ----------------------------------------------------------


def shipped_by_ready(db: Database) -> list[tuple[int, bool, str | None, str, str | None]]:
    outcomes = fulfilment.ship_ready(db, fulfilment.ready_orders(db))
    return [(o.order, o.ok, o.status, o.then.action, o.code) for o in outcomes]


def test_ready_leaves_out_a_ship_complete_order_stock_covers_in_part(
    company: Database, target: str
) -> None:
    assert [(a.number, a.cover) for a in fulfilment.ready_orders(company)] == [
        (4001, "partial"),  # 2 of B; its 10 of A do not fit
        (4002, "full"),
    ]
    set_policy(target, 4001, "ship-complete")
    assert [(a.number, a.cover) for a in fulfilment.ready_orders(company)] == [(4002, "full")]
    assert shipped_by_ready(company) == [(4002, True, "shipped", "none", None)]
    assert stock(company) == {"A": D(3), "B": D(10)}  # its B stayed on the shelf
    clean(company)


def test_ready_ships_a_ship_complete_order_stock_covers_in_full(
    company: Database, target: str
) -> None:
    set_policy(target, 4001, "ship-complete")
    run_sql(target, "UPDATE product SET stock = 13000 WHERE sku = 'A'")  # 13: both fit
    assert shipped_by_ready(company) == [
        (4001, True, "shipped", "none", None),
        (4002, True, "shipped", "none", None),
    ]
    clean(company)


def test_ready_ship_refuses_an_order_made_ship_complete_since_it_was_listed(
    company: Database, target: str
) -> None:
    allocations = fulfilment.ready_orders(company)  # #4001 listed in part
    set_policy(target, 4001, "ship-complete")
    untouched = orders.get_order(company, 4001)
    outcomes = list(fulfilment.ship_ready(company, allocations))
    assert [(o.order, o.ok, o.code) for o in outcomes] == [
        (4001, False, "ship_complete"),
        (4002, True, None),
    ]
    assert outcomes[0].error == (
        "order #4001 ships complete only (policy ship-complete), and this shipment would "
        "leave 10 x A to follow - run `backorder ready` again"
    )
    assert orders.get_order(company, 4001) == untouched
    clean(company)


def test_ready_ship_backorders_the_rest_of_a_backorder_policy_order(
    company: Database, target: str
) -> None:
    set_policy(target, 4001, "backorder")
    outcomes = list(fulfilment.ship_ready(company, fulfilment.ready_orders(company)))
    first = outcomes[0]
    assert (first.order, first.ok, first.status, first.shipped) == (
        4001,
        True,
        "canceled",
        [("B", D(2))],
    )
    assert (first.then.action, first.then.rest, first.then.invoice_total) == (
        "backordered",
        [("A", D(10))],
        D("3.00"),
    )
    backorder = orders.get_order(company, first.then.backorder)  # type: ignore[arg-type]
    assert [(ln.sku, ln.quantity) for ln in backorder.lines] == [("A", D(10))]
    assert (outcomes[1].order, outcomes[1].ok) == (4002, True)
    clean(company)


def test_ready_ship_refuses_a_backorder_policy_order_its_backorder_refuses(
    company: Database, target: str
) -> None:
    set_policy(target, 4001, "backorder")
    catalogue.set_setting(company, "inventory-value-on-invoicing", "on")
    untouched = orders.get_order(company, 4001)
    assert shipped_by_ready(company) == [
        (4001, False, None, "none", "inventory_value_on_invoicing"),
        (4002, True, "shipped", "none", None),
    ]
    assert orders.get_order(company, 4001) == untouched
    assert stock(company) == {"A": D(3), "B": D(10)}
    clean(company)


def test_ready_ship_closes_the_rest_of_a_cancel_rest_order(company: Database, target: str) -> None:
    set_policy(target, 4001, "cancel-rest")
    assert shipped_by_ready(company) == [
        (4001, True, "shipped", "closed", None),
        (4002, True, "shipped", "none", None),
    ]
    assert events(company, 4001)[-2:] == [
        ("shipped", "2 x B (ready; policy cancel-rest)"),
        ("closed", "closed short (policy cancel-rest): 10 x A canceled"),
    ]
    clean(company)


# --- whose policy --------------------------------------------------------------------


def test_an_order_follows_its_customer_s_policy_unless_it_has_its_own(
    company: Database, target: str
) -> None:
    run_sql(target, "UPDATE customers SET policy = 'ship-complete' WHERE name = 'Alpha'")
    refused(
        target,
        lambda: fulfilment.ship(company, 4001, None),
        "order #4001 ships complete only (policy ship-complete)",
        code="ship_complete",
    )
    set_policy(target, 4001, "")  # '': follows its customer's again (`orders edit`)
    assert [a.number for a in fulfilment.ready_orders(company)] == [4002]
    set_policy(target, 4001, "manual")  # its own wins
    assert [a.number for a in fulfilment.ready_orders(company)] == [4001, 4002]
    result = fulfilment.ship(company, 4001, None)
    assert (result.status, result.then.policy, result.then.action) == (
        "partially_shipped",
        "manual",
        "none",
    )
    clean(company)
