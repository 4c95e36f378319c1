"""Writing backorders, one or a whole group at once: the statements, the group's reads
and the set-based writes that `services.backorders` plans for (apart from the planning
and the use cases, which the `create` command imports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, insert, literal_column, select, update

from ..domain.backorders import BackorderPlan, backorder_comment
from ..domain.money import split_amount
from ..domain.orders import Status, remaining
from ..domain.values import ZERO, quantities_text
from ..storage.models import Money, Quantity, UtcDateTime, utcnow
from .billing import _INVOICE_LINE_FULLY, _write_invoice
from .results import BackorderResult
from .steps import _INSERT_HISTORY, LINES, ORDERS, _compiled, _send_many, _user

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


class _GroupOrder(NamedTuple):
    """An order of a group as the plan and the split read it. Plain named tuples, not
    the result's rows: a row's attribute costs ~0.5 us (SQLAlchemy 2.1), a named tuple's
    ~0.04 us, and a group of 500 orders reads their fields ~40,000 times."""

    id: int
    number: int
    status: str
    archived: bool
    customer: str
    # The backorder delivers for the same customer, to the same place, under the same
    # reference and policy, in the same place in the queue.
    customer_id: int
    address: str | None
    reference: str | None
    policy: str | None
    priority: int


class _GroupLine(NamedTuple):
    """A line of a group's order: only what the plan and the split read."""

    id: int
    order_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    shipped: Decimal
    invoiced: Decimal
    canceled: Decimal
    unit_price: Decimal
    amount: Decimal


# A group's orders and lines in one statement each; the orders locked in number order
# (on a server: two groups never wait for each other in a circle).
_ORDERS_BY_NUMBERS = (
    select(*(ORDERS.c[name] for name in _GroupOrder._fields))
    .where(ORDERS.c.number.in_(bindparam("numbers", expanding=True)))
    .order_by(ORDERS.c.number)
    .with_for_update()
)
_LINES_OF_ORDERS = (
    select(*(LINES.c[name] for name in _GroupLine._fields))
    .where(LINES.c.order_id.in_(bindparam("ids", expanding=True)))
    .order_by(LINES.c.order_id, LINES.c.position)
)
_INSERT_ORDERS = insert(ORDERS)
# A backorder's lines start with nothing shipped, invoiced, canceled or moved on: zeros
# written by the statement itself, not sent and converted line by line.
_INSERT_NEW_LINES = insert(LINES).values(
    {
        name: literal_column("0")
        for name in (
            "shipped",
            "invoiced",
            "canceled",
            "backordered",
            "backordered_amount",
            "closed",
            "canceled_with_order",
            "canceled_amount",
        )
    }
)
_IDS_OF_NUMBERS = select(ORDERS.c.number, ORDERS.c.id).where(
    ORDERS.c.number.in_(bindparam("numbers", expanding=True))
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


# Parameters in one multi-row INSERT: SQLite's default limit, 32,766 since 3.32 (the
# search index's trigram tokenizer already needs 3.34).
_MAX_PARAMETERS = 32_766


def _insert_many(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` as `_send_many` does, but as multi-row `INSERT ... VALUES (...),
    (...)` statements where the driver takes parameters by position (SQLite): one
    statement for a whole group instead of one per row. On SQLite that matters beyond
    the statements saved: the orders' insert trigger writes the FTS5 search index, and
    FTS5 flushes its pending entries into a new segment (and merges segments) at the
    start of every statement that writes it, so one row per statement cost ~140 us of
    CPU per order on a million orders. Same rows, same order, same conversions.

    With named parameters (psycopg) it stays one executemany, pipelined: multi-row
    statements measured slower there (client CPU 3.3 s against 2.4 s for 10,000
    backorders, wall 9.3 s against 7.0 s; psycopg converts the long statement's
    parameters in Python)."""
    if not rows:
        return
    sql, names, processors, positional = _compiled(statement, conn.dialect, tuple(rows[0]))
    head, values = sql.rsplit(" VALUES ", 1)
    if not positional or values.count("?") != len(names):
        _send_many(conn, statement, rows)
        return
    columns = [
        _converted([row[name] for row in rows], convert)
        for name, convert in zip(names, processors, strict=True)
    ]
    params = [value for values_of_row in zip(*columns, strict=True) for value in values_of_row]
    width = len(names)
    per_statement = max(1, _MAX_PARAMETERS // width)
    for start in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - start)
        conn.exec_driver_sql(
            f"{head} VALUES {', '.join([values] * count)}",
            tuple(params[start * width : (start + count) * width]),
        )


def _converted(values: list[Any], convert: Any) -> list[Any]:
    """A column's values through its bind processor; converted once when every row holds
    the very same object (a group's timestamp: 20,000 conversions of one datetime)."""
    if convert is None:
        return values
    first = values[0]
    if all(value is first for value in values):
        return [convert(first)] * len(values)
    return [convert(value) for value in values]


@dataclass
class _Split:
    """One planned backorder: the order and its lines as loaded, the domain's plan, and
    the number the new order gets."""

    order: Any
    lines: Sequence[Any]
    plan: BackorderPlan[Any]
    number: int


def _write_backorders(conn: Connection, splits: list[_Split]) -> list[BackorderResult]:
    """Write planned backorders, all of a group at once: the invoices first (--invoice,
    one per order), then one statement each for the new orders, their lines, the
    canceled quantities, the originals closed and the history. SQLAlchemy Core, sent
    as executemany (one round trip per statement on a server, pipelined by psycopg)."""
    now = utcnow()
    invoices = {}
    for split in splits:
        if split.plan.to_invoice:
            invoices[split.order.id] = _write_invoice(conn, split.order.id, split.plan.to_invoice)
    if invoices:
        conn.execute(
            _INVOICE_LINE_FULLY,
            [{"line": line.id} for s in splits for line, _q in s.plan.to_invoice],
        )
    new_orders: list[dict[str, Any]] = []
    new_lines: list[dict[str, Any]] = []
    cancels: list[dict[str, Any]] = []
    closes: list[dict[str, Any]] = []
    entries: list[tuple[int, str, str]] = []
    moved_of: list[list[tuple[Any, Decimal, Decimal, Decimal]]] = []
    for split in splits:
        order, lines = split.order, split.lines
        moves = []  # (line, moved, kept amount, moved amount)
        for line in lines:
            moved = remaining(line)
            if moved > 0:
                kept, leaves = split_amount(line, moved)
                moves.append((line, moved, kept, leaves))
        moved_of.append(moves)
        new_orders.append(
            {
                "number": split.number,
                "customer": order.customer,
                "customer_id": order.customer_id,
                "address": order.address,
                "reference": order.reference,
                "policy": order.policy,
                "priority": order.priority,
                "comment": backorder_comment(order.number),
                "status": Status.BOOKED.value,
                "archived": False,
                "backorder_of": order.number,
                "total": sum((leaves for _l, _m, _k, leaves in moves), ZERO),
                "created_at": now,
                "updated_at": now,
            }
        )
        cancels.extend(
            {"line": line.id, "moved": moved, "kept": kept, "moved_amount": leaves}
            for line, moved, kept, leaves in moves
        )
        kept_amounts = {line.id: kept for line, _m, kept, _l in moves}
        closes.append(
            {
                "order_id": order.id,
                "status": Status.CANCELED.value,
                "archived": True,
                "total": sum((kept_amounts.get(ln.id, ln.amount) for ln in lines), ZERO),
                "updated_at": now,
            }
        )
    _insert_many(conn, _INSERT_ORDERS, new_orders)
    numbers = [split.number for split in splits]
    ids = {number: id_ for number, id_ in conn.execute(_IDS_OF_NUMBERS, {"numbers": numbers})}
    results = []
    for split, moves in zip(splits, moved_of, strict=True):
        order, new_number = split.order, split.number
        new_id = ids[new_number]
        new_lines.extend(
            {
                "order_id": new_id,
                "position": position,
                "sku": line.sku,
                "name": line.name,
                "unit": line.unit,
                "quantity": moved,
                "unit_price": line.unit_price,
                "amount": leaves,
            }
            for position, (line, moved, _kept, leaves) in enumerate(moves, start=1)
        )
        moved_text = quantities_text((m.sku, m.quantity) for m in split.plan.moves)
        entries.append(
            (
                order.id,
                "backordered",
                f"canceled {moved_text} and moved them to backorder #{new_number}; "
                "order canceled and archived",
            )
        )
        entries.append((new_id, "created", f"as backorder of order #{order.number}: {moved_text}"))
        results.append(
            BackorderResult(order.number, new_number, split.plan.moves, invoices.get(order.id))
        )
    # The lines as one executemany, not `_insert_many`: with no search index to flush,
    # SQLite runs one prepared statement per row faster than it parses a statement of
    # 2,500 rows (30,000 lines of 10,000 backorders on a million orders: 0.25 s of SQL
    # against 0.41 s); the orders and the history measured the other way.
    _send_many(conn, _INSERT_NEW_LINES, new_lines)
    _send_many(conn, _CANCEL_LINE, cancels)
    _send_many(conn, _CLOSE_ORDER, closes)
    user = _user()
    _insert_many(
        conn,
        _INSERT_HISTORY,
        [
            {"order_id": i, "at": now, "user": user, "event": e, "detail": d, "subject": ""}
            for i, e, d in entries
        ],
    )
    return results


def _load_group(
    conn: Connection, numbers: list[int]
) -> tuple[dict[int, Any], dict[int, list[Any]]]:
    """A group's orders by number (locked, as `_plan_backorder` locks one) and their
    lines by order id, in line order: two statements for the whole group."""
    orders = map(_GroupOrder._make, conn.execute(_ORDERS_BY_NUMBERS, {"numbers": numbers}))
    found = {order.number: order for order in orders}
    lines_of: dict[int, list[Any]] = {}
    ids = [order.id for order in found.values()]
    if ids:
        for line in map(_GroupLine._make, conn.execute(_LINES_OF_ORDERS, {"ids": ids})):
            lines_of.setdefault(line.order_id, []).append(line)
    return found, lines_of
