"""Backorders: preview and create, one order or many."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
)
from sqlmodel import Session

from ..domain.backorders import (
    BackorderPlan,
    plan_backorder,
)
from ..domain.orders import Status
from ..errors import BackorderError, NotAllowed
from ..storage.database import Database
from .billing import _invoice_rows
from .groups import Grouped, group_of
from .results import (
    BackorderOutcome,
    BackorderPreview,
    BackorderResult,
)
from .splits import _load_group, _Split, _write_backorders
from .steps import (
    _FIRST_BACKORDER,
    _LINES_OF_ORDER,
    _ORDER_BY_NUMBER,
    _ORDER_BY_NUMBER_FOR_UPDATE,
    _PEEK_NUMBER,
    _SETTING,
    _first_free,
    _next_number,
    _order_not_found,
    _take_numbers,
    _within_series,
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
    """One backorder, inside the caller's transaction (`_write_backorders` does the
    writing, as for a group)."""
    order, lines, plan = _plan_backorder(conn, number, invoice_first=invoice_first, lock=True)
    if (
        expected is not None
        and _backorder_preview(conn, order, plan, expected.next_number) != expected
    ):
        raise changed_while_answering(number)
    new_number = _next_number(conn, "order")
    if expected is not None and new_number != expected.next_number:
        raise _NumberTaken(number, new_number)  # another order took the number shown
    (result,) = _write_backorders(conn, [_Split(order, lines, plan, new_number)])
    return result


def create_backorders(
    db: Database,
    numbers: Iterable[int],
    *,
    invoice_first: bool = False,
    expected: dict[int, BackorderPreview] | None = None,
) -> Grouped[BackorderOutcome]:
    """Backorder each order, in groups (`services.groups`): a refused order is reported
    and the others go on, and each outcome is given out once its group is committed.
    Rerunning is safe: a done order is refused as already backordered.

    A group is planned before anything is written: its orders and lines are read (and
    locked) in two statements, the domain plans each order, and every refusal is known
    then, so a refused order writes nothing and the others are written together
    (`_write_backorders`). Any other error rolls back the group in flight.

    `expected` holds the previews the user confirmed (`preview_backorders`): an order
    whose fresh plan differs is refused (`create_backorder`). The numbers shown count on
    as the run goes: an order refused in this run takes no number, so the later ones
    count one lower; when another user took numbers meanwhile, the order that meets it
    is refused and the later ones count on from the number it would have had (one
    change refuses one order, not the rest of a long batch).
    """
    shift = 0

    def write(session: Session, pending: Iterator[int]) -> list[BackorderOutcome]:
        nonlocal shift
        conn = session.connection()
        group = list(group_of(pending))
        found, lines_of = _load_group(conn, group)
        setting = conn.execute(_SETTING, {"key": "inventory-value-on-invoicing"}).scalar()
        next_free = _first_free(conn, "order")
        outcomes: list[BackorderOutcome | _Split | int] = []
        seen: set[int] = set()
        for number in group:
            if number in seen:  # twice in one group: planned after the first is written
                outcomes.append(number)
                continue
            seen.add(number)
            shown = expected.get(number) if expected is not None else None
            if shown is not None:
                shown = dataclasses.replace(shown, next_number=shown.next_number + shift)
            try:
                order = found.get(number)
                if order is None:
                    raise _order_not_found(number)
                lines = lines_of.get(order.id, [])
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
                if (
                    shown is not None
                    and _backorder_preview(conn, order, plan, shown.next_number) != shown
                ):
                    raise changed_while_answering(number)
                new_number = _within_series("order", next_free)
                if shown is not None and new_number != shown.next_number:
                    raise _NumberTaken(number, new_number)
            except BackorderError as exc:
                if shown is not None:
                    shift -= 1  # took no number
                    if isinstance(exc, _NumberTaken):
                        shift += exc.got - shown.next_number
                outcomes.append(BackorderOutcome(number, False, error=exc.message, code=exc.code))
                continue
            next_free += 1
            outcomes.append(_Split(order, lines, plan, new_number))
        splits = [o for o in outcomes if isinstance(o, _Split)]
        _take_numbers(conn, "order", len(splits))
        written = iter(_write_backorders(conn, splits) if splits else [])
        return [
            o
            if isinstance(o, BackorderOutcome)
            else _again(conn, o, invoice_first)
            if isinstance(o, int)
            else _done(next(written))
            for o in outcomes
        ]

    return Grouped(db, write, numbers)


def _again(conn: Connection, number: int, invoice_first: bool) -> BackorderOutcome:
    """An order named a second time in one group, planned after the group's writes: the
    refusal it gets then (already backordered, or the first one's refusal again)."""
    try:
        _plan_backorder(conn, number, invoice_first=invoice_first, lock=True)
    except BackorderError as exc:
        return BackorderOutcome(number, False, error=exc.message, code=exc.code)
    changed = changed_while_answering(number)  # its first time was refused, not this one
    return BackorderOutcome(number, False, error=changed.message, code=changed.code)


def _done(result: BackorderResult) -> BackorderOutcome:
    invoice = result.invoice
    return BackorderOutcome(
        result.original,
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
