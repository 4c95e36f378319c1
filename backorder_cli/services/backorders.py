"""Backorders: preview and create, one order or many."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    update,
)

from ..domain.backorders import (
    BackorderPlan,
    backorder_comment,
    plan_backorder,
)
from ..domain.money import split_amount
from ..domain.orders import Status, order_total, remaining
from ..domain.values import ZERO, quantities_text
from ..errors import BackorderError, NotAllowed
from ..storage.database import Database
from ..storage.models import (
    Money,
    Quantity,
    UtcDateTime,
    utcnow,
)
from .billing import _INVOICE_LINE_FULLY, _invoice_rows, _write_invoice
from .results import (
    BackorderOutcome,
    BackorderPreview,
    BackorderResult,
)
from .steps import (
    _FIRST_BACKORDER,
    _INSERT_LINES,
    _INSERT_ORDER,
    _LINES_OF_ORDER,
    _ORDER_BY_NUMBER,
    _ORDER_BY_NUMBER_FOR_UPDATE,
    _PEEK_NUMBER,
    _SETTING,
    LINES,
    ORDERS,
    _Line,
    _next_number,
    _order_not_found,
    _record,
    _within_series,
)

_CANCEL_LINE = (
    update(LINES)
    .where(LINES.c.id == bindparam("line"))
    .values(
        canceled=LINES.c.canceled + bindparam("moved", type_=Quantity),
        backordered=LINES.c.backordered + bindparam("moved", type_=Quantity),
        amount=bindparam("kept", type_=Money),
        backordered_amount=LINES.c.backordered_amount + bindparam("moved_amount", type_=Money),
    )
)
_CLOSE_ORDER = (
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("order_id"))
    .values(
        status=bindparam("status"),
        archived=bindparam("archived"),
        total=bindparam("total", type_=Money),
        updated_at=bindparam("updated_at", type_=UtcDateTime),
    )
)


def _plan_backorder(
    conn: Connection, number: int, *, invoice_first: bool, lock: bool
) -> tuple[Any, Sequence[Any], BackorderPlan[Any]]:
    """Load the order and its lines as rows (no ORM objects: the bulk path is hot) and
    let the domain decide. `lock` takes the order's row lock first (see `_find_order`)."""
    order = conn.execute(
        _ORDER_BY_NUMBER_FOR_UPDATE if lock else _ORDER_BY_NUMBER, {"number": number}
    ).first()
    if order is None:
        raise _order_not_found(number)
    lines = conn.execute(_LINES_OF_ORDER, {"order_id": order.id}).all()
    setting = conn.execute(_SETTING, {"key": "inventory-value-on-invoicing"}).scalar()
    backordered_as = None
    if order.status == Status.CANCELED:
        backordered_as = conn.execute(_FIRST_BACKORDER, {"number": number}).scalar()
    plan = plan_backorder(
        order,
        lines,
        inventory_value_on_invoicing=setting == "on",
        invoice_first=invoice_first,
        backordered_as=backordered_as,
    )
    return order, lines, plan


def _backorder_preview(
    conn: Connection, order: Any, plan: BackorderPlan[Any], next_number: int
) -> BackorderPreview:
    """The plan as shown to the user: what the preview returns and what a confirmed run
    compares its fresh plan with (the invoice first billed by the split rule)."""
    return BackorderPreview(
        number=order.number,
        customer=order.customer,
        next_number=next_number,
        moves=plan.moves,
        to_invoice=_invoice_rows(conn, plan.to_invoice),
    )


def changed_while_answering(number: int) -> NotAllowed:
    """The refusal of a confirmed run whose fresh plan is not the one shown."""
    return NotAllowed(
        f"order #{number} changed while you were answering - run the command again", code="changed"
    )


class _NumberTaken(NotAllowed):
    """`changed_while_answering` because another user took the number shown: `got` is
    the number this order would have had (a batch counts on from it)."""

    def __init__(self, number: int, got: int) -> None:
        super().__init__(changed_while_answering(number).message, code="changed")
        self.got = got


def preview_backorder(
    db: Database, number: int, *, invoice_first: bool = False
) -> BackorderPreview:
    """What `create_backorder` would do, refusals included, without writing anything.
    Pass it back as `expected=` to refuse the run if the order changed meanwhile."""
    with db.read() as session:
        order, _, plan = _plan_backorder(
            session.connection(), number, invoice_first=invoice_first, lock=False
        )
        next_number = _within_series(
            "order", int(session.connection().execute(_PEEK_NUMBER["order"]).scalar_one())
        )
        return _backorder_preview(session.connection(), order, plan, next_number)


def create_backorder(
    db: Database,
    number: int,
    *,
    invoice_first: bool = False,
    expected: BackorderPreview | None = None,
) -> BackorderResult:
    """Split a partially shipped order: cancel what was not delivered on the original,
    which becomes canceled and archived, and open a new order for exactly that.

    With `invoice_first`, uninvoiced shipped quantities are invoiced first, in the same
    transaction. All of it commits, or nothing. With `expected` (the preview the user
    confirmed), the run is refused unless it does exactly that: same moves, same
    invoice, same new number.
    """
    with db.write() as session:
        return _create_backorder(
            session.connection(), number, invoice_first=invoice_first, expected=expected
        )


def _create_backorder(
    conn: Connection,
    number: int,
    *,
    invoice_first: bool,
    expected: BackorderPreview | None = None,
) -> BackorderResult:
    """The backorder itself, inside the caller's transaction. Written in SQLAlchemy
    Core, a handful of prepared statements: bulk runs do this thousands of times."""
    order, lines, plan = _plan_backorder(conn, number, invoice_first=invoice_first, lock=True)
    if (
        expected is not None
        and _backorder_preview(conn, order, plan, expected.next_number) != expected
    ):
        raise changed_while_answering(number)
    invoice = None
    if plan.to_invoice:
        invoice = _write_invoice(conn, order.id, plan.to_invoice)
        conn.execute(_INVOICE_LINE_FULLY, [{"line": line.id} for line, _q in plan.to_invoice])
    now = utcnow()
    moves = [(line, remaining(line)) for line in lines if remaining(line) > 0]
    amounts = {line.id: split_amount(line, moved) for line, moved in moves}
    new_lines = [
        _Line(
            line.sku,
            line.name,
            line.unit,
            moved,
            ZERO,
            ZERO,
            ZERO,
            line.unit_price,
            amount=amounts[line.id][1],
        )
        for line, moved in moves
    ]
    new_number = _next_number(conn, "order")
    if expected is not None and new_number != expected.next_number:
        # Another order took the number shown; the caller's rollback undoes the invoice.
        raise _NumberTaken(number, new_number)
    new_id = conn.execute(
        _INSERT_ORDER,
        {
            "number": new_number,
            "customer": order.customer,
            # The backorder delivers for the same customer, to the same place, under
            # the same reference and policy, in the same place in the queue.
            "customer_id": order.customer_id,
            "address": order.address,
            "reference": order.reference,
            "policy": order.policy,
            "priority": order.priority,
            "comment": backorder_comment(order.number),
            "status": Status.BOOKED.value,
            "archived": False,
            "backorder_of": order.number,
            "total": order_total(new_lines),
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    conn.execute(
        _INSERT_LINES,
        [
            {
                "order_id": new_id,
                "position": position,
                "sku": ln.sku,
                "name": ln.name,
                "unit": ln.unit,
                "quantity": ln.quantity,
                "shipped": ZERO,
                "invoiced": ZERO,
                "canceled": ZERO,
                "unit_price": ln.unit_price,
                "amount": ln.amount,
                "backordered": ZERO,
                "backordered_amount": ZERO,
            }
            for position, ln in enumerate(new_lines, start=1)
        ],
    )
    conn.execute(
        _CANCEL_LINE,
        [
            {
                "line": line.id,
                "moved": moved,
                "kept": amounts[line.id][0],
                "moved_amount": amounts[line.id][1],
            }
            for line, moved in moves
        ],
    )
    remaining_after = [
        _Line(
            ln.sku,
            ln.name,
            ln.unit,
            ln.quantity,
            ln.shipped,
            ln.shipped,
            ln.quantity - ln.shipped,
            ln.unit_price,
            amount=amounts[ln.id][0] if ln.id in amounts else ln.amount,
        )
        for ln in lines
    ]
    conn.execute(
        _CLOSE_ORDER,
        {
            "order_id": order.id,
            "status": Status.CANCELED.value,
            "archived": True,
            "total": order_total(remaining_after),
            "updated_at": now,
        },
    )
    moved_text = quantities_text((m.sku, m.quantity) for m in plan.moves)
    _record(
        conn,
        (
            order.id,
            "backordered",
            f"canceled {moved_text} and moved them to backorder #{new_number}; "
            "order canceled and archived",
        ),
        (new_id, "created", f"as backorder of order #{order.number}: {moved_text}"),
    )
    return BackorderResult(order.number, new_number, plan.moves, invoice)


def create_backorders(
    db: Database,
    numbers: Iterable[int],
    *,
    invoice_first: bool = False,
    expected: dict[int, BackorderPreview] | None = None,
) -> Iterator[BackorderOutcome]:
    """Backorder each order in its own transaction: a refused order is reported and
    the others go on. Rerunning is safe: a done order is refused as already backordered.

    `expected` holds the previews the user confirmed (`preview_backorders`): an order
    whose fresh plan differs is refused (`create_backorder`). The numbers shown count on
    as the run goes: an order refused in this run takes no number, so the later ones
    count one lower; when another user took numbers meanwhile, the order that meets it
    is refused and the later ones count on from the number it would have had (one
    change refuses one order, not the rest of a long batch).
    """
    shift = 0
    for number in numbers:
        shown = expected.get(number) if expected is not None else None
        if shown is not None:
            shown = dataclasses.replace(shown, next_number=shown.next_number + shift)
        try:
            with db.write() as session:  # one transaction per order
                result = _create_backorder(
                    session.connection(), number, invoice_first=invoice_first, expected=shown
                )
        except BackorderError as exc:
            if shown is not None:
                shift -= 1  # took no number
                if isinstance(exc, _NumberTaken):
                    shift += exc.got - shown.next_number
            yield BackorderOutcome(number, False, error=exc.message, code=exc.code)
            continue
        invoice = result.invoice
        yield BackorderOutcome(
            number,
            True,
            backorder=result.backorder,
            invoice=invoice.number if invoice else None,
            invoice_total=invoice.total if invoice else None,
        )


def preview_backorders(
    db: Database, numbers: Iterable[int], *, invoice_first: bool = False
) -> Iterator[BackorderPreview | BackorderOutcome]:
    """The plan of every order, or the refusal it would get; writes nothing.

    The new numbers are counted on from the next free one, as a real run would take them.
    """
    offset = 0
    for number in numbers:
        try:
            preview = preview_backorder(db, number, invoice_first=invoice_first)
        except BackorderError as exc:
            yield BackorderOutcome(number, False, error=exc.message, code=exc.code)
        else:
            yield dataclasses.replace(preview, next_number=preview.next_number + offset)
            offset += 1
