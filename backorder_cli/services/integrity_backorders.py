"""What `check` verifies of backorders: each holds what its origin moved to it, one
per origin (canceled and archived), never a draft nor one of an order with nothing
shipped, no quantity moved to a backorder that no order holds, and no loop of links."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlmodel import select

from ..domain.chains import backorder_loop
from ..domain.invariants import (
    Violation,
    backorder_link_violations,
    backorder_violations,
    loop_violation,
    unmade_backorder_violations,
)
from ..domain.values import (
    MONEY_PLACES,
    QUANTITY_PLACES,
)
from .integrity_values import _scaled
from .steps import _BATCH, ORDERS


def _check_backorders(
    conn: Connection, *, money: bool, corrections: bool = False
) -> Iterator[Violation]:
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
    if corrections:  # a backorder's closed or canceled units keep the money they took
        held_amount += " + l.canceled_amount"
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
                canceled[sku] = _scaled(was, QUANTITY_PLACES)
                held[sku] = _scaled(now, QUANTITY_PLACES)
                was_amount[sku] = _scaled(was_m, MONEY_PLACES)
                held_amounts[sku] = _scaled(now_m, MONEY_PLACES)
        except ValueError:
            continue  # an unreadable quantity is reported with its order
        yield from backorder_violations(origin, canceled, held, was_amount, held_amounts)


def _check_backorder_links(conn: Connection) -> Iterator[Violation]:
    """Origins with more than one backorder, or not canceled and archived: one pass over
    the backorders grouped by origin, joined to it; the domain's rule words each."""
    from sqlalchemy import text

    for origin, status, archived in conn.execute(
        text(
            "SELECT p.number, p.status, p.archived FROM orders b "
            "JOIN orders p ON p.number = b.backorder_of "
            "GROUP BY p.id, p.number, p.status, p.archived "
            "HAVING COUNT(*) > 1 OR p.status <> 'canceled' OR NOT p.archived "
            "ORDER BY p.number"
        )
    ).all():
        backorders = list(
            conn.execute(
                select(ORDERS.c.number)
                .where(ORDERS.c.backorder_of == origin)
                .order_by(ORDERS.c.number)
            ).scalars()
        )
        yield from backorder_link_violations(origin, str(status), bool(archived), backorders)


def _check_unmade_backorders(conn: Connection) -> Iterator[Violation]:
    """Backorders the tool never makes (a draft, or one of an order with nothing
    shipped): one pass over the backorders, the origin's lines looked up by index."""
    from sqlalchemy import text

    for number, status, origin, shipped in conn.execute(
        text(
            "SELECT b.number, b.status, p.number, EXISTS (SELECT 1 FROM order_lines l "
            "WHERE l.order_id = p.id AND l.shipped > 0) AS shipped FROM orders b "
            "JOIN orders p ON p.number = b.backorder_of "
            "WHERE b.status = 'draft' OR NOT EXISTS (SELECT 1 FROM order_lines l "
            "WHERE l.order_id = p.id AND l.shipped > 0) ORDER BY b.number"
        )
    ).all():
        yield from unmade_backorder_violations(number, str(status), origin, bool(shipped))


def _check_origins_without_backorders(
    conn: Connection, suspects: Sequence[int]
) -> Iterator[Violation]:
    """Orders whose lines record quantities moved to backorders that no order holds (a
    link edited away): `_check_backorders` only sees origins that still have one.
    `suspects`: the ids of such orders, found by the pass over the lines
    (`integrity_orders.suspect_orders`); read here SKU by SKU."""
    from sqlalchemy import text

    rows: list[Any] = []
    for start in range(0, len(suspects), _BATCH):
        ids = ", ".join(str(int(i)) for i in suspects[start : start + _BATCH])
        rows += conn.execute(
            text(
                "SELECT o.number, l.sku, SUM(l.backordered), SUM(l.backordered_amount) "
                "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                f"WHERE o.id IN ({ids}) AND l.backordered <> 0 AND NOT EXISTS "
                "(SELECT 1 FROM orders b WHERE b.backorder_of = o.number) "
                "GROUP BY o.number, l.sku ORDER BY o.number, l.sku"
            )
        ).all()
    rows.sort(key=lambda row: (row[0], row[1]))
    for origin, group in itertools.groupby(rows, key=lambda row: row[0]):
        moved: dict[str, Decimal] = {}
        moved_amount: dict[str, Decimal] = {}
        try:
            for _origin, sku, quantity, amount in group:
                moved[sku] = _scaled(quantity, QUANTITY_PLACES)
                moved_amount[sku] = _scaled(amount, MONEY_PLACES)
        except ValueError:
            continue  # an unreadable quantity is reported with its order
        yield from backorder_violations(origin, moved, {}, moved_amount, {})


def _check_loops(conn: Connection) -> Iterator[Violation]:
    """Backorder links that go round in a loop (only a hand edit or an old import makes
    one): every link read once, each loop reported once."""
    links: dict[int, int] = dict(
        conn.execute(
            select(ORDERS.c.number, ORDERS.c.backorder_of).where(ORDERS.c.backorder_of.isnot(None))
        ).all()
    )
    looped: set[int] = set()
    for number in sorted(links):
        if number in looped:
            continue
        loop = backorder_loop(number, links.get)
        if loop is not None and not looped & set(loop):
            looped.update(loop)
            yield loop_violation(loop)
