"""The integrity check: SQL finds the suspect orders in a few passes, the domain's
invariants then check each exactly.

Why one module past 400 lines: each SQL pass and the exact re-check it hands suspects to
belong together (the pass is only a filter; the domain's rule decides), and all of them
are the one use case `check`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
)
from sqlmodel import select

from ..domain.chains import backorder_loop
from ..domain.invariants import (
    Violation,
    backorder_link_violations,
    backorder_violations,
    billing_violations,
    canceled_violations,
    loop_violation,
    order_violations,
    stock_count_violation,
    unmade_backorder_violations,
    value_violations,
)
from ..domain.money import line_amount
from ..domain.values import (
    MONEY_PLACES,
    PRICE_PLACES,
    QUANTITY_PLACES,
    format_money,
    format_quantity,
)
from ..errors import BackorderError
from ..storage.database import Database
from ..storage.models import (
    UtcDateTime,
)
from ..storage.search import SEARCH_TABLE
from .steps import _BATCH, ORDERS, _Line


def _scaled(value: Any, places: int) -> Decimal:
    """A stored scaled integer read raw, so a hand-edited value is reported, not fatal.
    (A server's SUM of integers comes back as a whole Decimal: that is one too.)"""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number of {10**-places} units")
    return Decimal(value).scaleb(-places)


def check_database(db: Database) -> Iterator[Violation]:
    """Every broken invariant in the database, read-only, streamed.

    Reads the tables with plain SQL and converts values itself, so a database edited by
    hand (a float in a quantity, a line without its order) is reported, not a crash.
    """
    from sqlalchemy import text

    q, m = QUANTITY_PLACES, MONEY_PLACES
    V = Violation
    with db.read() as session:
        conn = session.connection()
        rows = conn.execute
        for table, label in (("orders", "order"), ("invoices", "invoice")):
            for number, count in rows(
                text(f"SELECT number, COUNT(*) FROM {table} GROUP BY number HAVING COUNT(*) > 1")
            ):
                yield V(f"{label} number #{number} is used {count} times")
        for name, value in rows(text("SELECT name, value FROM counter")):
            table = {"order": "orders", "purchase": "purchases"}.get(name, "invoices")
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
        # Each order id the lines name, looked up once (not once per line: 2-3x faster).
        for line_id, order_id in rows(
            text(
                "SELECT l.id, l.order_id FROM order_lines l WHERE l.order_id IN ("
                "SELECT x.order_id FROM (SELECT DISTINCT order_id FROM order_lines) x "
                "WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = x.order_id)) "
                "ORDER BY l.id"
            )
        ):
            yield V(f"order line {line_id} belongs to no order (order id {order_id})")

        # A schema older than 3 is read as it is (check never upgrades): its lines have
        # no money columns, and its totals follow the rule of its time.
        version = rows(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
        number = int(str(version)) if str(version).isdigit() else 0
        money = number >= 3
        credits = number >= 4  # credit notes
        # Schema 6 keeps why units were canceled (closed, canceled with the order), the
        # money that left with them, and stock counts.
        corrections = number >= 6
        yield from _check_orders(conn, money=money, corrections=corrections)
        yield from _check_backorders(conn, money=money, corrections=corrections)
        if corrections:
            yield from _check_stock_counts(conn)
        yield from _check_backorder_links(conn)
        yield from _check_unmade_backorders(conn)
        if money:
            yield from _check_origins_without_backorders(conn)
        yield from _check_dates(conn)
        yield from _check_loops(conn)
        if credits:
            from .integrity_credits import check_credits  # it reads values as this does

            yield from check_credits(conn)
        if number >= 7:  # purchases
            yield from _check_purchases(conn)
        if number >= 8:  # the customer register
            from .integrity_customers import check_customers

            yield from check_customers(conn)
        if number >= 10:  # the search index
            yield from _check_search_index(conn)

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


def _check_search_index(conn: Connection) -> Iterator[Violation]:
    """SQLite: the FTS5 table behind `--search` holds every order once, with its customer
    and comment casefolded (storage/search.py), so a search finds what a scan finds. Read
    from its content table: a join by id, about 0.3 s per 100,000 orders; the trigram
    index itself is FTS5's own to keep (its 'integrity-check' costs four times that, and
    a wrong trigram can only hide an order, never show a wrong one). PostgreSQL's trigram
    indexes are indexes of the server: nothing of ours to disagree."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return
    content = f"{SEARCH_TABLE}_content"
    for (number,) in conn.execute(
        text(
            f"SELECT o.number FROM orders o LEFT JOIN {content} t ON t.id = o.id "
            "WHERE t.id IS NULL OR t.c0 IS NOT casefold(o.customer) "
            "OR t.c1 IS NOT casefold(o.comment) ORDER BY o.number"
        )
    ):
        yield Violation(
            "the search index does not hold its customer and comment as they are, so "
            "searches may miss it - the index was changed outside backorder",
            number,
        )
    for (order_id,) in conn.execute(
        text(
            f"SELECT t.id FROM {content} t "
            "WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = t.id) ORDER BY t.id"
        )
    ):
        yield Violation(f"the search index holds order id {order_id}, which does not exist")


def _check_purchases(conn: Connection) -> Iterator[Violation]:
    """Schema 7: every purchase's lines and status (`domain.purchase_violations`), and
    the purchase series above every purchase number."""
    from sqlalchemy import text

    from ..domain.supply import purchase_violations

    q = QUANTITY_PLACES
    known = {sku for (sku,) in conn.execute(text("SELECT sku FROM product"))}
    heads = {
        pid: (number, status)
        for pid, number, status in conn.execute(
            text("SELECT id, number, status FROM purchases ORDER BY number")
        )
    }
    lines: dict[int, list[tuple[int, _PurchaseLine]]] = {pid: [] for pid in heads}
    for pid, position, sku, quantity, received, canceled in conn.execute(
        text(
            "SELECT purchase_id, position, sku, quantity, received, canceled "
            "FROM purchase_lines ORDER BY purchase_id, position"
        )
    ):
        try:
            line = _PurchaseLine(
                sku, _scaled(quantity, q), _scaled(received, q), _scaled(canceled, q)
            )
        except ValueError as exc:
            yield Violation(f"a purchase line cannot be read: {exc}")
            continue
        if pid not in lines:
            yield Violation(f"purchase line {position} ({sku}) belongs to no purchase")
            continue
        lines[pid].append((position, line))
    for pid, (number, status) in heads.items():
        for problem in purchase_violations(number, status, lines[pid], known):
            yield Violation(problem)


@dataclass(frozen=True)
class _PurchaseLine:
    sku: str
    quantity: Decimal
    received: Decimal
    canceled: Decimal


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


def _check_dates(conn: Connection) -> Iterator[Violation]:
    """Dates that cannot be read (edited by hand on SQLite). SQL finds every value not
    in the form the tool writes; each is then tried with the reader the tool uses, so a
    date another tool wrote in another ISO form is not reported."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return  # a server's timestamp column holds only dates
    read = UtcDateTime().dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    assert read is not None  # UtcDateTime converts every value it reads
    for source, column, words in _DATES:
        extra = ", i.number" if source.startswith("invoices") else ", NULL"
        for order, value, number in conn.execute(
            text(
                f"SELECT o.number, {column}{extra} FROM {source} WHERE typeof({column}) <> 'text' "
                f"OR NOT ({column} GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] "
                f"[012][0-9]:[0-5][0-9]:[0-5][0-9]*' "
                f"AND substr({column}, 6, 2) BETWEEN '01' AND '12' "
                f"AND substr({column}, 12, 2) <= '23' "
                # Days 01-28 exist in every month: only the 29th-31st need datetime(),
                # which costs more than the rest of the test (a third of this pass).
                f"AND (substr({column}, 9, 2) BETWEEN '01' AND '28' "
                f"OR datetime(substr({column}, 1, 19)) IS substr({column}, 1, 19)) "
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
                yield Violation(f"{what} {shown} is not a date", order)


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


def _check_origins_without_backorders(conn: Connection) -> Iterator[Violation]:
    """Orders whose lines record quantities moved to backorders that no order holds (a
    link edited away): `_check_backorders` only sees origins that still have one."""
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT o.number, l.sku, SUM(l.backordered), SUM(l.backordered_amount) "
            "FROM order_lines l JOIN orders o ON o.id = l.order_id "
            "WHERE l.backordered <> 0 AND NOT EXISTS "
            "(SELECT 1 FROM orders b WHERE b.backorder_of = o.number) "
            "GROUP BY o.number, l.sku ORDER BY o.number, l.sku"
        )
    ).all()
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


def _check_stock_counts(conn: Connection) -> Iterator[Violation]:
    """Every stock count adds up (counted = before + difference) and is not negative."""
    from sqlalchemy import text

    for sku, before, counted, difference in conn.execute(
        text(
            "SELECT sku, before, counted, difference FROM stock_adjustments "
            "WHERE counted < 0 OR difference <> counted - before ORDER BY id"
        )
    ):
        try:
            found = stock_count_violation(
                sku,
                _scaled(before, QUANTITY_PLACES),
                _scaled(counted, QUANTITY_PLACES),
                _scaled(difference, QUANTITY_PLACES),
            )
        except ValueError as exc:
            found = Violation(f"a stock count of {sku}: {exc}")
        if found is not None:
            yield found
