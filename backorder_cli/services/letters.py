"""What the customer is told: the figures of a statement (everything still owed to a
customer, chain by chain, with ETAs, what shipped and what was invoiced) and of a
notice (the letter for one backorder or split: what was delivered, what follows and
when). Read only; rendering is `backorder_cli.letters`, which gets these plain values.

Money: what a line still owes is its amount less the share of what shipped (the money
rule of `domain.money`), so a chain's owed and delivered values add up to what its
lines stand for, to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func
from sqlalchemy import select as core_select

from ..domain.customers import name_key
from ..domain.money import share
from ..domain.orders import Status, remaining
from ..domain.supply import Promise
from ..domain.values import ZERO, close_match
from ..errors import NotAllowed, NotFound
from ..storage.database import Database
from .customers import CUSTOMERS
from .steps import INVOICES, LINES, ORDERS, _chain_numbers, _order_not_found
from .supply import promises_in, utc_today

_WAITING = (Status.BOOKED.value, Status.PARTIALLY_SHIPPED.value)


@dataclass(frozen=True)
class Customer:
    name: str
    email: str | None
    address: str


@dataclass(frozen=True)
class ItemLine:
    """A quantity of a SKU in a letter: delivered, still owed or not to be delivered.
    `value` is its money (a statement's); `eta`/`eta_source` are set on what follows."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    value: Decimal = ZERO
    unit_price: Decimal | None = None
    order: int | None = None  # the order that owes it (a statement's owed lines)
    eta: date | None = None
    eta_source: str | None = None


@dataclass(frozen=True)
class Case:
    """One backorder chain (or one order in none) with something still owed: its
    orders oldest first, the customer's reference and the delivery address of its
    newest order, what is still owed (with ETAs), what shipped and the invoices'
    net total."""

    orders: list[int]
    ordered_at: datetime  # when the customer ordered: the chain's first order
    reference: str
    address: str
    owed: list[ItemLine]
    shipped: list[ItemLine]
    owed_value: Decimal
    shipped_value: Decimal
    invoiced: Decimal  # invoices less credit notes
    eta: date | None  # the latest ETA of what is owed; None when a line has none


@dataclass(frozen=True)
class Statement:
    customer: Customer
    date: dt.date
    cases: list[Case]
    owed_value: Decimal
    shipped_value: Decimal
    invoiced: Decimal
    owed_lines: int = field(default=0)


@dataclass(frozen=True)
class Notice:
    """The letter for one backorder or split: `number` is the order the rest waits on
    (the backorder), `split_from` the order it was split from (None for a partial
    shipment not split yet), `chain` the orders of the chain oldest first."""

    number: int
    split_from: int | None
    chain: list[int]
    customer: Customer
    reference: str
    address: str
    date: dt.date
    delivered: list[ItemLine]
    follows: list[ItemLine]
    not_delivered: list[ItemLine]  # closed short: will not come
    eta: dt.date | None


# ---------------------------------------------------------------- the customer


def find_customer(conn: Connection, name: str) -> tuple[Any, Customer]:
    """The registered customer named `name` (compared casefolded, as the register
    keeps names), as a condition on orders and the customer; an unknown name is
    refused with the nearest registered one."""
    row = conn.execute(
        core_select(CUSTOMERS).where(CUSTOMERS.c.name_key == name_key(name.strip()))
    ).first()
    if row is None:
        names = conn.execute(core_select(CUSTOMERS.c.name)).scalars().all()
        guess = close_match(name.strip(), names)
        listing = "see `backorder customers list`"
        fix = f"did you mean {guess!r}? ({listing})" if guess else listing
        raise NotFound(f"no customer {name!r} - {fix}")
    return ORDERS.c.customer_id == row.id, _customer(row)


def _customer(row: Any) -> Customer:
    return Customer(row.name, row.email or None, row.address or "")


def _customer_of(conn: Connection, order: Any) -> Customer:
    row = conn.execute(core_select(CUSTOMERS).where(CUSTOMERS.c.id == order.customer_id)).first()
    return _customer(row) if row is not None else Customer(order.customer, None, "")


# ---------------------------------------------------------------- reading a chain


def _orders_of(conn: Connection, numbers: Sequence[int]) -> list[Any]:
    query = core_select(ORDERS).where(ORDERS.c.number.in_(list(numbers)))
    found = {row.number: row for row in conn.execute(query)}
    return [found[n] for n in numbers if n in found]


def _lines_of(conn: Connection, order_ids: Sequence[int]) -> dict[int, list[Any]]:
    query = (
        core_select(LINES)
        .where(LINES.c.order_id.in_(list(order_ids)))
        .order_by(LINES.c.order_id, LINES.c.position)
    )
    by_order: dict[int, list[Any]] = {}
    for line in conn.execute(query):
        by_order.setdefault(line.order_id, []).append(line)
    return by_order


def _invoiced(conn: Connection, order_ids: Sequence[int]) -> Decimal:
    total = conn.execute(
        core_select(func.coalesce(func.sum(INVOICES.c.total), 0)).where(
            INVOICES.c.order_id.in_(list(order_ids))
        )
    ).scalar()
    return Decimal(total or 0)


def _waits(order: Any) -> bool:
    return order.status in _WAITING and not order.archived


def _kept(line: Any) -> Decimal:
    return Decimal(line.quantity - line.canceled)


def shipped_value(line: Any) -> Decimal:
    """The money of what shipped on a line: its share of the line's amount."""
    return share(line.amount, line.shipped, _kept(line))


def owed_value(line: Any) -> Decimal:
    """The money of what a line still owes: its amount less what shipped."""
    return Decimal(line.amount) - shipped_value(line)


def _summed(items: Iterable[ItemLine]) -> list[ItemLine]:
    """The same SKU (name, unit) added up, in order of first appearance."""
    totals: dict[tuple[str, str, str], ItemLine] = {}
    for item in items:
        key = (item.sku, item.name, item.unit)
        seen = totals.get(key)
        totals[key] = (
            item
            if seen is None
            else ItemLine(
                item.sku,
                item.name,
                item.unit,
                seen.quantity + item.quantity,
                seen.value + item.value,
            )
        )
    return list(totals.values())


Promises = dict[tuple[int, int], Promise]


def _promises(conn: Connection, skus: Collection[str], today: date) -> Promises:
    """The promise of every waiting line of these SKUs, by (order number, position):
    one allocation (`services.supply`), however many orders a letter covers."""
    if not skus:
        return {}
    return {(p.number, p.position): p for p in promises_in(conn, set(skus), today)}


def _latest(owed: list[ItemLine]) -> date | None:
    """When all of `owed` can come: the latest ETA, None when one has none (or when
    nothing is owed)."""
    if not owed or any(item.eta is None for item in owed):
        return None
    return max(item.eta for item in owed if item.eta is not None)


def _owed_line(order: Any, line: Any, promise: Promise | None) -> ItemLine:
    return ItemLine(
        line.sku,
        line.name,
        line.unit,
        remaining(line),
        owed_value(line),
        line.unit_price,
        order.number,
        promise.eta if promise else None,
        promise.source if promise else None,
    )


# ---------------------------------------------------------------- the statement


def statement(db: Database, customer: str, *, today: date | None = None) -> Statement:
    """Everything still owed to `customer`: each chain (or order in none) with a
    waiting order (booked or partially shipped, not archived, something remaining),
    oldest first, with what it owes and when that is expected, what shipped on it and
    its invoices' net total; and the totals."""
    today = today or utc_today()
    with db.read() as session:
        conn = session.connection()
        theirs, who = find_customer(conn, customer)
        waiting = (
            conn.execute(
                core_select(ORDERS.c.number)
                .where(theirs)
                .where(ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
                .order_by(ORDERS.c.number)
            )
            .scalars()
            .all()
        )
        chains: dict[int, list[int]] = {}
        seen: set[int] = set()
        for number in waiting:
            if number in seen:
                continue
            chain = _chain_numbers(conn, number)
            chains[chain[0]] = chain
            seen.update(chain)
        skus = (
            conn.execute(
                core_select(LINES.c.sku)
                .distinct()
                .join(ORDERS, ORDERS.c.id == LINES.c.order_id)
                .where(theirs, ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False))
                .where(LINES.c.quantity - LINES.c.shipped - LINES.c.canceled > 0)
            )
            .scalars()
            .all()
        )
        promised = _promises(conn, skus, today)
        cases = [_case(conn, chain, promised) for _first, chain in sorted(chains.items())]
    cases = [c for c in cases if c.owed]
    return Statement(
        customer=who,
        date=today,
        cases=cases,
        owed_value=sum((c.owed_value for c in cases), ZERO),
        shipped_value=sum((c.shipped_value for c in cases), ZERO),
        invoiced=sum((c.invoiced for c in cases), ZERO),
        owed_lines=sum(len(c.owed) for c in cases),
    )


def _case(conn: Connection, chain: list[int], promised: Promises) -> Case:
    orders = _orders_of(conn, chain)
    lines = _lines_of(conn, [o.id for o in orders])
    every_line = [line for o in orders for line in lines.get(o.id, [])]
    owed = [
        _owed_line(o, line, promised.get((o.number, line.position)))
        for o in orders
        if _waits(o)
        for line in lines.get(o.id, [])
        if remaining(line) > 0
    ]
    shipped = _summed(
        ItemLine(line.sku, line.name, line.unit, line.shipped, shipped_value(line))
        for line in every_line
        if line.shipped > 0
    )
    newest = orders[-1]
    return Case(
        orders=[o.number for o in orders],
        ordered_at=orders[0].created_at,
        reference=newest.reference or "",
        address=newest.address or "",
        owed=owed,
        shipped=shipped,
        owed_value=sum((item.value for item in owed), ZERO),
        shipped_value=sum((item.value for item in shipped), ZERO),
        invoiced=_invoiced(conn, [o.id for o in orders]),
        eta=_latest(owed),
    )


# ---------------------------------------------------------------- the notice


def notice(db: Database, number: int, *, today: date | None = None) -> Notice:
    """The letter for the backorder `number` (or the order it was split from, or a
    partially shipped order not split yet): what its chain delivered, what follows on
    the chain's newest order with each line's ETA, and what was closed short. An order
    with nothing delivered is refused: there is no split to tell about."""
    today = today or utc_today()
    with db.read() as session:
        conn = session.connection()
        chain = _chain_numbers(conn, number)
        orders = _orders_of(conn, chain)
        if number not in {o.number for o in orders}:
            raise _order_not_found(number)
        lines = _lines_of(conn, [o.id for o in orders])
        every_line = [line for o in orders for line in lines.get(o.id, [])]
        if not any(line.shipped > 0 for line in every_line):
            raise NotAllowed(
                f"order #{number} has nothing delivered yet - a notice tells about a partial "
                f"delivery; see what it waits for with `backorder orders show {number}`",
                code="nothing_delivered",
            )
        last = orders[-1]
        follows_lines = lines.get(last.id, []) if _waits(last) else []
        skus = {line.sku for line in follows_lines if remaining(line) > 0}
        promised = _promises(conn, skus, today)
        follows = [
            _owed_line(last, line, promised.get((last.number, line.position)))
            for line in follows_lines
            if remaining(line) > 0
        ]
        who = _customer_of(conn, last)
    delivered = _summed(
        ItemLine(line.sku, line.name, line.unit, line.shipped)
        for line in every_line
        if line.shipped > 0
    )
    closed = _summed(
        ItemLine(line.sku, line.name, line.unit, line.closed)
        for line in every_line
        if line.closed > 0
    )
    return Notice(
        number=last.number,
        split_from=last.backorder_of,
        chain=[o.number for o in orders],
        customer=who,
        reference=last.reference or "",
        address=last.address or who.address,
        date=today,
        delivered=delivered,
        follows=follows,
        not_delivered=closed,
        eta=_latest(follows),
    )
