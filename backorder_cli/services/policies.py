"""Fulfilment policies at work: which policy an order follows, and the step it takes
after a shipment, inside the shipment's transaction (`domain.policies` decides).

The steps are those of the use cases themselves, not copies: a backorder is made by
`create --invoice`'s own code (`backorders._create_backorder`), the rest is closed by
`close`'s (`corrections.close_short`).
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from ..domain.corrections import plan_close
from ..domain.customers import Policy
from ..domain.policies import FollowUp, effective_policy, refused_by_backorder
from ..domain.values import quantities_text
from ..errors import NotAllowed
from ..storage.models import Customer, Order, OrderLine
from .backorders import _create_backorder
from .corrections import close_short
from .results import FollowUpResult


def policy_of(session: Session, order: Order) -> Policy:
    """The policy `order` follows: its own, else its customer's (`effective_policy`)."""
    customer_policy = None
    if not order.policy:
        customer_policy = session.exec(
            select(Customer.policy).where(Customer.id == order.customer_id)
        ).first()
    return effective_policy(order.policy, customer_policy)


def shipment_note(policy: Policy, step: FollowUp, rest: list[tuple[str, Decimal]]) -> str:
    """What the shipment's history entry says about the policy ("" when it does
    nothing): which one acted, or that a ship-complete order shipped in part anyway
    (--force), with what is left to follow."""
    if step == FollowUp.NONE:
        return ""
    if step == FollowUp.FORCED:
        left = quantities_text(rest)
        return f"in part, though policy {policy} ships complete only: --force; {left} to follow"
    return f"policy {policy}"


def follow_up(
    session: Session,
    order: Order,
    lines: list[OrderLine],
    policy: Policy,
    step: FollowUp,
    rest: list[tuple[str, Decimal]],
) -> FollowUpResult:
    """Take the policy's step after the shipment just written on `order`, in the same
    transaction: a refusal (a backorder the rules refuse) undoes the shipment too."""
    if step in (FollowUp.NONE, FollowUp.FORCED):
        return FollowUpResult(policy.value, step.value, list(rest))
    if step == FollowUp.CLOSE:
        plan = plan_close(order, lines, [])
        close_short(session, order, lines, plan, f"policy {policy}")
        return FollowUpResult(policy.value, step.value, [(ln.sku, q) for ln, q in plan])
    session.flush()  # the shipment, which the backorder reads past the ORM
    try:
        made = _create_backorder(session.connection(), order.number, invoice_first=True)
    except NotAllowed as exc:
        raise refused_by_backorder(order.number, exc) from None
    session.expire_all()  # the backorder changed the order past the ORM: read it afresh
    invoice = made.invoice
    return FollowUpResult(
        policy.value,
        step.value,
        [(m.sku, m.quantity) for m in made.moves],
        backorder=made.backorder,
        invoice=invoice.number if invoice else None,
        invoice_total=invoice.total if invoice else None,
    )
