"""The steps every use case shares: the tables' statements, numbering, history entries,
look-ups and locks.
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Integer,
    Table,
    bindparam,
    case,
    func,
    insert,
    inspect,
    update,
)
from sqlalchemy import select as core_select
from sqlalchemy.sql.elements import Case
from sqlmodel import Session, SQLModel, col, select

from ..domain import orders
from ..domain.orders import LineLike, order_status, order_total
from ..domain.values import (
    MAX_ORDER_NUMBER,
    ZERO,
    close_match,
    plain_user_name,
    quantities_text,
)
from ..errors import NotAllowed
from ..storage.models import (
    Counter,
    History,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Product,
    Purchase,
    Setting,
    utcnow,
)
from .lookups import _BATCH as _BATCH
from .lookups import _FIRST_BACKORDER as _FIRST_BACKORDER
from .lookups import _ORIGIN_OF as _ORIGIN_OF
from .lookups import _chain_numbers as _chain_numbers
from .lookups import _order_not_found as _order_not_found


def _table(model: type[SQLModel]) -> Table:
    """A table class's Core table (its `__table__`, which SQLModel's types do not declare)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


ORDERS = _table(Order)
LINES = _table(OrderLine)
INVOICES = _table(Invoice)
INVOICE_LINES = _table(InvoiceLine)
HISTORY = _table(History)
COUNTER = _table(Counter)
SETTINGS = _table(Setting)
PRODUCTS = _table(Product)
PURCHASES = _table(Purchase)

# The statements of the hot paths, built once: building a statement costs more than
# running it (bulk backorders run these thousands of times).
_ORDER_BY_NUMBER = core_select(
    ORDERS.c.id,
    ORDERS.c.number,
    ORDERS.c.status,
    ORDERS.c.archived,
    ORDERS.c.customer,
    # What a backorder carries over from its origin (schema 8).
    ORDERS.c.customer_id,
    ORDERS.c.address,
    ORDERS.c.reference,
    ORDERS.c.policy,
    ORDERS.c.priority,
).where(ORDERS.c.number == bindparam("number"))
_ORDER_BY_NUMBER_FOR_UPDATE = _ORDER_BY_NUMBER.with_for_update()
_LINES_OF_ORDER = (
    core_select(LINES).where(LINES.c.order_id == bindparam("order_id")).order_by(LINES.c.position)
)
_SETTING = select(SETTINGS.c.value).where(SETTINGS.c.key == bindparam("key"))


def _next_value(table: Table) -> Case[Any]:
    """The series' next number: one above the counter and above every number in `table`
    (so an imported or hand-inserted number is never handed out again)."""
    highest = func.coalesce(select(func.max(table.c.number)).scalar_subquery(), 0)
    value = COUNTER.c.value
    return case((value >= highest, value + 1), else_=highest + 1)


# The numbered series, each with its counter row and the table its numbers go to.
Series = Literal["order", "invoice", "purchase"]
_SERIES: dict[Series, Table] = {"order": ORDERS, "invoice": INVOICES, "purchase": PURCHASES}
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
# A group's numbers: the first is read with the counter row locked (a server's other
# writers wait; SQLite's BEGIN IMMEDIATE already keeps them out), then as many as the
# group uses are taken at once.
_FIRST_FREE = {series: query.with_for_update() for series, query in _PEEK_NUMBER.items()}
_TAKE_NUMBERS = {
    series: update(COUNTER)
    .where(COUNTER.c.name == series)
    .values(value=_next_value(table) + bindparam("more", type_=Integer))
    .returning(COUNTER.c.value)
    for series, table in _SERIES.items()
}
_INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
_INSERT_LINES = insert(LINES)
_INSERT_HISTORY = insert(HISTORY)


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
    closed: Decimal = ZERO
    canceled_with_order: Decimal = ZERO
    canceled_amount: Decimal = ZERO


def _send_many(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Run a bulk write's statement once per row, as one executemany: what
    `conn.execute(statement, rows)` does, minus SQLAlchemy's work per row (building each
    row's parameters anew). The statement is compiled once for the database at hand and
    each value goes through its column type's own bind processor (the same conversions,
    not a copy). Every row names every column the statement takes: no defaults here."""
    if not rows:
        return
    sql, names, processors, positional = _compiled(statement, conn.dialect, tuple(rows[0]))
    # Column by column: one comprehension per column is cheaper than a generator per row.
    columns = [
        [row[name] for row in rows] if convert is None else [convert(row[name]) for row in rows]
        for name, convert in zip(names, processors, strict=True)
    ]
    params: list[Any] = list(zip(*columns, strict=True))
    if not positional:
        params = [dict(zip(names, values, strict=True)) for values in params]
    conn.exec_driver_sql(sql, params)


@functools.cache
def _compiled(
    statement: Any, dialect: Any, keys: tuple[str, ...]
) -> tuple[str, list[str], list[Any], bool]:
    """`statement` compiled for `dialect` with the columns `keys`: its SQL, the names of
    its parameters in the order the driver takes them, their bind processors, and
    whether the driver takes them by position."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    positional = compiled.positiontup is not None
    names = list(compiled.positiontup) if positional else list(compiled.binds)
    missing = set(names) - set(keys)
    if missing:  # a column left to its default: _send_many does not apply defaults
        raise ValueError(f"rows for {statement} lack {sorted(missing)}")
    processors = [
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    return compiled.string, names, processors, positional


@functools.cache
def _user() -> str:
    try:
        return plain_user_name(getpass.getuser())
    except Exception:  # no login name in some containers
        return ""


def _next_number(conn: Connection, series: Series) -> int:
    """The next number of a series, above every number ever handed out or imported.

    One UPDATE ... RETURNING on the counter row, inside the caller's write transaction:
    the row is locked until the commit, so no two transactions take one number.
    """
    return _within_series(series, int(conn.execute(_NEXT_NUMBER[series]).scalar_one()))


def _first_free(conn: Connection, series: Series) -> int:
    """The next number of a series, not taken yet, with the counter locked until the
    commit: `_take_numbers` then takes it and the ones after it."""
    return int(conn.execute(_FIRST_FREE[series]).scalar_one())


def _take_numbers(conn: Connection, series: Series, count: int) -> None:
    """Take `count` numbers at once, from `_first_free` on (a group of orders)."""
    if count > 0:
        conn.execute(_TAKE_NUMBERS[series], {"more": count - 1}).scalar_one()


def _within_series(series: Series, number: int) -> int:
    """`number`, unless it is past the last number a series may hand out: every number
    the tool makes must be one it can read back (show, search, import of an export)."""
    if number > MAX_ORDER_NUMBER:
        raise NotAllowed(
            f"the {series} numbers have run out: the last one is {MAX_ORDER_NUMBER:,} - "
            f"start a new database for new {series}s",
            code="numbers_run_out",
        )
    return number


def _raise_counter(session: Session, series: Series, at_least: int) -> None:
    session.connection().execute(
        update(COUNTER)
        .where(COUNTER.c.name == series, COUNTER.c.value < at_least)
        .values(value=at_least)
    )


def _record(conn: Connection, *entries: tuple[int, str, str]) -> None:
    """History entries (order id, event, detail), stamped now with the OS user."""
    at, user = utcnow(), _user()
    conn.execute(
        _INSERT_HISTORY,
        [
            {"order_id": order_id, "at": at, "user": user, "event": event, "detail": detail}
            for order_id, event, detail in entries
        ],
    )


def _record_about(conn: Connection, subject: str, event: str, detail: str) -> None:
    """A history entry about no order: a product (`subject` its SKU) or a setting (its
    key), stamped now with the OS user."""
    conn.execute(
        _INSERT_HISTORY,
        {
            "order_id": None,
            "subject": subject,
            "at": utcnow(),
            "user": _user(),
            "event": event,
            "detail": detail,
        },
    )


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
            select(OrderLine)
            .where(OrderLine.order_id == order.id)
            .order_by(col(OrderLine.position))
        )
    )


def _refresh(session: Session, order: Order, lines: list[OrderLine]) -> None:
    """Bring the order's stored status and total in step with its lines."""
    order.status = order_status(order.status, lines).value
    order.total = order_total(lines)
    order.updated_at = utcnow()
    session.add(order)


def _stock(session: Session, skus: Iterable[str], *, lock: bool = False) -> dict[str, Product]:
    """Products by SKU; `lock` takes their row locks, always in SKU order, so two
    writers never wait for each other in a circle."""
    query = select(Product).where(col(Product.sku).in_(set(skus))).order_by(Product.sku)
    return {p.sku: p for p in session.exec(query.with_for_update() if lock else query)}


def _unknown_sku(session: Session, sku: str) -> str:
    """What to say about a SKU no product has: the one meant, when one is spelled
    alike or differs only in case, then where to look or how to add it."""
    guess = close_match(sku, session.exec(select(Product.sku)))
    if guess is not None:
        return f"unknown SKU {sku} - did you mean {guess}? (see `backorder products list`)"
    return (
        f"unknown SKU {sku} - see `backorder products list`, or add it with "
        f"`backorder products add {sku} --name NAME`"
    )


def _setting(session: Session, key: str) -> str:
    row = session.get(Setting, key)
    return row.value if row else orders.SETTINGS[key][1]


def _list_in(items: Iterable[tuple[LineLike, Decimal]]) -> str:
    return quantities_text((line.sku, q) for line, q in items)


def _rows_in(conn: Connection, query: Any, numbers: list[int]) -> Iterator[Any]:
    """`query` for every number of a long list, a batch at a time (SQLite and servers
    cap the parameters of one statement)."""
    for start in range(0, len(numbers), _BATCH):
        yield from conn.execute(query, {"numbers": numbers[start : start + _BATCH]})
