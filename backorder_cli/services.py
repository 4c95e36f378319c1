"""Use cases: each takes an opened `Database` and plain values, runs in one
transaction, and returns a plain result. Nothing here prints, prompts or picks an
exit code; refusals are `BackorderError`s raised before anything is written (or rolled
back with everything else when they come later).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import getpass
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    type_coerce,
    update,
)
from sqlmodel import Session, col, select

from . import domain
from .db import Database, casefold
from .domain import ZERO, Item, Status, format_money, format_quantity
from .errors import BackorderError, InvalidInput, NotAllowed, NotFound
from .fileformat import (
    FORMAT,
    ImportPlan,
    OrderRow,
    Places,
    ProductRow,
    load_json,
    parse_csv,
    parse_document,
    refusal,
)
from .models import (
    Counter,
    History,
    Invoice,
    InvoiceLine,
    Money,
    Order,
    OrderLine,
    Product,
    Quantity,
    Setting,
    UtcDateTime,
    utcnow,
)

ORDERS = Order.__table__
LINES = OrderLine.__table__
INVOICES = Invoice.__table__
INVOICE_LINES = InvoiceLine.__table__
HISTORY = History.__table__
COUNTER = Counter.__table__
SETTINGS = Setting.__table__
PRODUCTS = Product.__table__

# The statements of the hot paths, built once: building a statement costs more than
# running it (bulk backorders run these thousands of times).
_ORDER_BY_NUMBER = select(
    ORDERS.c.id, ORDERS.c.number, ORDERS.c.status, ORDERS.c.archived, ORDERS.c.customer
).where(ORDERS.c.number == bindparam("number"))
_ORDER_BY_NUMBER_FOR_UPDATE = _ORDER_BY_NUMBER.with_for_update()
_LINES_OF_ORDER = (
    select(LINES).where(LINES.c.order_id == bindparam("order_id")).order_by(LINES.c.position)
)
_SETTING = select(SETTINGS.c.value).where(SETTINGS.c.key == bindparam("key"))
_FIRST_BACKORDER = select(func.min(ORDERS.c.number)).where(
    ORDERS.c.backorder_of == bindparam("number")
)


def _next_value(table: Any):  # type: ignore[no-untyped-def]
    """The series' next number: one above the counter and above every number in `table`
    (so an imported or hand-inserted number is never handed out again)."""
    highest = func.coalesce(select(func.max(table.c.number)).scalar_subquery(), 0)
    value = COUNTER.c.value
    return case((value >= highest, value + 1), else_=highest + 1)


_SERIES = {"order": ORDERS, "invoice": INVOICES}
_NEXT_NUMBER = {
    series: update(COUNTER)
    .where(COUNTER.c.name == series)
    .values(value=_next_value(table))
    .returning(COUNTER.c.value)
    for series, table in _SERIES.items()
}
# The same number, read without taking it (for previews).
_PEEK_NUMBER = {
    series: select(_next_value(table)).where(COUNTER.c.name == series)
    for series, table in _SERIES.items()
}
_INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
_INSERT_LINES = insert(LINES)
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
# What each line's invoices billed so far: the next invoice bills the rest of its share.
_BILLED = (
    select(INVOICE_LINES.c.line_id, func.sum(INVOICE_LINES.c.amount))
    .where(INVOICE_LINES.c.line_id.in_(bindparam("lines", expanding=True)))
    .group_by(INVOICE_LINES.c.line_id)
)
_INVOICE_LINE_FULLY = (
    update(LINES).where(LINES.c.id == bindparam("line")).values(invoiced=LINES.c.shipped)
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
_INSERT_INVOICE = insert(INVOICES).returning(INVOICES.c.id)
_INSERT_INVOICE_LINES = insert(INVOICE_LINES)
_INSERT_HISTORY = insert(HISTORY)

# SQLite accepts many bound parameters, but not unboundedly many: look numbers up in
# batches of this size.
_BATCH = 500


# ---------------------------------------------------------------- plain results


@dataclass(frozen=True)
class ProductView:
    sku: str
    name: str
    unit: str
    price: Decimal
    stock: Decimal


@dataclass(frozen=True)
class LineView:
    sku: str
    name: str
    unit: str
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal
    canceled: Decimal
    remaining: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class InvoiceView:
    number: int
    total: Decimal
    created_at: datetime


@dataclass(frozen=True)
class HistoryView:
    at: datetime
    user: str
    event: str
    detail: str


@dataclass(frozen=True)
class OrderSummary:
    number: int
    status: str
    archived: bool
    customer: str
    total: Decimal
    backorder_of: int | None


@dataclass(frozen=True)
class OrderDetail:
    number: int
    status: str
    archived: bool
    customer: str
    comment: str
    backorder_of: int | None
    backorders: list[int]
    created_at: datetime
    total: Decimal
    lines: list[LineView]
    invoices: list[InvoiceView]
    history: list[HistoryView]
    chain: list[int] = field(default_factory=list)  # the backorder chain, oldest first


@dataclass(frozen=True)
class ShipmentResult:
    number: int
    status: str
    shipped: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class InvoiceResult:
    order: int
    number: int
    total: Decimal
    lines: list[tuple[str, Decimal, Decimal]]  # sku, quantity, amount


@dataclass(frozen=True)
class BackorderPreview:
    number: int
    customer: str
    next_number: int
    moves: list[domain.Move]
    to_invoice: list[tuple[str, Decimal, Decimal]]  # sku, quantity, amount

    @property
    def invoice_total(self) -> Decimal:
        return sum((amount for _sku, _qty, amount in self.to_invoice), domain.ZERO)


@dataclass(frozen=True)
class BackorderResult:
    original: int
    backorder: int
    moves: list[domain.Move]
    invoice: InvoiceResult | None


@dataclass(frozen=True)
class ImportResult:
    products: int
    orders: int
    invoices: int
    settings: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- shared steps


@dataclass
class _Line:
    """An order line as plain values: for lines computed, not loaded (a backorder's new
    lines) and for rows read raw (check)."""

    sku: str
    name: str
    unit: str
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal
    canceled: Decimal
    unit_price: Decimal
    amount: Decimal = ZERO
    backordered: Decimal = ZERO
    backordered_amount: Decimal = ZERO


@functools.cache
def _user() -> str:
    try:
        return domain.plain_user_name(getpass.getuser())
    except Exception:  # no login name in some containers
        return ""


def _conn(where: Session | Connection) -> Connection:
    """The Core connection of a session, or the connection itself."""
    return where.connection() if isinstance(where, Session) else where


def _next_number(session: Session | Connection, series: str) -> int:
    """The next number of a series, above every number ever handed out or imported.

    One UPDATE ... RETURNING on the counter row, inside the caller's write transaction:
    the row is locked until the commit, so no two transactions take one number.
    """
    return int(_conn(session).execute(_NEXT_NUMBER[series]).scalar_one())


def _raise_counter(session: Session, series: str, at_least: int) -> None:
    session.connection().execute(
        update(COUNTER)
        .where(COUNTER.c.name == series, COUNTER.c.value < at_least)
        .values(value=at_least)
    )


def _record(session: Session | Connection, *entries: tuple[int, str, str]) -> None:
    """History entries (order id, event, detail), stamped now with the OS user."""
    at, user = utcnow(), _user()
    _conn(session).execute(
        _INSERT_HISTORY,
        [
            {"order_id": order_id, "at": at, "user": user, "event": event, "detail": detail}
            for order_id, event, detail in entries
        ],
    )


def _order_not_found(number: int) -> NotFound:
    return NotFound(f"order #{number} not found - list orders with `backorder orders list --all`")


def _order_or_none(session: Session, number: int, *, lock: bool = False) -> Order | None:
    """The order with this number, if any. `lock` (in a write transaction) takes its row
    lock before the caller decides anything: on a server, a concurrent writer of the
    same order waits here and then sees the committed result (SQLite's BEGIN IMMEDIATE
    already serializes writers, and SQLAlchemy leaves FOR UPDATE out there)."""
    query = select(Order).where(Order.number == number)
    return session.exec(query.with_for_update() if lock else query).first()


def _find_order(session: Session, number: int, *, lock: bool = False) -> Order:
    """`_order_or_none`, refusing a number that is not there."""
    order = _order_or_none(session, number, lock=lock)
    if order is None:
        raise _order_not_found(number)
    return order


def _lines(session: Session, order: Order) -> list[OrderLine]:
    return list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
        )
    )


def _refresh(session: Session, order: Order, lines: list[OrderLine]) -> None:
    """Bring the order's stored status and total in step with its lines."""
    order.status = domain.order_status(order.status, lines).value
    order.total = domain.order_total(lines)
    order.updated_at = utcnow()
    session.add(order)


def _stock(session: Session, skus: Iterable[str], *, lock: bool = False) -> dict[str, Product]:
    """Products by SKU; `lock` takes their row locks, always in SKU order, so two
    writers never wait for each other in a circle."""
    query = select(Product).where(col(Product.sku).in_(set(skus))).order_by(Product.sku)
    return {p.sku: p for p in session.exec(query.with_for_update() if lock else query)}


def _setting(session: Session, key: str) -> str:
    row = session.get(Setting, key)
    return row.value if row else domain.SETTINGS[key][1]


def _list_in(items: list[tuple[domain.LineLike, Decimal]]) -> str:
    return domain.quantities_text((line.sku, q) for line, q in items)


# ---------------------------------------------------------------- settings


def get_settings(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {key: _setting(session, key) for key in domain.SETTINGS}


def set_setting(db: Database, key: str, value: str) -> tuple[str, str]:
    key, value = domain.parse_setting(key, value)
    with db.write() as session:
        row = session.get(Setting, key, with_for_update=True) or Setting(key=key, value=value)
        row.value = value
        session.add(row)
    return key, value


# ---------------------------------------------------------------- products


def _product_view(p: Product) -> ProductView:
    return ProductView(p.sku, p.name, p.unit, p.price, p.stock)


def list_products(db: Database) -> list[ProductView]:
    with db.read() as session:
        return [_product_view(p) for p in session.exec(select(Product).order_by(Product.sku))]


def add_product(
    db: Database,
    sku: str,
    *,
    name: str,
    unit: str = "pcs",
    price: str | Decimal = "0",
    stock: str | Decimal = "0",
) -> ProductView:
    sku = domain.parse_sku(sku)
    product = Product(
        sku=sku,
        name=domain.parse_text(name, what="name", required=True, limit=200),
        unit=domain.parse_text(unit, what="unit", required=True, limit=20),
        price=domain.parse_price(price),
        stock=domain.parse_stock(stock),
    )
    with db.write() as session:
        if session.exec(select(Product).where(Product.sku == sku)).first():
            raise NotAllowed(
                f"product {sku} already exists - see it with `backorder products list`"
            )
        session.add(product)
    return _product_view(product)


def receive_stock(db: Database, sku: str, quantity: str | Decimal) -> ProductView:
    sku = domain.parse_sku(sku)
    amount = domain.parse_quantity(quantity)
    with db.write() as session:
        product = _stock(session, [sku], lock=True).get(sku)
        if product is None:
            raise NotFound(
                f"unknown SKU {sku} - add it with `backorder products add {sku} --name NAME`"
            )
        new_stock = product.stock + amount
        if new_stock >= domain.MAX_NUMBER:
            raise InvalidInput(f"stock of {sku} would exceed {domain.MAX_NUMBER:,}")
        product.stock = new_stock
        session.add(product)
    return _product_view(product)


# ---------------------------------------------------------------- orders


def add_order(
    db: Database,
    *,
    customer: str,
    items: list[Item],
    comment: str = "",
    draft: bool = False,
) -> int:
    """A new order, numbered next in the series; prices default to the product's."""
    customer = domain.parse_text(customer, what="customer", required=True, limit=200)
    comment = domain.parse_text(comment, what="comment")
    if not items:
        raise InvalidInput("an order needs at least one line - give SKU=QTY, e.g. CABLE-25=2.5")
    if len({i.sku for i in items}) != len(items):
        raise InvalidInput("each SKU may appear once on an order")
    with db.write() as session:
        products = _stock(session, [i.sku for i in items])
        for item in items:
            if item.sku not in products:
                raise NotFound(
                    f"unknown SKU {item.sku} - see `backorder products list`, or add it with "
                    f"`backorder products add {item.sku} --name NAME`"
                )
        domain.check_order_value(
            (i.quantity, products[i.sku].price if i.price is None else i.price) for i in items
        )
        order = Order(
            number=_next_number(session, "order"),
            customer=customer,
            comment=comment,
            status=(Status.DRAFT if draft else Status.BOOKED).value,
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
            line.amount = domain.line_amount(line.quantity, line.unit_price)
            session.add(line)
            lines.append(line)
        _refresh(session, order, lines)
        _record(session, (order.id, "created", "as a draft" if draft else "booked"))
        return order.number


def book_order(db: Database, number: int) -> str:
    with db.write() as session:
        order = _find_order(session, number, lock=True)
        if order.status != Status.DRAFT:
            raise NotAllowed(
                f"order #{number} is not a draft (status {Status(order.status).label}) - "
                "only a draft can be booked"
            )
        if order.archived:
            raise NotAllowed(f"order #{number} is archived - an archived order cannot be booked")
        order.status = Status.BOOKED.value
        _refresh(session, order, _lines(session, order))
        _record(session, (order.id, "booked", ""))
        return order.status


def _contains_folded(column: Any, text: str) -> Any:
    """`column` contains `text`, both case-folded in SQL (`casefold`); % and _ in the
    text are plain characters."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    if all(ch.isascii() and not ch.isalpha() for ch in text):
        # Digits and punctuation (a number search): folding never makes nor removes
        # them, so the plain column matches the same and costs no function call per row.
        return column.like(f"%{escaped}%", escape="/")
    pattern = literal("%") + casefold(bindparam(None, escaped, type_=String)) + literal("%")
    return casefold(column).like(pattern, escape="/")


def _order_filter(
    query,  # type: ignore[no-untyped-def]
    *,
    statuses: list[Status] | None = None,
    archived: str = "active",
    customer: str | None = None,
    search: str | None = None,
):
    """The WHERE of every order listing. `archived`: 'active', 'archived' or 'all'.

    `search` matches the order number (with or without '#'), or any part of the
    customer or the comment, ignoring case in every script (`casefold`, the same on
    both backends); user text is always a bound parameter.
    """
    if archived == "active":
        query = query.where(col(Order.archived).is_(False))
    elif archived == "archived":
        query = query.where(col(Order.archived).is_(True))
    if statuses:
        query = query.where(col(Order.status).in_([s.value for s in statuses]))
    if customer:
        query = query.where(_contains_folded(col(Order.customer), customer))
    if search:
        text = search.strip()
        matches = [
            _contains_folded(col(Order.customer), text),
            _contains_folded(col(Order.comment), text),
        ]
        with contextlib.suppress(InvalidInput):  # not a number: text only
            matches.append(Order.number == domain.parse_order_number(text))
        query = query.where(or_(*matches))
    return query


def iter_orders(
    db: Database,
    *,
    statuses: list[Status] | None = None,
    archived: str = "active",
    customer: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> Iterator[OrderSummary]:
    """Orders newest number first, streamed: rows are read in batches as they are
    consumed, so a listing of every order never holds them all in memory."""
    query = _order_filter(
        select(
            Order.number,
            Order.status,
            Order.archived,
            Order.customer,
            Order.total,
            Order.backorder_of,
        ),
        statuses=statuses,
        archived=archived,
        customer=customer,
        search=search,
    ).order_by(col(Order.number).desc())
    if limit is not None:
        query = query.limit(limit)
    with db.read() as session:
        for row in session.exec(query.execution_options(yield_per=_BATCH)):
            yield OrderSummary(*row)


def list_orders(db: Database, **filters: Any) -> list[OrderSummary]:
    """`iter_orders`, all at once."""
    return list(iter_orders(db, **filters))


def partially_shipped_numbers(db: Database, *, customer: str | None = None) -> list[int]:
    """What `create --all` takes: every partially shipped order not canceled or archived,
    oldest first."""
    query = _order_filter(
        select(Order.number), statuses=[Status.PARTIALLY_SHIPPED], customer=customer
    ).order_by(Order.number)
    with db.read() as session:
        return list(session.exec(query))


def uninvoiced_numbers(db: Database, *, customer: str | None = None) -> list[int]:
    """What `invoice --all` takes: every order with shipped, uninvoiced quantities that
    is not a draft, canceled or archived, oldest first."""
    query = (
        _order_filter(select(Order.number).distinct(), customer=customer)
        .join(OrderLine, col(OrderLine.order_id) == col(Order.id))
        .where(col(Order.status).in_([Status.PARTIALLY_SHIPPED.value, Status.SHIPPED.value]))
        .where(col(OrderLine.shipped) > col(OrderLine.invoiced))
        .order_by(Order.number)
    )
    with db.read() as session:
        return list(session.exec(query))


def get_order(db: Database, number: int) -> OrderDetail:
    with db.read() as session:
        order = _find_order(session, number)
        lines = _lines(session, order)
        invoices = session.exec(
            select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.number)
        )
        history = session.exec(
            select(History).where(History.order_id == order.id).order_by(History.id)
        )
        backorders = session.exec(
            select(Order.number).where(Order.backorder_of == order.number).order_by(Order.number)
        )
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
            lines=[
                LineView(
                    line.sku,
                    line.name,
                    line.unit,
                    line.quantity,
                    line.shipped,
                    line.invoiced,
                    line.canceled,
                    domain.remaining(line),
                    line.unit_price,
                )
                for line in lines
            ],
            invoices=[InvoiceView(i.number, i.total, i.created_at) for i in invoices],
            history=[HistoryView(h.at, h.user, h.event, h.detail) for h in history],
            chain=_chain_numbers(session.connection(), order.number),
        )


# ---------------------------------------------------------------- shipping


def ship(db: Database, number: int, items: list[Item] | None) -> ShipmentResult:
    """Record a shipment. `items=None` ships everything stock on hand covers."""
    if items is not None and not items:
        raise InvalidInput("nothing to ship - give SKU=QTY, or --available")
    with db.write() as session:
        order = _find_order(session, number, lock=True)
        lines = _lines(session, order)
        products = _stock(session, [line.sku for line in lines], lock=True)
        stock = {sku: p.stock for sku, p in products.items()}
        plan = domain.plan_shipment(order, lines, stock, items)
        _apply_shipment(session, order, lines, products, plan)
        return ShipmentResult(order.number, order.status, [(ln.sku, q) for ln, q in plan])


def _apply_shipment(
    session: Session,
    order: Order,
    lines: list[OrderLine],
    products: dict[str, Product],
    plan: list[tuple[OrderLine, Decimal]],
    *,
    note: str = "",
) -> None:
    """Write a planned shipment: lines shipped, stock taken, status, history."""
    for line, quantity in plan:
        line.shipped += quantity
        session.add(line)
        product = products[line.sku]
        product.stock -= quantity
        session.add(product)
    _refresh(session, order, lines)
    _record(session, (order.id, "shipped", _list_in(plan) + note))


# ---------------------------------------------------------------- invoicing


def _write_invoice(
    session: Session | Connection,
    order_id: int,
    plan: list[tuple[Any, Decimal]],
    *,
    number: int | None = None,
    at: datetime | None = None,
) -> InvoiceResult:
    """Bill `plan` (line, quantity) on a new invoice: the next number, or the given one
    (import). Writes the invoice, its lines and the history; the caller moves the
    lines' `invoiced`, as it holds them (ORM objects or rows)."""
    conn = _conn(session)
    number = _next_number(conn, "invoice") if number is None else number
    rows = _invoice_rows(conn, plan)
    total = sum((amount for _sku, _q, amount in rows), ZERO)
    invoice_id = conn.execute(
        _INSERT_INVOICE,
        {"number": number, "order_id": order_id, "total": total, "created_at": at or utcnow()},
    ).scalar_one()
    conn.execute(
        _INSERT_INVOICE_LINES,
        [
            {"invoice_id": invoice_id, "line_id": line.id, "quantity": quantity, "amount": amount}
            for (line, quantity), (_sku, _q, amount) in zip(plan, rows, strict=True)
        ],
    )
    _record(
        session,
        (order_id, "invoiced", f"invoice #{number}: {_list_in(plan)}, total {format_money(total)}"),
    )
    order_number = conn.execute(select(ORDERS.c.number).where(ORDERS.c.id == order_id)).scalar_one()
    return InvoiceResult(order_number, number, total, rows)


def _invoice_rows(
    conn: Connection, plan: list[tuple[Any, Decimal]]
) -> list[tuple[str, Decimal, Decimal]]:
    """(SKU, quantity, amount) of each line of an invoice of `plan` (domain.invoice_amount:
    each line's invoices add up to its amount)."""
    ids = [line.id for line, _q in plan if line.id is not None]
    billed: dict[int, Decimal] = {}
    if ids:
        for line_id, amount in conn.execute(_BILLED, {"lines": ids}):
            billed[line_id] = amount  # summed as Money: already a Decimal of cents
    return [
        (line.sku, quantity, domain.invoice_amount(line, quantity, billed.get(line.id, ZERO)))
        for line, quantity in plan
    ]


def _bill(
    session: Session, order: Order, plan: list[tuple[OrderLine, Decimal]], **kw: Any
) -> InvoiceResult:
    """`_write_invoice` for ORM callers: their line objects take the invoiced quantities."""
    assert order.id is not None
    result = _write_invoice(session, order.id, plan, **kw)
    for line, quantity in plan:
        line.invoiced += quantity
        session.add(line)
    return result


def invoice_order(db: Database, number: int) -> InvoiceResult:
    """Invoice every shipped, not yet invoiced quantity of an order."""
    with db.write() as session:
        order = _find_order(session, number, lock=True)
        lines = _lines(session, order)
        plan = domain.plan_invoice(order, lines)
        result = _bill(session, order, plan)
        _refresh(session, order, lines)
        return result


# ---------------------------------------------------------------- backorders


def _plan_backorder(
    session: Session | Connection, number: int, *, invoice_first: bool, lock: bool
) -> tuple[Any, list[Any], domain.BackorderPlan]:
    """Load the order and its lines as rows (no ORM objects: the bulk path is hot) and
    let the domain decide. `lock` takes the order's row lock first (see `_find_order`)."""
    conn = _conn(session)
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
    plan = domain.plan_backorder(
        order,
        lines,
        inventory_value_on_invoicing=setting == "on",
        invoice_first=invoice_first,
        backordered_as=backordered_as,
    )
    return order, lines, plan


def _backorder_preview(
    conn: Connection, order: Any, plan: domain.BackorderPlan, next_number: int
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
    return NotAllowed(f"order #{number} changed while you were answering - run the command again")


class _NumberTaken(NotAllowed):
    """`changed_while_answering` because another user took the number shown: `got` is
    the number this order would have had (a batch counts on from it)."""

    def __init__(self, number: int, got: int) -> None:
        super().__init__(changed_while_answering(number).message)
        self.got = got


def preview_backorder(
    db: Database, number: int, *, invoice_first: bool = False
) -> BackorderPreview:
    """What `create_backorder` would do, refusals included, without writing anything.
    Pass it back as `expected=` to refuse the run if the order changed meanwhile."""
    with db.read() as session:
        order, _, plan = _plan_backorder(session, number, invoice_first=invoice_first, lock=False)
        next_number = int(session.connection().execute(_PEEK_NUMBER["order"]).scalar_one())
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
    with db.writer() as conn, db.transaction(conn):
        return _create_backorder(conn, number, invoice_first=invoice_first, expected=expected)


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
    moves = [(line, domain.remaining(line)) for line in lines if domain.remaining(line) > 0]
    amounts = {line.id: domain.split_amount(line, moved) for line, moved in moves}
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
            "comment": domain.backorder_comment(order.number),
            "status": Status.BOOKED.value,
            "archived": False,
            "backorder_of": order.number,
            "total": domain.order_total(new_lines),
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
            "total": domain.order_total(remaining_after),
            "updated_at": now,
        },
    )
    moved_text = domain.quantities_text((m.sku, m.quantity) for m in plan.moves)
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


# ---------------------------------------------------------------- import


def _existing_numbers(session: Session, kind: str, numbers: list[int]) -> set[int]:
    table = Order if kind == "order" else Invoice
    found: set[int] = set()
    for start in range(0, len(numbers), _BATCH):
        chunk = numbers[start : start + _BATCH]
        found.update(session.exec(select(table.number).where(col(table.number).in_(chunk))))
    return found


def import_text(
    db: Database,
    text: str,
    *,
    source: str,
    kind: str = "json",
    only_if_empty: bool = False,
) -> ImportResult:
    """Load products, orders and settings from an import document (`kind` 'json' or
    'csv'): all or nothing.

    `only_if_empty` refuses when the database already holds orders (for the sample).
    """
    if kind == "csv":
        data, places, earlier = parse_csv(text, source=source)
    else:
        data, places, earlier = load_json(text, source=source), Places(), []
    with db.write() as session:
        if only_if_empty:
            # The order counter's row lock first: two loads at once (`init --sample` in
            # two processes on a server) take turns, and the second counts the first's
            # orders instead of colliding with them.
            session.connection().execute(
                select(COUNTER.c.value).where(COUNTER.c.name == "order").with_for_update()
            )
            count = session.exec(select(func.count()).select_from(Order)).one()
            if count:
                raise NotAllowed(
                    f"the database already holds {count} order{'s' if count != 1 else ''} - "
                    "load the sample into a new database: `backorder --db sample.db init --sample`"
                )
        known = {
            p.sku: ProductRow(p.sku, p.name, p.unit, p.price, p.stock)
            for p in session.exec(select(Product))
        }
        plan = parse_document(
            data,
            source=source,
            known_products=known,
            existing=lambda kind, numbers: _existing_numbers(session, kind, numbers),
            places=places,
            earlier=earlier,
        )
        money = _settle(plan)
        broken = _import_violations(session.connection(), plan, money)
        if broken:
            raise refusal(source, broken)
        invoices = _apply_import(session, plan, money, source=source)
        return ImportResult(len(plan.products), len(plan.orders), invoices, plan.settings)


def _settle(plan: ImportPlan) -> dict[int, list[domain.LineMoney]]:
    """The money of every imported line by the tool's own rule, each backorder taking
    its part of its origin's (the invoices then bill it)."""
    return domain.settle_money(
        {
            row.number: (
                row.backorder_of,
                [domain.LineFacts(r.sku, r.quantity, r.canceled, r.unit_price) for r in row.lines],
            )
            for row in plan.orders
        }
    )


def _import_violations(
    conn: Connection, plan: ImportPlan, money: dict[int, list[domain.LineMoney]]
) -> list[str]:
    """What `check` would find broken once the plan is written, placed in the file: the
    domain's rules of each order, each backorder holding what its origin canceled
    (origins and backorders in the file or already in the database), and no loop of
    backorder links. Read-only, so a refusal writes nothing."""
    problems: list[str] = []
    in_file = {order.number: order for order in plan.orders}
    lines_of: dict[int, list[_Line]] = {}
    for order in plan.orders:
        lines = lines_of[order.number] = [
            _Line(
                r.sku,
                r.name,
                r.unit,
                r.quantity,
                r.shipped,
                r.invoiced,
                r.canceled,
                r.unit_price,
                m.amount,
                m.backordered,
                m.backordered_amount,
            )
            for r, m in zip(order.lines, money[order.number], strict=True)
        ]
        total = domain.order_total(lines)
        for v in domain.order_violations(order.number, order.status.value, total, lines):
            problems.append(f"{order.where}: {v}")

    # Backorders against their origins, SKU by SKU, as `check` compares them.
    links = {o.number: o.backorder_of for o in plan.orders if o.backorder_of is not None}
    # Stored orders that already name an imported number as their origin.
    stored_links = dict(_rows_in(conn, _LINKS_TO, sorted(in_file)))
    origins = set(links.values()) | set(stored_links.values())
    canceled: dict[int, dict[str, Decimal]] = {n: {} for n in origins}
    held: dict[int, dict[str, Decimal]] = {n: {} for n in origins}
    for order in plan.orders:
        for line in lines_of[order.number]:
            # What was canceled into backorders (not what was canceled before).
            if order.number in origins and line.backordered:
                side = canceled[order.number]
                side[line.sku] = side.get(line.sku, ZERO) + line.backordered
            if order.backorder_of is not None:
                side = held[order.backorder_of]
                side[line.sku] = side.get(line.sku, ZERO) + line.quantity
    stored_origins = sorted(origins - set(in_file))
    for number, sku, quantity in _rows_in(conn, _CANCELED_ON, stored_origins):
        canceled[number][sku] = canceled[number].get(sku, ZERO) + quantity
    for origin, sku, quantity in _rows_in(conn, _HELD_FOR, sorted(origins)):
        held[origin][sku] = held[origin].get(sku, ZERO) + quantity

    def place(origin: int) -> str:
        """A backorder in the file that names this origin, else the origin itself."""
        for number, above in links.items():
            if above == origin:
                return f"{in_file[number].where}.backorder_of"
        return in_file[origin].where

    for origin in sorted(origins):
        for v in domain.backorder_violations(origin, canceled[origin], held[origin]):
            problems.append(f"{place(origin)}: {v}")

    # Loops: walk up from each imported backorder, through the file and the database.
    stored: dict[int, int | None] = {}

    def origin_of(number: int) -> int | None:
        if number in in_file:
            return in_file[number].backorder_of
        if number not in stored:
            stored[number] = conn.execute(_ORIGIN_OF, {"number": number}).scalar()
        return stored[number]

    looped: set[int] = set()
    for number in sorted(links):
        loop = domain.backorder_loop(number, origin_of)
        if loop is not None and not looped & set(loop):
            looped.update(loop)
            where = min((n for n in loop if n in in_file), default=number)
            problems.append(f"{in_file[where].where}.backorder_of: {domain.loop_violation(loop)}")
    return problems


_LINKS_TO = select(ORDERS.c.number, ORDERS.c.backorder_of).where(
    ORDERS.c.backorder_of.in_(bindparam("numbers", expanding=True))
)
_CANCELED_ON = (  # canceled into backorders
    select(ORDERS.c.number, LINES.c.sku, LINES.c.backordered)
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.number.in_(bindparam("numbers", expanding=True)), LINES.c.backordered > 0)
)
_HELD_FOR = (
    select(ORDERS.c.backorder_of, LINES.c.sku, LINES.c.quantity)
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.backorder_of.in_(bindparam("numbers", expanding=True)))
)


def _rows_in(conn: Connection, query: Any, numbers: list[int]) -> Iterator[Any]:
    """`query` for every number of a long list, a batch at a time (SQLite and servers
    cap the parameters of one statement)."""
    for start in range(0, len(numbers), _BATCH):
        yield from conn.execute(query, {"numbers": numbers[start : start + _BATCH]})


def _apply_import(
    session: Session,
    plan: ImportPlan,
    money: dict[int, list[domain.LineMoney]],
    *,
    source: str,
) -> int:
    for key, value in plan.settings.items():
        row = session.get(Setting, key, with_for_update=True) or Setting(key=key, value=value)
        row.value = value
        session.add(row)
    for p in plan.products:
        session.add(Product(sku=p.sku, name=p.name, unit=p.unit, price=p.price, stock=p.stock))
    session.flush()
    if plan.orders:
        _raise_counter(session, "order", max(o.number for o in plan.orders))
    named = [inv.number for o in plan.orders for inv in o.invoices or []]
    if named:
        _raise_counter(session, "invoice", max(named))
    conn = session.connection()
    invoices = 0
    # The lines' money by the tool's own rule, each backorder taking its part of its
    # origin's (the invoices below then bill it).
    money = domain.settle_money(
        {
            row.number: (
                row.backorder_of,
                [domain.LineFacts(r.sku, r.quantity, r.canceled, r.unit_price) for r in row.lines],
            )
            for row in plan.orders
        }
    )
    for row in plan.orders:
        try:
            domain.check_order_value((r.quantity, r.unit_price) for r in row.lines)
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: order #{row.number}: {exc.message}") from None
    # Core statements, many rows each, in batches: the ORM took seconds per thousand
    # orders, and an export is imported back whole (a backup restored).
    for start in range(0, len(plan.orders), _BATCH):
        batch = plan.orders[start : start + _BATCH]
        invoices += _import_orders(conn, batch, money, source=source)
    return invoices


_IDS_OF_NUMBERS = select(ORDERS.c.number, ORDERS.c.id).where(
    ORDERS.c.number.in_(bindparam("numbers", expanding=True))
)
_LINE_IDS_OF_ORDERS = (
    select(LINES.c.order_id, LINES.c.id)
    .where(LINES.c.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(LINES.c.order_id, LINES.c.position)
)


def _import_orders(
    conn: Connection,
    rows: list[OrderRow],
    money: dict[int, list[domain.LineMoney]],
    *,
    source: str,
) -> int:
    """Write a batch of checked orders with their lines (and their money, settled by
    the domain's rule), history and invoices: plain many-row inserts, the ids read back
    after (INSERT ... RETURNING of many rows costs a server driver more than the
    inserts)."""
    now = utcnow()
    conn.execute(
        insert(ORDERS),
        [
            {
                "number": row.number,
                "customer": row.customer,
                "comment": row.comment,
                "status": domain.order_status(row.status, row.lines).value,
                "archived": row.archived,
                "backorder_of": row.backorder_of,
                "total": sum((m.amount for m in money[row.number]), ZERO),
                "created_at": row.created_at or now,
                "updated_at": now,
            }
            for row in rows
        ],
    )
    id_of = dict(conn.execute(_IDS_OF_NUMBERS, {"numbers": [row.number for row in rows]}).all())
    order_ids = [id_of[row.number] for row in rows]
    conn.execute(
        _INSERT_LINES,
        [
            {
                "order_id": order_id,
                "position": position,
                "sku": r.sku,
                "name": r.name,
                "unit": r.unit,
                "quantity": r.quantity,
                "unit_price": r.unit_price,
                "shipped": r.shipped,
                "invoiced": r.invoiced,
                "canceled": r.canceled,
                "amount": settled.amount,
                "backordered": settled.backordered,
                "backordered_amount": settled.backordered_amount,
            }
            for order_id, row in zip(order_ids, rows, strict=True)
            for position, (r, settled) in enumerate(
                zip(row.lines, money[row.number], strict=True), start=1
            )
        ],
    )
    _record(conn, *((order_id, "imported", f"from {source}") for order_id in order_ids))
    billed_orders = [
        (order_id, row)
        for order_id, row in zip(order_ids, rows, strict=True)
        if row.invoices or any(r.invoiced > 0 for r in row.lines)
    ]
    line_ids: dict[int, list[int]] = {}
    if billed_orders:
        for order_id, line_id in conn.execute(
            _LINE_IDS_OF_ORDERS, {"ids": [order_id for order_id, _row in billed_orders]}
        ):
            line_ids.setdefault(order_id, []).append(line_id)
    invoices = 0
    for order_id, row in billed_orders:
        # The lines as invoicing sees them: invoiced so far, counted up invoice by invoice.
        lines = [
            _ImportedLine(
                r.sku,
                r.name,
                r.unit,
                r.quantity,
                r.shipped,
                ZERO,
                r.canceled,
                r.unit_price,
                settled.amount,
                settled.backordered,
                settled.backordered_amount,
                id=i,
            )
            for r, i, settled in zip(row.lines, line_ids[order_id], money[row.number], strict=True)
        ]
        if row.invoices is not None:
            by_sku = {line.sku: line for line in lines}
            bills = [[(by_sku[sku], q) for sku, q in inv.lines] for inv in row.invoices]
            named = [(inv.number, inv.created_at) for inv in row.invoices]
        else:
            # Invoiced quantities without invoices in the file get one invoice of their
            # own, so every invoiced quantity belongs to an invoice with a number.
            bills = [
                [(ln, r.invoiced) for ln, r in zip(lines, row.lines, strict=True) if r.invoiced > 0]
            ]
            named = [(None, None)]
        for bill, (number, at) in zip(bills, named, strict=True):
            _write_invoice(conn, order_id, bill, number=number, at=at)
            for line, quantity in bill:
                line.invoiced += quantity
            invoices += 1
    return invoices


@dataclass
class _ImportedLine(_Line):
    id: int = 0


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no file {path} - check the path") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder - give an import file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text - save it as UTF-8") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def import_file(db: Database, path: Path) -> ImportResult:
    """Import a .csv file as CSV, anything else as JSON."""
    kind = "csv" if path.suffix.lower() == ".csv" else "json"
    return import_text(db, _read_text(path), source=path.name, kind=kind)


def import_stream(db: Database, data: bytes, *, source: str = "stdin") -> ImportResult:
    """Import a document read whole from a stream: CSV when it starts with a column
    name (a letter), else JSON (which starts with '{')."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{source} is not UTF-8 text - send it as UTF-8") from None
    kind = "csv" if text.lstrip("\ufeff \t\r\n")[:1].isalpha() else "json"
    return import_text(db, text, source=source, kind=kind)


def sample_path() -> Path:
    """The sample company: inside the installed package, or in the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "sample_data", here.parent / "sample_data"):
        if (candidate / "company.json").is_file():
            return candidate / "company.json"
    raise NotFound("the sample data is missing from this installation - reinstall backorder")


def load_sample(db: Database) -> ImportResult:
    """Load the sample company; refused when the database already holds orders."""
    path = sample_path()
    return import_text(db, _read_text(path), source=f"sample_data/{path.name}", only_if_empty=True)


# ---------------------------------------------------------------- many orders at once


@dataclass(frozen=True)
class BackorderOutcome:
    """One order of a bulk `create`: done (with its new number) or refused (why)."""

    order: int
    ok: bool
    backorder: int | None = None
    invoice: int | None = None  # made first, with --invoice
    invoice_total: Decimal | None = None
    error: str | None = None


@dataclass(frozen=True)
class InvoiceOutcome:
    order: int
    ok: bool
    invoice: int | None = None
    total: Decimal | None = None
    error: str | None = None


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
    with db.writer() as conn:
        for number in numbers:
            shown = expected.get(number) if expected is not None else None
            if shown is not None:
                shown = dataclasses.replace(shown, next_number=shown.next_number + shift)
            try:
                with db.transaction(conn):
                    result = _create_backorder(
                        conn, number, invoice_first=invoice_first, expected=shown
                    )
            except BackorderError as exc:
                if shown is not None:
                    shift -= 1  # took no number
                    if isinstance(exc, _NumberTaken):
                        shift += exc.got - shown.next_number
                yield BackorderOutcome(number, False, error=exc.message)
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
            yield BackorderOutcome(number, False, error=exc.message)
        else:
            yield dataclasses.replace(preview, next_number=preview.next_number + offset)
            offset += 1


def invoice_orders(db: Database, numbers: Iterable[int]) -> Iterator[InvoiceOutcome]:
    """Invoice each order in its own transaction, reporting refusals and going on."""
    for number in numbers:
        try:
            result = invoice_order(db, number)
        except BackorderError as exc:
            yield InvoiceOutcome(number, False, error=exc.message)
        else:
            yield InvoiceOutcome(number, True, invoice=result.number, total=result.total)


# ---------------------------------------------------------------- export


def export_header(db: Database) -> dict[str, Any]:
    """Settings and the whole catalogue, as the import format has them."""
    with db.read() as session:
        settings = {key: _setting(session, key) for key in domain.SETTINGS}
        products = [
            {"sku": p.sku, "name": p.name, "unit": p.unit, "price": p.price, "stock": p.stock}
            for p in session.exec(select(Product).order_by(Product.sku))
        ]
    return {"format": FORMAT, "settings": settings, "products": products}


def iter_export(db: Database, *, archived: str = "active") -> Iterator[dict[str, Any]]:
    """Orders in the import format, oldest first, with every quantity, the archived
    flag, the backorder link and the invoices: importing them rebuilds the same orders.
    Streamed in batches."""
    # Plain rows, not ORM objects: each batch's lines and invoices are expunged to keep
    # memory flat, and expunging while the ORM still loads this query's rows into the
    # session broke every export after the first batch (issue 11, item 1).
    query = _order_filter(select(ORDERS), archived=archived).order_by(ORDERS.c.number)
    with db.read() as session:
        batch: list[Any] = []
        for order in session.connection().execute(query.execution_options(yield_per=_BATCH)):
            batch.append(order)
            if len(batch) == _BATCH:
                yield from _export_batch(session, batch)
                batch = []
        yield from _export_batch(session, batch)


def _export_batch(session: Session, orders: list[Any]) -> Iterator[dict[str, Any]]:
    if not orders:
        return
    ids = [o.id for o in orders]
    lines: dict[int, list[OrderLine]] = {}
    for line in session.exec(
        select(OrderLine).where(col(OrderLine.order_id).in_(ids)).order_by(OrderLine.position)
    ):
        lines.setdefault(line.order_id, []).append(line)
    skus = {line.id: line.sku for group in lines.values() for line in group}
    invoices: dict[int, list[dict[str, Any]]] = {}
    billed: dict[int, list[dict[str, Any]]] = {}
    rows = session.exec(
        select(Invoice).where(col(Invoice.order_id).in_(ids)).order_by(Invoice.number)
    ).all()
    for item in session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_([i.id for i in rows]))
        .order_by(InvoiceLine.id)
    ):
        billed.setdefault(item.invoice_id, []).append(
            {"sku": skus[item.line_id], "quantity": item.quantity}
        )
    for inv in rows:
        invoices.setdefault(inv.order_id, []).append(
            {"number": inv.number, "created_at": inv.created_at, "lines": billed.get(inv.id, [])}
        )
    for order in orders:
        yield {
            "number": order.number,
            "customer": order.customer,
            "comment": order.comment,
            "status": order.status,
            "archived": order.archived,
            "backorder_of": order.backorder_of,
            "created_at": order.created_at,
            "lines": [
                {
                    "sku": ln.sku,
                    "name": ln.name,
                    "unit": ln.unit,
                    "quantity": ln.quantity,
                    "unit_price": ln.unit_price,
                    "shipped": ln.shipped,
                    "invoiced": ln.invoiced,
                    "canceled": ln.canceled,
                }
                for ln in lines.get(order.id, [])
            ],
            "invoices": invoices.get(order.id, []),
        }
    session.expunge_all()  # keep memory flat over a long export


# ---------------------------------------------------------------- check


def _scaled(value: Any, places: int) -> Decimal:
    """A stored scaled integer read raw, so a hand-edited value is reported, not fatal.
    (A server's SUM of integers comes back as a whole Decimal: that is one too.)"""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number of {10**-places} units")
    return Decimal(value).scaleb(-places)


def check_database(db: Database) -> Iterator[domain.Violation]:
    """Every broken invariant in the database, read-only, streamed.

    Reads the tables with plain SQL and converts values itself, so a database edited by
    hand (a float in a quantity, a line without its order) is reported, not a crash.
    """
    from sqlalchemy import text

    q, m = domain.QUANTITY_PLACES, domain.MONEY_PLACES
    V = domain.Violation
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute
        for table, label in (("orders", "order"), ("invoices", "invoice")):
            for number, count in rows(
                text(f"SELECT number, COUNT(*) FROM {table} GROUP BY number HAVING COUNT(*) > 1")
            ):
                yield V(f"{label} number #{number} is used {count} times")
        for name, value in rows(text("SELECT name, value FROM counter")):
            table = "orders" if name == "order" else "invoices"
            highest = rows(text(f"SELECT MAX(number) FROM {table}")).scalar() or 0
            if value < highest:
                yield V(f"the {name} series stands at {value}, below #{highest} already used")
        for sku, stock in rows(text("SELECT sku, stock FROM product ORDER BY sku")):
            try:
                if _scaled(stock, q) < 0:
                    yield V(f"stock of {sku} is negative ({format_quantity(_scaled(stock, q))})")
            except ValueError as exc:
                yield V(f"stock of {sku}: {exc}")
        for number, origin in rows(
            text(
                "SELECT o.number, o.backorder_of FROM orders o WHERE o.backorder_of IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.number = o.backorder_of)"
            )
        ):
            yield V(f"is a backorder of order #{origin}, which does not exist", number)
        for line_id, order_id in rows(
            text(
                "SELECT l.id, l.order_id FROM order_lines l "
                "WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id)"
            )
        ):
            yield V(f"order line {line_id} belongs to no order (order id {order_id})")

        # A schema older than 3 is read as it is (check never upgrades): its lines have
        # no money columns, and its totals follow the rule of its time.
        version = rows(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
        money = str(version).isdigit() and int(str(version)) >= 3
        yield from _check_orders(conn, money=money)
        yield from _check_backorders(conn, money=money)
        yield from _check_dates(conn)
        yield from _check_loops(conn)

        lines_sum = (
            "(SELECT COALESCE(SUM(il.amount), 0) FROM invoice_lines il WHERE il.invoice_id = i.id)"
        )
        for number, order_number, total, billed in rows(
            text(
                f"SELECT i.number, o.number, i.total, {lines_sum} FROM invoices i "
                f"JOIN orders o ON o.id = i.order_id WHERE i.total <> {lines_sum} "
                "ORDER BY i.number"
            )
        ):
            if total != billed:
                yield V(
                    f"invoice #{number} totals {format_money(_scaled(total, m))} but its lines "
                    f"add up to {format_money(_scaled(billed, m))}",
                    order_number,
                )


# Where dates are kept, and how a problem with each is placed: (table alias and join,
# column, words for it). Only SQLite can hold a date that is not one (it keeps text).
_DATES = (
    ("orders o", "o.created_at", "created_at"),
    ("orders o", "o.updated_at", "updated_at"),
    ("history h JOIN orders o ON o.id = h.order_id", "h.at", "a history entry's at"),
    (
        "invoices i JOIN orders o ON o.id = i.order_id",
        "i.created_at",
        "invoice #{number}'s created_at",
    ),
)


def _check_dates(conn: Connection) -> Iterator[domain.Violation]:
    """Dates that cannot be read (edited by hand on SQLite). SQL finds every value not
    in the form the tool writes; each is then tried with the reader the tool uses, so a
    date another tool wrote in another ISO form is not reported."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return  # a server's timestamp column holds only dates
    read = UtcDateTime().dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    for source, column, words in _DATES:
        extra = ", i.number" if source.startswith("invoices") else ", NULL"
        for order, value, number in conn.execute(
            text(
                f"SELECT o.number, {column}{extra} FROM {source} WHERE typeof({column}) <> 'text' "
                f"OR NOT ({column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
                f"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' "
                f"AND datetime(substr({column}, 1, 19)) IS substr({column}, 1, 19) "
                f"AND (length({column}) = 19 OR {column} GLOB "
                "'????-??-?? ??:??:??.[0-9][0-9][0-9][0-9][0-9][0-9]')) "
                f"ORDER BY o.number"
            ).columns()
        ):
            try:
                read(value)
            except BackorderError:
                shown = repr(value if len(str(value)) <= 40 else f"{str(value)[:40]}...")
                what = words.format(number=number)
                yield domain.Violation(f"{what} {shown} is not a date", order)


def _suspect_orders(conn: Connection, *, money: bool) -> list[int]:
    """Orders that may break a rule, found by SQL over integers: lines out of bounds,
    status or total that disagree with the lines (one pass over the lines, grouped by
    order), and invoiced quantities or amounts that disagree with the invoices. A
    superset: each suspect is then checked exactly by the domain's rules. Without
    `money` (a schema older than 3, read as it is) totals follow the old rule."""
    from sqlalchemy import text

    sqlite = conn.dialect.name == "sqlite"
    amounts = ("quantity", "shipped", "invoiced", "canceled", "unit_price")
    if money:
        amounts += ("amount", "backordered", "backordered_amount")
    not_integers = (
        " OR " + " OR ".join(f"typeof({c}) <> 'integer'" for c in amounts) if sqlite else ""
    )
    bad_money = (
        " OR amount < 0 OR backordered_amount < 0 OR backordered < 0 OR backordered > canceled "
        "OR (quantity = canceled AND amount <> 0) OR (backordered = 0 AND backordered_amount <> 0)"
        if money
        else ""
    )
    bad_line = (
        "quantity <= 0 OR shipped < 0 OR invoiced < 0 OR canceled < 0 OR unit_price < 0 "
        f"OR shipped + canceled > quantity OR invoiced > shipped{bad_money}{not_integers}"
    )
    if money:
        cents = "amount"
    else:
        # Cents of a line, rounded half-up; NUMERIC on servers, where bigint would overflow.
        value = (
            "(quantity - canceled) * unit_price"
            if sqlite
            else ("CAST(quantity - canceled AS NUMERIC) * unit_price")
        )
        cents = f"({value} + 50000) / 100000" if sqlite else f"FLOOR(({value} + 50000) / 100000)"
    # Driven from the lines' aggregates, each joined to its order by primary key (a
    # join the other way round would index the aggregates first: half as fast again).
    orders = text(
        "SELECT o.id FROM ("
        "SELECT order_id, "
        f"SUM(CASE WHEN {bad_line} THEN 1 ELSE 0 END) AS bad, "
        "SUM(CASE WHEN shipped > 0 THEN 1 ELSE 0 END) AS shipped, "
        "SUM(CASE WHEN quantity - shipped - canceled > 0 THEN 1 ELSE 0 END) AS remaining, "
        "SUM(CASE WHEN shipped > invoiced THEN 1 ELSE 0 END) AS uninvoiced, "
        f"SUM({cents}) AS cents FROM order_lines GROUP BY order_id"
        ") a JOIN orders o ON o.id = a.order_id WHERE a.bad > 0 OR o.total <> a.cents "
        "OR (o.status = 'canceled' AND a.remaining > 0) "
        "OR (o.status = 'draft' AND a.shipped > 0) "
        "OR (o.status NOT IN ('draft', 'canceled') AND o.status <> CASE "
        "WHEN a.shipped = 0 THEN 'booked' WHEN a.remaining > 0 THEN 'partially_shipped' "
        "WHEN a.uninvoiced > 0 THEN 'shipped' ELSE 'invoiced' END)"
        + (" OR typeof(o.total) <> 'integer'" if sqlite else "")
    )
    without_lines = text(
        "SELECT o.id FROM orders o "
        "WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
    )
    found = {order_id for (order_id,) in conn.execute(orders)}
    found.update(order_id for (order_id,) in conn.execute(without_lines))
    found.update(_suspect_invoiced(conn, money=money))
    return sorted(found)


# Each line's invoiced quantity and amount against its invoice lines, summed per line in
# one pass over the invoice lines (a look-up per order line costs twice as much on a big
# database). Lines with no invoice line at all are covered by counting: every line with
# something invoiced must be among the lines the pass saw.
_INVOICED_PER_LINE = (
    "FROM (SELECT line_id, SUM(quantity) AS s, SUM(amount) AS a FROM invoice_lines "
    "GROUP BY line_id) x JOIN order_lines l ON l.id = x.line_id"
)
# A line whose invoices bill other than its amount, once all of it is invoiced, or more.
_MISBILLED = "(x.a > l.amount OR (l.invoiced = l.quantity - l.canceled AND x.a <> l.amount))"


def _suspect_invoiced(conn: Connection, *, money: bool) -> list[int]:
    """Orders with a line whose invoiced quantity is not what its invoices bill (or,
    with `money`, whose invoices do not add up to its amount)."""
    from sqlalchemy import text

    wrong_line = f"l.invoiced <> x.s OR {_MISBILLED}" if money else "l.invoiced <> x.s"
    wrong, seen = conn.execute(
        text(
            f"SELECT COALESCE(SUM(CASE WHEN {wrong_line} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN l.invoiced <> 0 THEN 1 ELSE 0 END), 0) {_INVOICED_PER_LINE}"
        )
    ).one()
    billed = conn.execute(text("SELECT COUNT(*) FROM order_lines WHERE invoiced <> 0")).scalar()
    if not wrong and seen == billed:
        return []
    # Something is off: find the orders, line by line.
    found = {
        order_id
        for (order_id,) in conn.execute(
            text(
                "SELECT DISTINCT l.order_id FROM order_lines l WHERE l.invoiced <> "
                "(SELECT COALESCE(SUM(il.quantity), 0) FROM invoice_lines il "
                "WHERE il.line_id = l.id)"
            )
        )
    }
    if money and wrong:
        found.update(
            order_id
            for (order_id,) in conn.execute(
                text(f"SELECT DISTINCT l.order_id {_INVOICED_PER_LINE} WHERE {_MISBILLED}")
            )
        )
    return sorted(found)


def _check_orders(conn: Connection, *, money: bool) -> Iterator[domain.Violation]:
    """The domain's rules, exactly, on every suspect order."""
    from sqlalchemy import text

    q, p, m = domain.QUANTITY_PLACES, domain.PRICE_PLACES, domain.MONEY_PLACES
    suspects = _suspect_orders(conn, money=money)
    columns = "l.amount, l.backordered, l.backordered_amount" if money else "0, 0, 0"
    for start in range(0, len(suspects), _BATCH):
        ids = suspects[start : start + _BATCH]
        marks = ", ".join(str(int(i)) for i in ids)  # ids read from the database: integers
        groups: dict[int, list[tuple]] = {}
        for row in conn.execute(
            text(
                "SELECT l.order_id, l.sku, l.name, l.unit, l.quantity, l.shipped, l.invoiced, "
                f"l.canceled, l.unit_price, {columns}, "
                "(SELECT COALESCE(SUM(il.quantity), 0) FROM invoice_lines il "
                "WHERE il.line_id = l.id), "
                "(SELECT COALESCE(SUM(il.amount), 0) FROM invoice_lines il "
                "WHERE il.line_id = l.id) "
                f"FROM order_lines l WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.position"
            )
        ):
            groups.setdefault(row[0], []).append(row)
        for order_id, number, status, total in conn.execute(
            text(f"SELECT id, number, status, total FROM orders WHERE id IN ({marks}) ORDER BY id")
        ):
            group = groups.get(order_id, [])
            try:
                parsed = []
                for row in group:
                    _, sku, name, unit, qty, sh, inv, can, price, amount, bo, bo_amount = row[:12]
                    line = _Line(
                        sku,
                        name,
                        unit,
                        _scaled(qty, q),
                        _scaled(sh, q),
                        _scaled(inv, q),
                        _scaled(can, q),
                        _scaled(price, p),
                        _scaled(amount, m),
                        _scaled(bo, q),
                        _scaled(bo_amount, m),
                    )
                    if not money:  # the old rule, as that schema's tool wrote it
                        line.amount = domain.line_amount(
                            line.quantity - line.canceled, line.unit_price
                        )
                        line.backordered = line.canceled
                    parsed.append(line)
                invoiced = [_scaled(row[12], q) for row in group]
                billed = [_scaled(row[13], m) for row in group]
                order_total = _scaled(total, m)
            except ValueError as exc:
                yield domain.Violation(f"a stored value cannot be read: {exc}", number)
                continue
            yield from domain.order_violations(number, status, order_total, parsed)
            for position, (line, on_invoices, amount) in enumerate(
                zip(parsed, invoiced, billed, strict=True), 1
            ):
                if on_invoices != line.invoiced:
                    yield domain.Violation(
                        f"invoiced {format_quantity(line.invoiced)} but its invoices bill "
                        f"{format_quantity(on_invoices)}",
                        number,
                        position,
                        line.sku,
                    )
                elif money:
                    for problem in domain.billing_violations(line, amount):
                        yield domain.Violation(problem, number, position, line.sku)


def _check_backorders(conn: Connection, *, money: bool) -> Iterator[domain.Violation]:
    """Each backorder holds what its origin moved to it (not what the origin canceled
    before), quantity and money: both sides summed per origin and SKU, and compared, by
    SQL; only the disagreements reach Python. A backorder whose origin is missing is
    reported on its own, so it is left out here."""
    from sqlalchemy import text

    moved, moved_amount, held_amount = (
        ("l.backordered", "l.backordered_amount", "l.amount + l.backordered_amount")
        if money
        else ("l.canceled", "0", "0")
    )
    rows = conn.execute(
        text(
            "SELECT origin, sku, SUM(c), SUM(h), SUM(cm), SUM(hm) FROM ("
            f"SELECT o.number AS origin, l.sku AS sku, {moved} AS c, 0 AS h, "
            f"{moved_amount} AS cm, 0 AS hm "
            "FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.number IN "
            "(SELECT backorder_of FROM orders WHERE backorder_of IS NOT NULL) "
            "UNION ALL "
            f"SELECT b.backorder_of, l.sku, 0, l.quantity, 0, {held_amount} "
            "FROM orders b JOIN order_lines l ON l.order_id = b.id "
            "WHERE b.backorder_of IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM orders p WHERE p.number = b.backorder_of)"
            ") sides GROUP BY origin, sku HAVING SUM(c) <> SUM(h) OR SUM(cm) <> SUM(hm) "
            "ORDER BY origin, sku"
        )
    ).all()
    for origin, group in itertools.groupby(rows, key=lambda row: row[0]):
        canceled: dict[str, Decimal] = {}
        held: dict[str, Decimal] = {}
        was_amount: dict[str, Decimal] = {}
        held_amounts: dict[str, Decimal] = {}
        try:
            for _origin, sku, was, now, was_m, now_m in group:
                canceled[sku] = _scaled(was, domain.QUANTITY_PLACES)
                held[sku] = _scaled(now, domain.QUANTITY_PLACES)
                was_amount[sku] = _scaled(was_m, domain.MONEY_PLACES)
                held_amounts[sku] = _scaled(now_m, domain.MONEY_PLACES)
        except ValueError:
            continue  # an unreadable quantity is reported with its order
        yield from domain.backorder_violations(origin, canceled, held, was_amount, held_amounts)


def _check_loops(conn: Connection) -> Iterator[domain.Violation]:
    """Backorder links that go round in a loop (only a hand edit or an old import makes
    one): every link read once, each loop reported once."""
    links = dict(
        conn.execute(
            select(ORDERS.c.number, ORDERS.c.backorder_of).where(ORDERS.c.backorder_of.isnot(None))
        ).all()
    )
    looped: set[int] = set()
    for number in sorted(links):
        if number in looped:
            continue
        loop = domain.backorder_loop(number, links.get)
        if loop is not None and not looped & set(loop):
            looped.update(loop)
            yield domain.loop_violation(loop)


def count_orders(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Order)).one()


# ---------------------------------------------------------------- after the backorder


@dataclass(frozen=True)
class ReadyOutcome:
    """One order's result of `ship_ready`."""

    order: int
    ok: bool
    cover: str
    status: str | None = None
    shipped: list[tuple[str, Decimal]] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class UndoPreview:
    number: int
    origin: int
    customer: str
    lines: list[tuple[str, Decimal]]  # sku, quantity going back


@dataclass(frozen=True)
class UndoResult:
    number: int
    origin: int
    origin_status: str
    lines: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class ChainLink:
    """One order of a backorder chain, with what it still waits for."""

    number: int
    status: str
    archived: bool
    customer: str
    backorder_of: int | None
    created_at: datetime
    remaining: list[tuple[str, Decimal]]  # sku, remaining > 0, in line order


@dataclass(frozen=True)
class ReportRow:
    """One row of `backorder report`: a SKU, a customer or an age band."""

    key: str
    orders: int
    lines: int
    value: Decimal  # open backordered quantities at their unit prices
    quantity: Decimal | None = None  # by SKU only: open backordered quantity
    name: str | None = None  # by SKU only
    on_hand: Decimal | None = None  # by SKU only
    shortfall: Decimal | None = None  # by SKU only: what to buy
    oldest_days: int | None = None  # by customer only


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    user: str
    order: int
    event: str
    detail: str


_WAITING = (Status.BOOKED.value, Status.PARTIALLY_SHIPPED.value)


def ready_orders(db: Database) -> list[domain.Allocation]:
    """Which waiting orders stock on hand covers now, in whole or in part (whole lines),
    allocated backorders first and then oldest first (`domain.allocate_lines`).
    Streams the waiting lines and keeps only the orders that get something."""

    def unscale(lines: list[tuple[int, str, int]]) -> list[tuple[int, str, Decimal]]:
        return [(p, sku, Decimal(q).scaleb(-domain.QUANTITY_PLACES)) for p, sku, q in lines]

    # The waiting lines in the allocation's priority order (backorders first, then by
    # creation time and number), as scaled integers straight from the database: a
    # million-order database has a million and more waiting lines, and only the few
    # orders that get stock are ever turned into Decimals and datetimes.
    remaining = LINES.c.quantity - LINES.c.shipped - LINES.c.canceled
    waiting_lines = (
        select(ORDERS.c.number, LINES.c.position, LINES.c.sku, type_coerce(remaining, BigInteger))
        .join(LINES, LINES.c.order_id == ORDERS.c.id)
        .where(ORDERS.c.status.in_(_WAITING), ORDERS.c.archived.is_(False), remaining > 0)
        .order_by(
            case((ORDERS.c.backorder_of.is_(None), 1), else_=0),
            ORDERS.c.created_at,
            ORDERS.c.number,
            LINES.c.position,
        )
    )
    scaled_stock = select(PRODUCTS.c.sku, type_coerce(PRODUCTS.c.stock, BigInteger)).where(
        PRODUCTS.c.stock > 0
    )
    with db.read() as session:
        conn = session.connection()
        stock = {sku: int(q) for sku, q in conn.execute(scaled_stock)}
        rows = conn.execution_options(yield_per=5000).execute(waiting_lines)
        orders = (
            (number, [(p, sku, int(q)) for _n, p, sku, q in group])
            for number, group in itertools.groupby(rows, key=lambda row: row[0])
        )
        found = list(domain.allocate_lines(orders, stock))
        rows.close()
        heads: dict[int, Any] = {}
        numbers = [number for number, _s, _w in found]
        for start in range(0, len(numbers), _BATCH):
            for head in conn.execute(
                select(
                    ORDERS.c.number, ORDERS.c.customer, ORDERS.c.backorder_of, ORDERS.c.created_at
                ).where(ORDERS.c.number.in_(numbers[start : start + _BATCH]))
            ):
                heads[head.number] = head
    return [
        domain.Allocation(
            number,
            heads[number].customer,
            heads[number].backorder_of,
            heads[number].created_at,
            unscale(ship),
            unscale(waiting),
        )
        for number, ship, waiting in found
    ]


def ship_ready(db: Database, allocations: Iterable[domain.Allocation]) -> Iterator[ReadyOutcome]:
    """Ship each allocation in its own transaction, rechecked against the order and the
    stock as they are then; a refused order is reported and the others go on."""
    for allocation in allocations:
        try:
            with db.write() as session:
                order = _find_order(session, allocation.number, lock=True)
                lines = _lines(session, order)
                products = _stock(session, [sku for _p, sku, _q in allocation.ship], lock=True)
                stock = {sku: p.stock for sku, p in products.items()}
                plan = domain.plan_ready_shipment(order, lines, allocation.ship, stock)
                _apply_shipment(session, order, lines, products, plan, note=" (ready)")
                status = order.status
        except BackorderError as exc:
            yield ReadyOutcome(allocation.number, False, allocation.cover, error=exc.message)
        else:
            shipped = [(line.sku, q) for line, q in plan]
            yield ReadyOutcome(allocation.number, True, allocation.cover, status, shipped)


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
    plan = domain.plan_undo(
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
    reason = domain.parse_text(reason, what="reason", required=True, limit=200)
    with db.write() as session:
        backorder, lines, origin, plan = _undo_plan(session, number, lock=True)
        if expected is not None and _undo_preview(backorder, plan) != expected:
            raise changed_while_answering(number)
        assert origin is not None and origin.id is not None and backorder.id is not None
        for line, quantity in plan:
            back = domain.given_back_amount(line, quantity)
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
            line.canceled = line.quantity
            line.amount = ZERO  # its money went back with its units
            session.add(line)
        backorder.comment = domain.undone_comment(origin.number, reason)
        backorder.status = Status.CANCELED.value
        backorder.archived = True
        backorder.backorder_of = None
        _refresh(session, backorder, lines)
        given = [(ln.sku, q) for ln, q in plan]
        _record(
            session,
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


_ORIGIN_OF = select(ORDERS.c.backorder_of).where(ORDERS.c.number == bindparam("number"))


def _chain_numbers(conn: Connection, number: int) -> list[int]:
    """The chain `number` belongs to (`domain.chain_of`): a handful of indexed look-ups,
    whatever the size of the database."""
    return domain.chain_of(
        number,
        origin=lambda n: conn.execute(_ORIGIN_OF, {"number": n}).scalar(),
        backorder=lambda n: conn.execute(_FIRST_BACKORDER, {"number": n}).scalar(),
    )


def order_chain(db: Database, number: int) -> list[ChainLink]:
    """The whole backorder chain `number` belongs to, oldest first."""
    with db.read() as session:
        _find_order(session, number)
        links = []
        for n in _chain_numbers(session.connection(), number):
            order = _find_order(session, n)
            rest = [
                (ln.sku, domain.remaining(ln))
                for ln in _lines(session, order)
                if domain.remaining(ln) > 0
            ]
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


REPORT_KINDS = ("sku", "customer", "age")


def backorder_report(
    db: Database, *, by: str = "sku", today: date | None = None
) -> list[ReportRow]:
    """Open backordered quantities: every line with something remaining on a backorder
    that is booked or partially shipped and not archived. By SKU (with stock on hand and
    the shortfall: what to buy), by customer, or by age (whole days since the backorder
    was made, in the bands of `domain.AGE_BUCKETS`, as of `today`, UTC)."""
    if by not in REPORT_KINDS:
        raise InvalidInput(f"cannot report by {by!r} - use one of {', '.join(REPORT_KINDS)}")
    today = today or utcnow().date()
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute(
            select(
                ORDERS.c.number,
                ORDERS.c.customer,
                ORDERS.c.created_at,
                LINES.c.sku,
                LINES.c.quantity,
                LINES.c.shipped,
                LINES.c.canceled,
                LINES.c.amount,
            )
            .join(LINES, LINES.c.order_id == ORDERS.c.id)
            .where(ORDERS.c.backorder_of.is_not(None), ORDERS.c.archived.is_(False))
            .where(ORDERS.c.status.in_(_WAITING))
            .where(LINES.c.quantity - LINES.c.shipped - LINES.c.canceled > 0)
            .order_by(ORDERS.c.number, LINES.c.position)
        ).all()
        products = {p.sku: p for p in session.exec(select(Product))}

    groups: dict[str, _ReportGroup] = {}
    if by == "age":
        for label, _low, _high in domain.AGE_BUCKETS:  # every band, empty ones too
            groups[label] = _ReportGroup()
    for number, customer, created_at, sku, quantity, shipped, canceled, amount in rows:
        rest = quantity - shipped - canceled
        days = (today - created_at.astimezone(UTC).date()).days
        key = {"sku": sku, "customer": customer, "age": domain.age_bucket(days)}[by]
        group = groups.setdefault(key, _ReportGroup())
        group.orders.add(number)
        group.lines += 1
        # The open part's value: the line's amount less the share of what shipped.
        group.value += amount - domain.share(amount, shipped, quantity - canceled)
        group.quantity += rest
        group.oldest = max(group.oldest, days)

    result = []
    for key, g in groups.items() if by == "age" else sorted(groups.items()):
        row = ReportRow(key, len(g.orders), g.lines, g.value)
        if by == "sku":
            product = products.get(key)
            on_hand = product.stock if product else ZERO
            row = dataclasses.replace(
                row,
                quantity=g.quantity,
                name=product.name if product else "",
                on_hand=on_hand,
                shortfall=max(ZERO, g.quantity - on_hand),
            )
        elif by == "customer":
            row = dataclasses.replace(row, oldest_days=g.oldest)
        result.append(row)
    return result


@dataclass
class _ReportGroup:
    """What one report row adds up, while the lines stream past."""

    orders: set[int] = field(default_factory=set)
    lines: int = 0
    value: Decimal = ZERO
    quantity: Decimal = ZERO
    oldest: int = 0  # days


def iter_log(
    db: Database, *, order: int | None = None, since: date | None = None
) -> Iterator[LogEntry]:
    """The history of every change, oldest first, streamed: who (the OS user), when
    (UTC) and what. `order` keeps one order's entries; `since` those from that day on
    (UTC). An unknown order is refused at once, before anything streams."""
    query = (
        select(HISTORY.c.at, HISTORY.c.user, ORDERS.c.number, HISTORY.c.event, HISTORY.c.detail)
        .join(ORDERS, ORDERS.c.id == HISTORY.c.order_id)
        .order_by(HISTORY.c.id)
    )
    if order is not None:
        with db.read() as session:
            found = session.connection().execute(_ORDER_BY_NUMBER, {"number": order}).first()
        if found is None:
            raise _order_not_found(order)
        query = query.where(HISTORY.c.order_id == found.id)
    if since is not None:
        query = query.where(
            HISTORY.c.at >= datetime(since.year, since.month, since.day, tzinfo=UTC)
        )
    return _stream_log(db, query)


def _stream_log(db: Database, query: Any) -> Iterator[LogEntry]:
    with db.read() as session:
        conn = session.connection().execution_options(yield_per=_BATCH)
        for row in conn.execute(query):
            yield LogEntry(*row)
