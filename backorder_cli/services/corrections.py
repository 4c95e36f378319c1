"""Corrections of orders: cancel orders, close short, edit an order, unship (stock
counts: `services.stock`).

Each use case plans with the domain's rules (`domain.corrections`) and, unless it is a
dry run, writes the change and its history entry (who, when, why) in ONE transaction.
A dry run plans the same way in a read transaction and writes nothing. With `expected`
(the dry run the user confirmed), a run is refused unless it does exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlmodel import Session, func, select

from ..domain.corrections import (
    cut_amount,
    edit_text,
    edited_amount,
    edited_canceled_amount,
    plan_cancel,
    plan_close,
    plan_edit,
    plan_unship,
)
from ..domain.customers import parse_name, parse_order_policy, parse_reference
from ..domain.money import line_amount
from ..domain.orders import Status
from ..domain.values import ZERO, Item, check_order_value, parse_text
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.models import Order, OrderLine
from .backorders import changed_while_answering
from .correcting import _billed, _correction, _reason, _why, run_correction
from .customers import customer_for_order
from .results import Correction
from .steps import (
    _find_order,
    _lines,
    _list_in,
    _record,
    _refresh,
    _stock,
    _unknown_sku,
)

# --- orders cancel -------------------------------------------------------------------


def cancel_orders(
    db: Database,
    numbers: Sequence[int],
    *,
    reason: str | None = None,
    dry_run: bool = False,
    expected: list[Correction] | None = None,
) -> list[Correction]:
    """Cancel draft or booked orders with nothing shipped, all in one transaction (one
    refusal and none is canceled): their remaining quantities are canceled with the
    order, their money leaves with them, and each becomes canceled (not archived)."""
    why = _reason(reason)
    numbers = list(dict.fromkeys(numbers))

    def work(session: Session, write: bool) -> list[Correction]:
        done: dict[int, Correction] = {}
        # Locked in number order, so two cancels of the same orders never wait in a circle.
        for number in sorted(numbers):
            order = _find_order(session, number, lock=write)
            lines = _lines(session, order)
            plan = plan_cancel(order, lines)
            for line, quantity in plan:
                line.canceled += quantity
                line.canceled_with_order += quantity
                line.canceled_amount += line.amount
                line.amount = ZERO
                session.add(line)
            order.status = Status.CANCELED.value
            _refresh(session, order, lines)
            if write:
                assert order.id is not None
                detail = f"canceled{_why(why)}" + (f": {_list_in(plan)}" if plan else "")
                _record(session.connection(), (order.id, "canceled", detail))
            done[number] = _correction(order, "canceled", plan, why)
        return [done[number] for number in numbers]

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: changed_while_answering(numbers[0]),
    )


# --- close ---------------------------------------------------------------------------


def close_order(
    db: Database,
    number: int,
    skus: Sequence[str] = (),
    *,
    reason: str | None = None,
    dry_run: bool = False,
    expected: Correction | None = None,
) -> Correction:
    """Close short: cancel the remaining quantity of the named lines (every line when
    none is named) of a booked or partially shipped order. Each line's money is cut by
    the split rule; the order's status follows from its lines."""
    why = _reason(reason)

    def work(session: Session, write: bool) -> Correction:
        order = _find_order(session, number, lock=write)
        lines = _lines(session, order)
        plan = plan_close(order, lines, list(skus))
        close_short(session, order, lines, plan, why, write=write)
        return _correction(order, "closed", plan, why)

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: changed_while_answering(number),
    )


def close_short(
    session: Session,
    order: Order,
    lines: list[OrderLine],
    plan: list[tuple[OrderLine, Decimal]],
    why: str,
    *,
    write: bool = True,
) -> None:
    """Write a planned close (`domain.plan_close`) inside the caller's transaction: the
    lines' canceled quantities and money, the status, and (`write`) the history entry
    with `why`. `close` and the cancel-rest policy of `ship` both close this way."""
    billed = _billed(session, [line for line, _q in plan])
    for line, quantity in plan:
        assert line.id is not None
        kept, gone = cut_amount(line, quantity, billed.get(line.id, ZERO))
        line.amount = kept
        line.canceled_amount += gone
        line.canceled += quantity
        line.closed += quantity
        session.add(line)
    _refresh(session, order, lines)
    if write:
        assert order.id is not None
        _record(
            session.connection(),
            (order.id, "closed", f"closed short{_why(why)}: {_list_in(plan)} canceled"),
        )


# --- unship --------------------------------------------------------------------------


def unship(
    db: Database,
    number: int,
    items: Sequence[Item],
    *,
    reason: str | None = None,
    dry_run: bool = False,
    expected: Correction | None = None,
) -> Correction:
    """Reverse a shipment recorded by mistake: shipped quantities not yet invoiced go
    back, stock on hand goes up by them, the status follows."""
    why = _reason(reason)
    if not items:
        raise InvalidInput("nothing to unship - give SKU=QTY")

    def work(session: Session, write: bool) -> Correction:
        order = _find_order(session, number, lock=write)
        lines = _lines(session, order)
        backorder = session.exec(
            select(func.min(Order.number)).where(Order.backorder_of == order.number)
        ).one()
        plan = plan_unship(order, lines, list(items), backorder)
        products = _stock(session, [line.sku for line, _q in plan], lock=write)
        for line, quantity in plan:
            line.shipped -= quantity
            session.add(line)
            product = products.get(line.sku)
            if product is None:
                raise NotFound(
                    f"product {line.sku} is no longer in the catalogue - add it with "
                    f"`backorder products add {line.sku} --name NAME` to take its stock back"
                )
            product.stock += quantity
            session.add(product)
        _refresh(session, order, lines)
        if write:
            assert order.id is not None
            _record(
                session.connection(),
                (
                    order.id,
                    "unshipped",
                    f"{_list_in(plan)} taken back into stock{_why(why)}",
                ),
            )
        return _correction(order, "unshipped", plan, why)

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: changed_while_answering(number),
    )


# --- orders edit ---------------------------------------------------------------------


def edit_order(
    db: Database,
    number: int,
    *,
    customer: str | None = None,
    new_customer: bool = False,
    comment: str | None = None,
    address: str | None = None,
    reference: str | None = None,
    policy: str | None = None,
    items: Sequence[Item] = (),
    remove: Sequence[str] = (),
    reason: str | None = None,
    dry_run: bool = False,
    expected: Correction | None = None,
) -> Correction:
    """Change an order that is not canceled or archived: its customer, its comment, a
    line's quantity or price, a new line, a line removed (`domain.plan_edit`). Totals
    and the status follow."""
    why = _reason(reason)
    if customer is not None:
        customer = parse_name(customer)
    if comment is not None:
        comment = parse_text(comment, what="comment")
    # Schema 8: an empty address or reference removes it; policy `customer` follows the
    # customer's again.
    delivery = {
        "address": None if address is None else parse_text(address, what="address"),
        "reference": None if reference is None else parse_reference(reference),
        "policy": None if policy is None else parse_order_policy(policy),
    }
    if (
        customer is None
        and comment is None
        and not items
        and not remove
        and not any(v is not None for v in delivery.values())
    ):
        raise InvalidInput(
            "nothing to change - give --customer, --comment, --address, --reference, "
            "--policy, SKU=QTY[@PRICE] or --remove SKU"
        )

    def work(session: Session, write: bool) -> Correction:
        order = _find_order(session, number, lock=write)
        lines = _lines(session, order)
        products = _stock(session, [i.sku for i in items])
        for item in items:  # a SKU of no product and no line: the one meant, if any
            if item.sku not in products and all(ln.sku != item.sku for ln in lines):
                raise NotFound(_unknown_sku(session, item.sku))
        prices = {sku: p.price for sku, p in products.items()}
        edits = plan_edit(order, order.backorder_of, lines, list(items), list(remove), prices)
        # The text as given, like every history detail: escaped only where it is shown.
        changes = []
        if customer is not None:
            who, _created = customer_for_order(
                session.connection(), customer, new_customer=new_customer, dry_run=not write
            )
            if who.id != order.customer_id:
                changes.append(f"customer '{order.customer}' -> '{who.name}'")
                order.customer = who.name
                order.customer_id = who.id
                order.priority = who.priority
        if comment is not None and comment != order.comment:
            changes.append(f"comment '{order.comment}' -> '{comment}'")
            order.comment = comment
        for key, value in delivery.items():
            stored = value or None  # empty: none (a policy: the customer's)
            if value is not None and stored != getattr(order, key):
                changes.append(f"{key} {_shown(key, getattr(order, key))} -> {_shown(key, stored)}")
                setattr(order, key, stored)
        by_sku = {line.sku: line for line in lines}
        billed = _billed(session, lines)
        kept = list(lines)
        position = max((line.position for line in lines), default=0)
        for edit in edits:
            line = by_sku.get(edit.sku)
            if line is None:  # a new line
                assert edit.quantity_after is not None and edit.price_after is not None
                product = products[edit.sku]
                position += 1
                assert order.id is not None
                line = OrderLine(
                    order_id=order.id,
                    position=position,
                    sku=product.sku,
                    name=product.name,
                    unit=product.unit,
                    quantity=edit.quantity_after,
                    unit_price=edit.price_after,
                    amount=line_amount(edit.quantity_after, edit.price_after),
                )
                kept.append(line)
                if write:
                    session.add(line)
            elif edit.quantity_after is None:  # removed
                kept.remove(line)
                if write:
                    session.delete(line)
            else:
                assert line.id is not None and edit.price_after is not None
                line.amount = edited_amount(
                    line, edit.quantity_after, edit.price_after, billed.get(line.id, ZERO)
                )
                line.canceled_amount = edited_canceled_amount(
                    line, edit.quantity_after, edit.price_after, line.amount
                )
                line.quantity = edit.quantity_after
                line.unit_price = edit.price_after
                session.add(line)
            changes.append(edit_text(edit))
        if not changes:
            raise NotAllowed(f"order #{number} already is as given - nothing to change")
        check_order_value((line.quantity, line.unit_price) for line in kept)
        _refresh(session, order, kept)
        if write:
            assert order.id is not None
            _record(session.connection(), (order.id, "edited", "; ".join(changes) + _why(why)))
        return Correction(
            order.number,
            "edited",
            order.status,
            order.total,
            [(e.sku, e.quantity_after or ZERO) for e in edits],
            why,
            changes,
        )

    return run_correction(
        db,
        work,
        dry_run=dry_run,
        expected=expected,
        changed=lambda: changed_while_answering(number),
    )


def _shown(key: str, value: str | None) -> str:
    """An order's address, reference or policy in a correction's text: none said so (a
    policy of none follows the customer's)."""
    if value:
        return f"'{value}'"
    return "the customer's" if key == "policy" else "none"
