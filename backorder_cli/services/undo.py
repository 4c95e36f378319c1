"""After a backorder: undo it, and walk its chain."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    func,
)
from sqlmodel import Session, select

from ..domain.backorders import (
    plan_undo,
    undone_comment,
)
from ..domain.money import given_back_amount
from ..domain.orders import Status, remaining
from ..domain.values import ZERO, parse_text
from ..storage.database import Database
from ..storage.models import (
    History,
    Invoice,
    Order,
    OrderLine,
)
from .backorders import changed_while_answering
from .results import (
    ChainLink,
    UndoPreview,
    UndoResult,
)
from .steps import (
    _chain_numbers,
    _find_order,
    _lines,
    _list_in,
    _order_or_none,
    _record,
    _refresh,
)


def _undo_plan(
    session: Session, number: int, *, lock: bool
) -> tuple[Order, list[OrderLine], Order | None, list[tuple[OrderLine, Decimal]]]:
    backorder = _find_order(session, number, lock=lock)
    lines = _lines(session, backorder)
    invoiced = (
        session.exec(select(Invoice.id).where(Invoice.order_id == backorder.id).limit(1)).first()
        is not None
    )
    origin = None
    undone_at = None
    if backorder.backorder_of is not None:
        origin = _order_or_none(session, backorder.backorder_of, lock=lock)
    else:
        undone_at = session.exec(
            select(func.max(History.at)).where(
                History.order_id == backorder.id, History.event == "undone"
            )
        ).one()
    plan = plan_undo(
        backorder,
        backorder.backorder_of,
        lines,
        invoiced=invoiced,
        origin=origin,
        origin_lines=_lines(session, origin) if origin is not None else [],
        undone_at=undone_at,
    )
    return backorder, lines, origin, plan


def _undo_preview(backorder: Order, plan: list[tuple[OrderLine, Decimal]]) -> UndoPreview:
    assert backorder.backorder_of is not None
    return UndoPreview(
        backorder.number,
        backorder.backorder_of,
        backorder.customer,
        [(ln.sku, q) for ln, q in plan],
    )


def preview_undo(db: Database, number: int) -> UndoPreview:
    """What `undo_backorder` would give back, refusals included; writes nothing.
    Pass it back as `expected=` to refuse the undo if anything changed meanwhile."""
    with db.read() as session:
        backorder, _, _, plan = _undo_plan(session, number, lock=False)
        return _undo_preview(backorder, plan)


def undo_backorder(
    db: Database,
    number: int,
    *,
    reason: str = "made by mistake",
    expected: UndoPreview | None = None,
) -> UndoResult:
    """Reverse a backorder made by mistake, while it has no shipment and no invoice.

    The origin gets its canceled quantities back, leaves the archive and returns to
    partially shipped (its status follows its lines again); the backorder becomes
    canceled and archived, its comment saying why, and stops being a backorder of the
    origin (so the origin can be backordered again and the chain shows what stands).
    Both histories record it. One transaction. With `expected` (the preview the user
    confirmed), refused unless it gives back exactly that.
    """
    reason = parse_text(reason, what="reason", required=True, limit=200)
    with db.write() as session:
        backorder, lines, origin, plan = _undo_plan(session, number, lock=True)
        if expected is not None and _undo_preview(backorder, plan) != expected:
            raise changed_while_answering(number)
        assert origin is not None and origin.id is not None and backorder.id is not None
        for line, quantity in plan:
            back = given_back_amount(line, quantity)
            line.amount += back
            line.backordered_amount -= back
            line.canceled -= quantity
            line.backordered -= quantity
            session.add(line)
        origin_lines = _lines(session, origin)
        origin.status = Status.BOOKED.value  # a decision undone: the lines decide again
        origin.archived = False
        _refresh(session, origin, origin_lines)
        for line in lines:
            line.canceled_with_order += line.quantity - line.canceled
            line.canceled = line.quantity
            line.amount = ZERO  # its money went back with its units
            session.add(line)
        backorder.comment = undone_comment(origin.number, reason)
        backorder.status = Status.CANCELED.value
        backorder.archived = True
        backorder.backorder_of = None
        _refresh(session, backorder, lines)
        given = [(ln.sku, q) for ln, q in plan]
        _record(
            session.connection(),
            (
                origin.id,
                "backorder undone",
                f"backorder #{backorder.number} undone ({reason}): {_list_in(plan)} back on "
                "this order; order no longer canceled or archived",
            ),
            (
                backorder.id,
                "undone",
                f"as backorder of order #{origin.number} ({reason}): {_list_in(plan)} went back "
                f"to #{origin.number}; canceled and archived",
            ),
        )
        return UndoResult(backorder.number, origin.number, origin.status, given)


def order_chain(db: Database, number: int) -> list[ChainLink]:
    """The whole backorder chain `number` belongs to, oldest first."""
    with db.read() as session:
        _find_order(session, number)
        links = []
        for n in _chain_numbers(session.connection(), number):
            order = _find_order(session, n)
            rest = [(ln.sku, remaining(ln)) for ln in _lines(session, order) if remaining(ln) > 0]
            links.append(
                ChainLink(
                    order.number,
                    order.status,
                    order.archived,
                    order.customer,
                    order.backorder_of,
                    order.created_at,
                    rest,
                )
            )
        return links
