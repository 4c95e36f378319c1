"""What `check` would find broken once an import is written, found before it is: the
domain's rules of each order, each backorder against its origin (in the file or already
stored), one backorder per origin, and no loop of links; every problem placed in the file.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    Connection,
    bindparam,
    func,
)
from sqlmodel import select

from ..domain.chains import backorder_loop
from ..domain.invariants import (
    backorder_link_violations,
    backorder_violations,
    loop_violation,
    order_violations,
    unmade_backorder_violations,
)
from ..domain.money import LineMoney
from ..domain.orders import order_total
from ..domain.values import ZERO
from ..transfer.document import ImportPlan
from .steps import (
    _ORIGIN_OF,
    LINES,
    ORDERS,
    _Line,
    _rows_in,
)


def _import_violations(
    conn: Connection, plan: ImportPlan, money: dict[int, list[LineMoney]]
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
        total = order_total(lines)
        for v in order_violations(order.number, order.status.value, total, lines):
            problems.append(f"{order.where}: {v}")

    # Backorders against their origins, SKU by SKU, as `check` compares them.
    links = {o.number: o.backorder_of for o in plan.orders if o.backorder_of is not None}
    # Stored orders that already name an imported number as their origin.
    # (and those of the stored origins the file names, so a second backorder is seen).
    stored_links = dict(_rows_in(conn, _LINKS_TO, sorted(set(in_file) | set(links.values()))))
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
        for v in backorder_violations(origin, canceled[origin], held[origin]):
            problems.append(f"{place(origin)}: {v}")

    # One backorder per origin, which is canceled and archived and shipped something;
    # a backorder is never a draft.
    backorders_of: dict[int, list[int]] = {n: [] for n in origins}
    for number, origin in [*links.items(), *stored_links.items()]:
        backorders_of[origin].append(number)
    state = {n: (o.status.value, o.archived) for n, o in in_file.items() if n in origins}
    shipped = {n for n in state if any(line.shipped > 0 for line in lines_of[n])}
    for number, status, archived, most in _rows_in(conn, _STATE_OF, sorted(origins - set(in_file))):
        state[number] = (status, bool(archived))
        if most > 0:
            shipped.add(number)
    for origin in sorted(origins):
        if origin not in state:
            continue  # a missing origin is refused on its own
        ours = [n for n in backorders_of[origin] if n in in_file]
        # At the file's last backorder of the origin, else at the origin.
        at = f"{in_file[max(ours)].where}.backorder_of" if ours else in_file[origin].where
        for v in backorder_link_violations(origin, *state[origin], backorders_of[origin]):
            problems.append(f"{at}: {v}")
    for number, origin in sorted(links.items()):
        if origin not in state:
            continue
        for v in unmade_backorder_violations(
            number, in_file[number].status.value, origin, origin in shipped
        ):
            problems.append(f"{in_file[number].where}: {v}")

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
        loop = backorder_loop(number, origin_of)
        if loop is not None and not looped & set(loop):
            looped.update(loop)
            where = min((n for n in loop if n in in_file), default=number)
            problems.append(f"{in_file[where].where}.backorder_of: {loop_violation(loop)}")
    return problems


_LINKS_TO = select(ORDERS.c.number, ORDERS.c.backorder_of).where(
    ORDERS.c.backorder_of.in_(bindparam("numbers", expanding=True))
)
_STATE_OF = (  # a stored origin's status, archived flag and largest shipped quantity
    select(ORDERS.c.number, ORDERS.c.status, ORDERS.c.archived, func.max(LINES.c.shipped))
    .join(LINES, LINES.c.order_id == ORDERS.c.id)
    .where(ORDERS.c.number.in_(bindparam("numbers", expanding=True)))
    .group_by(ORDERS.c.id, ORDERS.c.number, ORDERS.c.status, ORDERS.c.archived)
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
