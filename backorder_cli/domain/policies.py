"""Fulfilment policies: what a shipment that leaves something to follow does next.

Each customer has a policy (`customers.Policy`), and an order may override it.
`ship`, `ship --available` and `ready --ship` apply the order's effective policy
inside the shipment's own transaction:

- `manual` (the default): a partial shipment leaves the order partially shipped, until
  someone runs `create` or `close`;
- `backorder`: a partial shipment invoices what shipped and moves the rest to a
  backorder (the rules of `create --invoice`; when they refuse, the shipment is refused);
- `cancel-rest`: a partial shipment closes the rest short (the rules of `close`);
- `ship-complete`: a partial shipment is refused unless forced; `ready` lists such an
  order only when stock covers all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from ..errors import NotAllowed
from .customers import DEFAULT_POLICY, Policy
from .orders import LineLike, remaining
from .values import quantities_text


def effective_policy(order_policy: str | None, customer_policy: str | None) -> Policy:
    """The policy an order follows: its own when it has one (not NULL, and not '': an
    order set to follow its customer again), else its customer's, else the default."""
    for policy in (order_policy, customer_policy):
        if policy:
            return Policy(policy)
    return DEFAULT_POLICY


class FollowUp(StrEnum):
    """What the policy does after a shipment: the step the service then writes."""

    NONE = "none"  # a complete shipment, or the manual policy
    BACKORDER = "backordered"  # invoice what shipped, move the rest to a backorder
    CLOSE = "closed"  # close the rest short
    FORCED = "forced"  # ship-complete, shipped in part anyway (--force)


def left_to_follow(
    lines: Sequence[LineLike], plan: Sequence[tuple[LineLike, Decimal]]
) -> list[tuple[LineLike, Decimal]]:
    """What would still remain on each line after shipping `plan`: (line, quantity) of
    the lines with something left. Empty when the shipment completes the order."""
    shipping: dict[int, Decimal] = {}
    for line, quantity in plan:
        shipping[id(line)] = shipping.get(id(line), Decimal(0)) + quantity
    left = [(line, remaining(line) - shipping.get(id(line), Decimal(0))) for line in lines]
    return [(line, q) for line, q in left if q > 0]


def plan_follow_up(
    number: int,
    rest: Sequence[tuple[LineLike, Decimal]],
    policy: Policy,
    *,
    force: bool = False,
    instead: str = "ship all of it at once",
) -> FollowUp:
    """Decide, before anything is written, what `policy` does after a shipment of order
    #`number` that leaves `rest` to follow (`left_to_follow`; none: the shipment
    completes the order and needs nothing). A ship-complete order shipped in part is
    refused unless `force`; `instead` is the way out the refusal names."""
    if not rest or policy == Policy.MANUAL:
        return FollowUp.NONE
    if policy == Policy.BACKORDER:
        return FollowUp.BACKORDER
    if policy == Policy.CANCEL_REST:
        return FollowUp.CLOSE
    if force:
        return FollowUp.FORCED
    raise NotAllowed(
        f"order #{number} ships complete only (policy ship-complete), and this shipment would "
        f"leave {quantities_text((line.sku, q) for line, q in rest)} to follow - {instead}",
        code="ship_complete",
    )


def refused_by_backorder(number: int, reason: NotAllowed) -> NotAllowed:
    """A partial shipment of a backorder-policy order whose backorder the rules refuse
    (`plan_backorder`): the shipment is refused as a whole, with the backorder's reason
    and its code."""
    what, _, fix = reason.message.partition(" - ")
    fix = f"{fix}, or ship all of it at once" if fix else "ship all of it at once"
    return NotAllowed(
        f"order #{number} cannot ship in part under its backorder policy: {what} - {fix}",
        code=reason.code,
    )
