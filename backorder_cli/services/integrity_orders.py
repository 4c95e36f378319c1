"""What `check` verifies of each order: SQL finds the suspect orders (lines out of
bounds, status or total that disagree with the lines, invoiced quantities and amounts
that disagree with the invoices) in a pass or two, then the domain's rules check each
suspect exactly (the pass is only a superset; the domain's rule decides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Row,
)

from ..domain.invariants import (
    Violation,
    billing_violations,
    canceled_violations,
    order_violations,
    value_violations,
)
from ..domain.money import line_amount
from ..domain.values import (
    MONEY_PLACES,
    PRICE_PLACES,
    QUANTITY_PLACES,
    format_quantity,
)
from .integrity_values import _scaled
from .steps import _BATCH, _Line

_LARGEST = 2**63 - 1  # the largest integer a column holds


def _bad_line(*, sqlite: bool, money: bool, corrections: bool) -> str:
    """A line out of bounds: SQL over the scaled integers, a superset of what
    `line_violations`, `money_violations` and `canceled_violations` report (and of a
    value that is no whole number). Each term costs SQLite about 0.1 s per 5 million
    lines (every column named is decoded again), so it says each thing once: a range
    per column (on SQLite, text and blobs sort above every number, so the range also
    catches them), the sum of the columns for the rest (a real in any of them makes
    the sum real; NULL makes it NULL), and no condition that the others imply."""
    columns = ["quantity", "shipped", "invoiced", "unit_price"]
    if not corrections:
        columns.append("canceled")  # else canceled = backordered + closed + ...: not negative
    if money:
        columns += ["amount", "backordered", "backordered_amount"]
    if corrections:
        columns += ["closed", "canceled_with_order", "canceled_amount"]
    if sqlite:
        terms = [f"NOT ({c} BETWEEN {1 if c == 'quantity' else 0} AND {_LARGEST})" for c in columns]
        every = [*columns, "canceled"] if corrections else columns
        terms.append(f"typeof({' + '.join(every)}) <> 'integer'")
    else:  # a server's typed columns hold whole numbers only
        terms = [f"{c} {'<=' if c == 'quantity' else '<'} 0" for c in columns]
    terms += ["shipped + canceled > quantity", "invoiced > shipped"]
    if money:
        if not corrections:  # else implied by canceled = backordered + closed + ...
            terms.append("backordered > canceled")
        terms += [
            "(quantity = canceled AND amount <> 0)",
            "(backordered = 0 AND backordered_amount <> 0)",
        ]
    if corrections:
        terms += [
            "canceled <> backordered + closed + canceled_with_order",
            "(closed + canceled_with_order = 0 AND canceled_amount <> 0)",
        ]
    return " OR ".join(terms)


class Suspects(NamedTuple):
    """What the pass over the lines found for the exact rules to decide."""

    orders: list[int]  # ids of orders that may break a rule of their own
    # ids of orders whose lines moved quantities to backorders and that have none
    # (`integrity_backorders._check_origins_without_backorders`)
    moved_without_backorder: list[int]


def suspect_orders(
    conn: Connection,
    *,
    money: bool,
    corrections: bool = False,
    every_order_has_lines: bool,
    lines: Callable[[], Sequence[Any]] | None = None,
) -> Suspects:
    """Orders that may break a rule, found by SQL over integers: lines out of bounds,
    status or total that disagree with the lines (one pass over the lines, grouped by
    order), and invoiced quantities or amounts that disagree with the invoices. A
    superset: each suspect is then checked exactly by the domain's rules. Without
    `money` (a schema older than 3, read as it is) totals follow the old rule.
    `every_order_has_lines`: known from counting (`integrity`), so orders without lines
    are looked up one by one only when some are. The same pass finds the orders whose
    lines moved quantities to backorders while no order is their backorder (a pass of
    its own cost 0.7 s at a million orders; here only such orders are looked up).
    `lines`: what that pass found, when it ran elsewhere (`integrity_alongside`)."""
    from sqlalchemy import text

    found: set[int] = set(_suspect_invoiced(conn, money=money))
    if not every_order_has_lines:
        found.update(
            order_id
            for (order_id,) in conn.execute(
                text(
                    "SELECT o.id FROM orders o "
                    "WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
                )
            )
        )
    # Last, so that a pass already started has the longest to run alongside.
    rows = lines() if lines else conn.execute(line_pass(conn, money, corrections)).all()
    moved_without_backorder = []
    for order_id, lost_moves in rows:
        found.add(order_id)  # checked by the order's rules too: rare, and simpler
        if lost_moves:
            moved_without_backorder.append(order_id)
    return Suspects(sorted(found), moved_without_backorder)


def line_pass(conn: Connection, money: bool, corrections: bool) -> Any:
    """The one pass over the lines, grouped by order (see `suspect_orders`): rows of
    (order id, whether it moved quantities to backorders it does not have)."""
    from sqlalchemy import text

    sqlite = conn.dialect.name == "sqlite"
    bad_line = _bad_line(sqlite=sqlite, money=money, corrections=corrections)
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
    unsettled = "0"
    if corrections:
        # A line no backorder holds whose parts do not add up to its value (the rule of
        # `value_violations`; the outer query keeps the orders that are no backorder).
        def worth(quantity: str) -> str:
            value = (
                f"({quantity}) * unit_price"
                if sqlite
                else f"CAST({quantity} AS NUMERIC) * unit_price"
            )
            return f"({value} + 50000) / 100000" if sqlite else f"FLOOR(({value} + 50000) / 100000)"

        parts = "amount + backordered_amount + canceled_amount"
        unsettled = (
            f"CASE WHEN {parts} <> {worth('quantity')} AND NOT (canceled_amount = 0 AND "
            f"(amount + backordered_amount = {worth('quantity - closed - canceled_with_order')} "
            "OR (invoiced > 0 AND invoiced = quantity - canceled))) THEN 1 ELSE 0 END"
        )
    moved = "CASE WHEN backordered <> 0 THEN 1 ELSE 0 END" if money else "0"
    lost = "(a.moved > 0 AND NOT EXISTS (SELECT 1 FROM orders b WHERE b.backorder_of = o.number))"
    # Driven from the lines' aggregates, each joined to its order by primary key (a
    # join the other way round would index the aggregates first: half as fast again).
    return text(
        f"SELECT o.id, CASE WHEN {lost} THEN 1 ELSE 0 END FROM ("
        "SELECT order_id, "
        f"SUM(CASE WHEN {bad_line} THEN 1 ELSE 0 END) AS bad, "
        "SUM(CASE WHEN shipped > 0 THEN 1 ELSE 0 END) AS shipped, "
        "SUM(CASE WHEN quantity - shipped - canceled > 0 THEN 1 ELSE 0 END) AS remaining, "
        "SUM(CASE WHEN shipped > invoiced THEN 1 ELSE 0 END) AS uninvoiced, "
        f"SUM({unsettled}) AS unsettled, "
        f"SUM({cents}) AS cents, SUM({moved}) AS moved FROM order_lines GROUP BY order_id"
        ") a JOIN orders o ON o.id = a.order_id WHERE a.bad > 0 OR o.total <> a.cents "
        "OR (a.unsettled > 0 AND o.backorder_of IS NULL) "
        "OR (o.status = 'canceled' AND a.remaining > 0) "
        "OR (o.status = 'draft' AND a.shipped > 0) "
        "OR (o.status NOT IN ('draft', 'canceled') AND o.status <> CASE "
        "WHEN a.shipped = 0 THEN 'booked' WHEN a.remaining > 0 THEN 'partially_shipped' "
        "WHEN a.uninvoiced > 0 THEN 'shipped' ELSE 'invoiced' END)"
        + (" OR typeof(o.total) <> 'integer'" if sqlite else "")
        + f" OR {lost}"
    )


# Each line's invoiced quantity and amount against its invoice lines, summed per line in
# one pass over the invoice lines (a look-up per order line costs twice as much on a big
# database). Lines with no invoice line at all are covered by counting: every line with
# something invoiced must be among the lines the pass saw. CROSS JOIN keeps the sums the
# outer loop, streamed: with JOIN, SQLite first copied them into a temporary table
# (1.9 s instead of 1.4 s at a million orders).
_INVOICED_PER_LINE = (
    "FROM (SELECT line_id, SUM(quantity) AS s, SUM(amount) AS a FROM invoice_lines "
    "GROUP BY line_id) x CROSS JOIN order_lines l WHERE l.id = x.line_id"
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
                text(f"SELECT DISTINCT l.order_id {_INVOICED_PER_LINE} AND {_MISBILLED}")
            )
        )
    return sorted(found)


def _check_orders(
    conn: Connection, suspects: list[int], *, money: bool, corrections: bool = False
) -> Iterator[Violation]:
    """The domain's rules, exactly, on every suspect order (`suspect_orders`)."""
    from sqlalchemy import text

    q, p, m = QUANTITY_PLACES, PRICE_PLACES, MONEY_PLACES
    columns = "l.amount, l.backordered, l.backordered_amount" if money else "0, 0, 0"
    reasons = "l.closed, l.canceled_with_order, l.canceled_amount" if corrections else "0, 0, 0"
    for start in range(0, len(suspects), _BATCH):
        ids = suspects[start : start + _BATCH]
        marks = ", ".join(str(int(i)) for i in ids)  # ids read from the database: integers
        groups: dict[int, list[Row[*tuple[Any, ...]]]] = {}
        for row in conn.execute(
            text(
                "SELECT l.order_id, l.sku, l.name, l.unit, l.quantity, l.shipped, l.invoiced, "
                f"l.canceled, l.unit_price, {columns}, "
                "(SELECT COALESCE(SUM(il.quantity), 0) FROM invoice_lines il "
                "WHERE il.line_id = l.id), "
                "(SELECT COALESCE(SUM(il.amount), 0) FROM invoice_lines il "
                f"WHERE il.line_id = l.id), {reasons} "
                f"FROM order_lines l WHERE l.order_id IN ({marks}) ORDER BY l.order_id, l.position"
            )
        ):
            groups.setdefault(row[0], []).append(row)
        for order_id, number, status, total, origin in conn.execute(
            text(
                "SELECT id, number, status, total, backorder_of FROM orders "
                f"WHERE id IN ({marks}) ORDER BY id"
            )
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
                        line.amount = line_amount(line.quantity - line.canceled, line.unit_price)
                        line.backordered = line.canceled
                    parsed.append(line)
                invoiced = [_scaled(row[12], q) for row in group]
                billed = [_scaled(row[13], m) for row in group]
                why = [
                    (_scaled(row[14], q), _scaled(row[15], q), _scaled(row[16], m)) for row in group
                ]
                order_total = _scaled(total, m)
            except ValueError as exc:
                yield Violation(f"a stored value cannot be read: {exc}", number)
                continue
            yield from order_violations(number, status, order_total, parsed)
            if corrections:
                for position, (line, (closed, with_order, gone)) in enumerate(
                    zip(parsed, why, strict=True), 1
                ):
                    canceled = canceled_violations(
                        line.canceled, line.backordered, closed, with_order, gone
                    )
                    for problem in canceled:
                        yield Violation(problem, number, position, line.sku)
                    if origin is None and not canceled:  # else its parts are known wrong
                        for problem in value_violations(line, closed, with_order, gone):
                            yield Violation(problem, number, position, line.sku)
            for position, (line, on_invoices, amount) in enumerate(
                zip(parsed, invoiced, billed, strict=True), 1
            ):
                if on_invoices != line.invoiced:
                    yield Violation(
                        f"invoiced {format_quantity(line.invoiced)} but its invoices bill "
                        f"{format_quantity(on_invoices)}",
                        number,
                        position,
                        line.sku,
                    )
                elif money:
                    for problem in billing_violations(line, amount):
                        yield Violation(problem, number, position, line.sku)
