"""The fulfilment policy rules on plain objects: parsing, which policy an order follows,
what it does after a shipment, and ship-complete orders in the allocation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backorder_cli.domain.backorders import allocate_lines
from backorder_cli.domain.customers import Policy
from backorder_cli.domain.policies import (
    FollowUp,
    effective_policy,
    left_to_follow,
    plan_follow_up,
    refused_by_backorder,
)
from backorder_cli.errors import NotAllowed
from tests.unit.test_domain import Line


def test_the_order_s_own_policy_wins_over_its_customer_s_and_manual_is_the_default() -> None:
    assert effective_policy("cancel-rest", "backorder") == Policy.CANCEL_REST
    assert effective_policy(None, "backorder") == Policy.BACKORDER
    assert effective_policy("", "backorder") == Policy.BACKORDER  # set to follow it again
    assert effective_policy(None, None) == Policy.MANUAL


def test_what_is_left_to_follow_is_what_remains_after_the_shipment() -> None:
    a, b = Line("A", D(10), shipped=D(2)), Line("B", D(3))
    assert left_to_follow([a, b], [(a, D(5)), (b, D(3))]) == [(a, D(3))]
    assert left_to_follow([a, b], [(a, D(8)), (b, D(3))]) == []


@pytest.mark.parametrize(
    ("policy", "step"),
    [
        (Policy.MANUAL, FollowUp.NONE),
        (Policy.BACKORDER, FollowUp.BACKORDER),
        (Policy.CANCEL_REST, FollowUp.CLOSE),
    ],
)
def test_a_partial_shipment_follows_the_policy(policy: Policy, step: FollowUp) -> None:
    a = Line("A", D(10))
    assert plan_follow_up(2401, [(a, D(4))], policy) == step


@pytest.mark.parametrize("policy", list(Policy))
def test_a_shipment_that_completes_the_order_needs_nothing(policy: Policy) -> None:
    assert plan_follow_up(2401, [], policy) == FollowUp.NONE


def test_ship_complete_refuses_a_partial_shipment_unless_forced() -> None:
    a = Line("A", D(10))
    with pytest.raises(NotAllowed, match=r"leave 4 x A to follow - use --force") as refused:
        plan_follow_up(2401, [(a, D(4))], Policy.SHIP_COMPLETE, instead="use --force")
    assert refused.value.code == "ship_complete"
    assert plan_follow_up(2401, [(a, D(4))], Policy.SHIP_COMPLETE, force=True) == FollowUp.FORCED


def test_a_refused_backorder_refuses_the_shipment_with_its_reason_and_code() -> None:
    reason = NotAllowed("backorders are off - turn them on", code="inventory_value_on_invoicing")
    refused = refused_by_backorder(2401, reason)
    assert refused.code == "inventory_value_on_invoicing"
    assert refused.message == (
        "order #2401 cannot ship in part under its backorder policy: backorders are off - "
        "turn them on, or ship all of it at once"
    )


def test_a_ship_complete_order_takes_stock_only_when_it_covers_all_of_it() -> None:
    orders = [
        (1, [(1, "A", D(4)), (2, "B", D(2))]),  # ship-complete: B is short, so nothing
        (2, [(1, "A", D(5))]),  # takes the A the first did not
        (3, [(1, "A", D(1)), (2, "A", D(1))]),  # ship-complete: needs 2 of A, 1 left
    ]
    found = list(allocate_lines(orders, {"A": D(6), "B": D(1)}, complete_only={1, 3}))
    assert found == [(2, [(1, "A", D(5))], [])]
    # Without the policy the first order takes its A and ships in part.
    plain = list(allocate_lines(orders, {"A": D(6), "B": D(1)}))
    assert plain[0] == (1, [(1, "A", D(4))], [(2, "B", D(2))])


def test_a_ship_complete_order_stock_covers_ships_in_full_and_uses_it_up() -> None:
    orders = [(1, [(1, "A", D(2)), (2, "A", D(3))]), (2, [(1, "A", D(1))])]
    found = list(allocate_lines(orders, {"A": D(5)}, complete_only={1}))
    assert found == [(1, [(1, "A", D(2)), (2, "A", D(3))], [])]
