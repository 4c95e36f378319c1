"""What `check` verifies of each order: SQL finds the suspect orders (lines out of
bounds, status or total that disagree with the lines, invoiced quantities and amounts
that disagree with the invoices) in a pass or two, then the domain's rules check each
suspect exactly (the pass is only a superset; the domain's rule decides).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def _suspect_orders(conn: Connection, *, money: bool, corrections: bool = False) -> list[int]:
    """Orders that may break a rule, found by SQL over integers: lines out of bounds,
    status or total that disagree with the lines (one pass over the lines, grouped by
    order), and invoiced quantities or amounts that disagree with the invoices. A
    superset: each suspect is then checked exactly by the domain's rules. Without
    `money` (a schema older than 3, read as it is) totals follow the old rule."""
    from sqlalchemy import text

    sqlite = conn.dialect.name == "sqlite"
    amounts: tuple[str, ...] = ("quantity", "shipped", "invoiced", "canceled", "unit_price")
    if money:
        amounts += ("amount", "backordered", "backordered_amount")
    if corrections:
        amounts += ("closed", "canceled_with_order", "canceled_amount")
    not_integers = (
        " OR " + " OR ".join(f"typeof({c}) <> 'integer'" for c in amounts) if sqlite else ""
    )
    bad_money = (
        " OR amount < 0 OR backordered_amount < 0 OR backordered < 0 OR backordered > canceled "
        "OR (quantity = canceled AND amount <> 0) OR (backordered = 0 AND backordered_amount <> 0)"
        if money
        else ""
    )
    if corrections:
        bad_money += (
            " OR closed < 0 OR canceled_with_order < 0 OR canceled_amount < 0 "
            "OR canceled <> backordered + closed + canceled_with_order "
            "OR (closed + canceled_with_order = 0 AND canceled_amount <> 0)"
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
    # Driven from the lines' aggregates, each joined to its order by primary key (a
    # join the other way round would index the aggregates first: half as fast again).
    orders = text(
        "SELECT o.id FROM ("
        "SELECT order_id, "
        f"SUM(CASE WHEN {bad_line} THEN 1 ELSE 0 END) AS bad, "
        "SUM(CASE WHEN shipped > 0 THEN 1 ELSE 0 END) AS shipped, "
        "SUM(CASE WHEN quantity - shipped - canceled > 0 THEN 1 ELSE 0 END) AS remaining, "
        "SUM(CASE WHEN shipped > invoiced THEN 1 ELSE 0 END) AS uninvoiced, "
        f"SUM({unsettled}) AS unsettled, "
        f"SUM({cents}) AS cents FROM order_lines GROUP BY order_id"
        ") a JOIN orders o ON o.id = a.order_id WHERE a.bad > 0 OR o.total <> a.cents "
        "OR (a.unsettled > 0 AND o.backorder_of IS NULL) "
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


def _check_orders(
    conn: Connection, *, money: bool, corrections: bool = False
) -> Iterator[Violation]:
    """The domain's rules, exactly, on every suspect order."""
    from sqlalchemy import text

    q, p, m = QUANTITY_PLACES, PRICE_PLACES, MONEY_PLACES
    suspects = _suspect_orders(conn, money=money, corrections=corrections)
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
