"""Orders: add, book, list, show.

Listing and showing read the Core tables of `storage.tables` and import nothing that
writes: `orders show` and `orders list` start without building SQLModel's table classes
(bench/NOTES.md). Adding and booking import the table classes and the shared steps
when they run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, bindparam, func
from sqlalchemy import select as core_select

from ..domain.orders import Archived, Status, remaining
from ..domain.values import Item, check_order_value, parse_order_number, parse_text
from ..errors import InvalidInput, NotAllowed, NotFound
from ..storage.database import Database
from ..storage.search import SEARCHED
from ..storage.tables import CUSTOMERS, HISTORY, INVOICES, LINES, ORDERS
from .lookups import _BATCH, _chain_numbers, _order_not_found
from .search import newest_first, text_search

if TYPE_CHECKING:
    from .results import PlacedOrder

from .views import HistoryView, InvoiceView, LineView, OrderDetail, OrderSummary


def add_order(db: Database, **given: Any) -> int:
    """A new order (`place_order`, the same arguments); its number."""
    return place_order(db, **given).number


def place_order(
    db: Database,
    *,
    customer: str,
    items: list[Item],
    comment: str = "",
    draft: bool = False,
    address: str | None = None,
    reference: str | None = None,
    policy: str | None = None,
    new_customer: bool = False,
) -> PlacedOrder:
    """A new order, numbered next in the series; prices default to the product's. The
    customer is found casefolded or registered (`customers.customer_for_order`); the
    address defaults to the customer's, the priority is the customer's."""
    # Here: reading orders never needs them (nor the table classes they build).
    from ..domain.customers import parse_order_policy, parse_reference
    from ..domain.money import line_amount
    from ..storage.models import Order, OrderLine
    from .customers import customer_for_order
    from .results import PlacedOrder
    from .steps import _next_number, _record, _refresh, _stock, _unknown_sku

    comment = parse_text(comment, what="comment")
    # None: the customer's address; an empty one: none at all.
    given_address = None if address is None else parse_text(address, what="address")
    reference = parse_reference(reference) or None
    chosen = parse_order_policy(policy) or None if policy is not None else None
    if not items:
        raise InvalidInput("an order needs at least one line - give SKU=QTY, e.g. CABLE-25=2.5")
    if len({i.sku for i in items}) != len(items):
        raise InvalidInput("each SKU may appear once on an order")
    with db.write() as session:
        products = _stock(session, [i.sku for i in items])
        for item in items:
            if item.sku not in products:
                raise NotFound(_unknown_sku(session, item.sku))
        check_order_value(
            (i.quantity, products[i.sku].price if i.price is None else i.price) for i in items
        )
        who, created = customer_for_order(session.connection(), customer, new_customer=new_customer)
        order = Order(
            number=_next_number(session.connection(), "order"),
            customer=who.name,
            customer_id=who.id,
            comment=comment,
            status=(Status.DRAFT if draft else Status.BOOKED).value,
            address=who.address if given_address is None else (given_address or None),
            reference=reference,
            policy=chosen,
            priority=who.priority,
        )
        session.add(order)
        session.flush()
        assert order.id is not None
        lines = []
        for position, item in enumerate(items, start=1):
            product = products[item.sku]
            line = OrderLine(
                order_id=order.id,
                position=position,
                sku=product.sku,
                name=product.name,
                unit=product.unit,
                quantity=item.quantity,
                unit_price=product.price if item.price is None else item.price,
            )
            line.amount = line_amount(line.quantity, line.unit_price)
            session.add(line)
            lines.append(line)
        _refresh(session, order, lines)
        _record(session.connection(), (order.id, "created", "as a draft" if draft else "booked"))
        return PlacedOrder(order.number, who.name, created)


def book_order(db: Database, number: int) -> str:
    from .steps import _find_order, _lines, _record, _refresh

    with db.write() as session:
        order = _find_order(session, number, lock=True)
        if order.status != Status.DRAFT:
            raise NotAllowed(
                f"order #{number} is not a draft (status {Status(order.status).label}) - "
                "only a draft can be booked",
                code="not_a_draft",
            )
        if order.archived:
            raise NotAllowed(
                f"order #{number} is archived - an archived order cannot be booked", code="archived"
            )
        order.status = Status.BOOKED.value
        _refresh(session, order, _lines(session, order))
        assert order.id is not None  # loaded, so stored
        _record(session.connection(), (order.id, "booked", ""))
        return order.status


# Any select of orders (ORM or Core); the conditions are on the Core table's columns, so
# a Core select stays Core (no ORM set-up for a listing).
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def _order_filter(
    query: _Query,
    *,
    statuses: list[Status] | None = None,
    archived: Archived = Archived.ACTIVE,
    customer: str | None = None,
    search: str | None = None,
) -> _Query:
    """The WHERE of every order listing: which orders by `archived`, then the filters.

    `search` matches the order number (with or without '#'), or any part of the
    customer or the comment, ignoring case in every script (`casefold`, the same on
    both backends); user text is always a bound parameter.
    """
    if archived == Archived.ACTIVE:
        query = query.where(ORDERS.c.archived.is_(False))
    elif archived == Archived.ARCHIVED:
        query = query.where(ORDERS.c.archived.is_(True))
    if statuses:
        query = query.where(ORDERS.c.status.in_([s.value for s in statuses]))
    if customer:
        query = query.where(text_search(("customer",), customer))
    if search:
        text = search.strip()
        number = None
        with contextlib.suppress(InvalidInput):  # not a number: text only
            number = parse_order_number(text)
        query = query.where(text_search(SEARCHED, text, number))
    return query


def iter_orders(
    db: Database,
    *,
    statuses: list[Status] | None = None,
    archived: Archived = Archived.ACTIVE,
    customer: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    with_eta: bool = False,
    eta_before: date | None = None,
    no_eta: bool = False,
    sku: str | None = None,
) -> Iterator[OrderSummary]:
    """Orders newest number first, streamed: rows are read in batches as they are
    consumed, so a listing of every order never holds them all in memory.

    The promise dates (`services.supply`) are one allocation of every waiting line,
    made once before the first row, and only when asked for: `with_eta` fills each
    waiting order's `eta`; `eta_before` keeps orders whose ETA is before that day,
    `no_eta` the waiting orders without one; `sku` keeps the waiting orders with a
    remaining quantity of that SKU, in the allocation's priority order. Without them
    the listing reads the orders table only."""
    if with_eta or eta_before is not None or no_eta or sku is not None:
        from .supply import orders_with_etas

        yield from orders_with_etas(
            db,
            statuses=statuses,
            archived=archived,
            customer=customer,
            search=search,
            limit=limit,
            eta_before=eta_before,
            no_eta=no_eta,
            sku=sku,
        )
        return
    query = _order_filter(
        _ORDER_SUMMARY,
        statuses=statuses,
        archived=archived,
        customer=customer,
        search=search,
    ).order_by(newest_first(customer, search))
    if limit is not None:
        query = query.limit(limit)
    # Core on the read transaction's connection: the ORM's set-up would cost more than
    # a filtered listing's query (bench/NOTES.md).
    with db.read() as session:
        rows = session.connection().execute(query.execution_options(yield_per=_BATCH))
        for row in rows:
            yield OrderSummary(*row)


def count_listed_orders(
    db: Database,
    *,
    statuses: list[Status] | None = None,
    archived: Archived = Archived.ACTIVE,
    customer: str | None = None,
    search: str | None = None,
    eta_before: date | None = None,
    no_eta: bool = False,
    sku: str | None = None,
) -> int:
    """How many orders `iter_orders` would list with these filters and no limit (a
    filter on promise dates makes the allocation to count them)."""
    if eta_before is not None or no_eta or sku is not None:
        from .supply import orders_with_etas

        listed = orders_with_etas(
            db,
            statuses=statuses,
            archived=archived,
            customer=customer,
            search=search,
            limit=None,
            eta_before=eta_before,
            no_eta=no_eta,
            sku=sku,
        )
        return sum(1 for _ in listed)
    query = _order_filter(
        core_select(func.count()).select_from(ORDERS),
        statuses=statuses,
        archived=archived,
        customer=customer,
        search=search,
    )
    with db.read() as session:
        return int(session.connection().execute(query).scalar_one())


_ORDER_SUMMARY = core_select(
    ORDERS.c.number,
    ORDERS.c.status,
    ORDERS.c.archived,
    ORDERS.c.customer,
    ORDERS.c.total,
    ORDERS.c.backorder_of,
)


def partially_shipped_numbers(db: Database, *, customer: str | None = None) -> list[int]:
    """What `create --all` takes: every partially shipped order not canceled or archived,
    oldest first."""
    query = _order_filter(
        core_select(ORDERS.c.number), statuses=[Status.PARTIALLY_SHIPPED], customer=customer
    ).order_by(ORDERS.c.number)
    with db.read() as session:
        return list(session.connection().execute(query).scalars())


def uninvoiced_numbers(db: Database, *, customer: str | None = None) -> list[int]:
    """What `invoice --all` takes: every order with shipped, uninvoiced quantities that
    is not a draft, canceled or archived, oldest first."""
    query = (
        _order_filter(core_select(ORDERS.c.number).distinct(), customer=customer)
        .join(LINES, LINES.c.order_id == ORDERS.c.id)
        .where(ORDERS.c.status.in_([Status.PARTIALLY_SHIPPED.value, Status.SHIPPED.value]))
        .where(LINES.c.shipped > LINES.c.invoiced)
        .order_by(ORDERS.c.number)
    )
    with db.read() as session:
        return list(session.connection().execute(query).scalars())


def get_order(db: Database, number: int) -> OrderDetail:
    """One order with everything `orders show` prints. Read in SQLAlchemy Core on the
    read transaction's connection: no ORM objects are needed, and building the ORM's
    mappers and statements cost more than the six indexed look-ups themselves."""
    with db.read() as session:
        conn = session.connection()
        order = conn.execute(_ORDER_DETAIL, {"number": number}).first()
        if order is None:
            raise _order_not_found(number)
        lines = conn.execute(_LINES_OF_ORDER, {"order_id": order.id}).all()
        invoices = conn.execute(_INVOICES_OF_ORDER, {"order_id": order.id}).all()
        invoice_numbers = {i.id: i.number for i in invoices}  # a credit note's is its order's
        history = conn.execute(_HISTORY_OF_ORDER, {"order_id": order.id}).all()
        backorders = conn.execute(_BACKORDERS_OF, {"number": order.number}).scalars().all()
        views = [
            LineView(
                line.sku,
                line.name,
                line.unit,
                line.quantity,
                line.shipped,
                line.invoiced,
                line.canceled,
                remaining(line),
                line.unit_price,
            )
            for line in lines
        ]
        eta = None
        if order.status in (Status.BOOKED, Status.PARTIALLY_SHIPPED) and not order.archived:
            from .waiting import with_promises

            views, eta = with_promises(conn, order.number, lines, views)
        return OrderDetail(
            number=order.number,
            status=order.status,
            archived=order.archived,
            customer=order.customer,
            comment=order.comment,
            backorder_of=order.backorder_of,
            backorders=list(backorders),
            created_at=order.created_at,
            total=order.total,
            lines=views,
            invoices=[
                InvoiceView(i.number, i.total, i.created_at, invoice_numbers.get(i.credit_of))
                for i in invoices
            ],
            history=[HistoryView(h.at, h.user, h.event, h.detail) for h in history],
            chain=_chain_numbers(conn, order.number),
            eta=eta,
            address=order.address,
            reference=order.reference,
            policy=order.policy or order.customer_policy,
            priority=order.priority,
        )


_ORDER_DETAIL = core_select(ORDERS, CUSTOMERS.c.policy.label("customer_policy")).where(
    CUSTOMERS.c.id == ORDERS.c.customer_id, ORDERS.c.number == bindparam("number")
)
_LINES_OF_ORDER = (
    core_select(LINES).where(LINES.c.order_id == bindparam("order_id")).order_by(LINES.c.position)
)
_INVOICES_OF_ORDER = (
    core_select(
        INVOICES.c.id,
        INVOICES.c.number,
        INVOICES.c.total,
        INVOICES.c.created_at,
        INVOICES.c.credit_of,
    )
    .where(INVOICES.c.order_id == bindparam("order_id"))
    .order_by(INVOICES.c.number)
)
_HISTORY_OF_ORDER = (
    core_select(HISTORY.c.at, HISTORY.c.user, HISTORY.c.event, HISTORY.c.detail)
    .where(HISTORY.c.order_id == bindparam("order_id"))
    .order_by(HISTORY.c.id)
)
_BACKORDERS_OF = (
    core_select(ORDERS.c.number)
    .where(ORDERS.c.backorder_of == bindparam("number"))
    .order_by(ORDERS.c.number)
)


def count_orders(db: Database) -> int:
    with db.read() as session:
        return int(
            session.connection().execute(core_select(func.count()).select_from(ORDERS)).scalar_one()
        )
