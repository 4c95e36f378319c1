"""The integrity check: SQL finds the suspect orders in a few passes, the domain's
invariants then check each exactly.

`check_database` runs the passes in order; each family lives in its own module:
orders (`integrity_orders`), backorders (`integrity_backorders`), credit notes
(`integrity_credits`); the small ones (numbers, stock, dates, stock counts, purchases)
are here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from ..domain.invariants import (
    Violation,
    stock_count_violation,
)
from ..domain.values import (
    MONEY_PLACES,
    QUANTITY_PLACES,
    format_money,
    format_quantity,
)
from ..errors import BackorderError
from ..storage.database import Database
from ..storage.models import UtcDateTime
from ..storage.search import SEARCH_TABLE
from .integrity_alongside import Alongside, Pass
from .integrity_backorders import (
    _check_backorder_links,
    _check_backorders,
    _check_loops,
    _check_origins_without_backorders,
    _check_unmade_backorders,
)
from .integrity_orders import _check_orders, line_pass, suspect_orders
from .integrity_values import _scaled


def check_database(db: Database) -> Iterator[Violation]:
    """Every broken invariant in the database, read-only, streamed.

    Reads the tables with plain SQL and converts values itself, so a database edited by
    hand (a float in a quantity, a line without its order) is reported, not a crash.
    """
    from ..storage.snapshots import second_reader

    with db.read() as session:
        conn = session.connection()
        with second_reader(db, conn) as second:
            yield from _check(conn, second)


def _check(conn: Connection, second: Connection | None) -> Iterator[Violation]:
    """The passes, in the order they report. `second`: a reader of the same state for
    the longest passes to run alongside the others (`Alongside`), or None."""
    from sqlalchemy import text

    q, m = QUANTITY_PLACES, MONEY_PLACES
    V = Violation
    rows = conn.execute
    # A schema older than 3 is read as it is (check never upgrades): its lines have
    # no money columns, and its totals follow the rule of its time.
    version = rows(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    # `number`: the schema's version all through (a pass below is registered under
    # `if number >= N:`), so no loop here may take that name.
    number = int(str(version)) if str(version).isdigit() else 0
    money = number >= 3
    credits = number >= 4  # credit notes
    # Schema 6 keeps why units were canceled (closed, canceled with the order), the
    # money that left with them, and stock counts.
    corrections = number >= 6
    # Alongside: the pass over the lines (4.2 s of 11.5 at a million orders), then the
    # dates (1.5 s) and the search index (0.7 s), told late; about as long as the rest.
    passes: dict[str, Pass] = {
        "lines": lambda c: list(c.execute(line_pass(c, money, corrections)).all()),
        "dates": lambda c: list(_check_dates(c)),
    }
    if number >= 10:  # the search index
        passes["search"] = lambda c: list(_check_search_index(c))
    ahead = Alongside(second, passes) if second else None

    def told(name: str, here: Callable[[], Iterator[Violation]]) -> Iterable[Violation]:
        return ahead.result(name) if ahead else here()

    try:
        for table, label in (("orders", "order"), ("invoices", "invoice")):
            for used, count in rows(
                text(f"SELECT number, COUNT(*) FROM {table} GROUP BY number HAVING COUNT(*) > 1")
            ):
                yield V(f"{label} number #{used} is used {count} times")
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
        for backorder, origin in rows(
            text(
                "SELECT o.number, o.backorder_of FROM orders o WHERE o.backorder_of IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.number = o.backorder_of)"
            )
        ):
            yield V(f"is a backorder of order #{origin}, which does not exist", backorder)
        # Each order id the lines name, looked up once (not once per line: 2-3x faster),
        # counted: the lines of missing orders are listed only when there are some, and
        # every order has lines when the lines name as many orders as there are (one
        # look-up per order instead costs 1.5 s at a million orders).
        named, missing = rows(
            text(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM orders o "
                "WHERE o.id = x.order_id) THEN 1 ELSE 0 END), 0) "
                "FROM (SELECT DISTINCT order_id FROM order_lines) x"
            )
        ).one()
        if missing:
            for line_id, order_id in rows(
                text(
                    "SELECT l.id, l.order_id FROM order_lines l WHERE NOT EXISTS "
                    "(SELECT 1 FROM orders o WHERE o.id = l.order_id) ORDER BY l.id"
                )
            ):
                yield V(f"order line {line_id} belongs to no order (order id {order_id})")
        orders = rows(text("SELECT COUNT(*) FROM orders")).scalar()
        every_order_has_lines = named - missing == orders

        def backorders() -> Iterator[Violation]:
            yield from _check_backorders(conn, money=money, corrections=corrections)
            if corrections:
                yield from _check_stock_counts(conn)
            yield from _check_backorder_links(conn)
            yield from _check_unmade_backorders(conn)

        # With the pass over the lines running alongside, these run meanwhile; what
        # they find is told after the orders' problems, as ever.
        told_later = list(backorders()) if ahead else None
        suspects = suspect_orders(
            conn,
            money=money,
            corrections=corrections,
            every_order_has_lines=every_order_has_lines,
            lines=(lambda: ahead.result("lines")) if ahead else None,
        )
        yield from _check_orders(conn, suspects.orders, money=money, corrections=corrections)
        yield from backorders() if told_later is None else told_later
        if money:
            yield from _check_origins_without_backorders(conn, suspects.moved_without_backorder)
        yield from told("dates", lambda: _check_dates(conn))
        yield from _check_loops(conn)
        invoices = _invoice_sums(conn, credits=credits)
        if credits:
            from .integrity_credits import check_credits  # it reads values as this does

            signs = [(n, order, of) for n, order, _t, _b, of, wrong in invoices if wrong]
            yield from check_credits(conn, signs)
        if number >= 7:  # purchases
            yield from _check_purchases(conn)
        if number >= 8:  # the customer register
            from .integrity_customers import check_customers

            yield from check_customers(conn)
        if number >= 10:  # the search index
            yield from told("search", lambda: _check_search_index(conn))

        for invoice, order_number, total, billed, _credit_of, _wrong in invoices:
            if total != billed:
                yield V(
                    f"invoice #{invoice} totals {format_money(_scaled(total, m))} but its lines "
                    f"add up to {format_money(_scaled(billed, m))}",
                    order_number,
                )
    finally:
        if ahead:
            ahead.stop()


def _invoice_sums(conn: Connection, *, credits: bool) -> list[Any]:
    """Invoices whose total is not what their lines bill, or (`credits`, schema 4) with
    a line of the wrong sign for their kind: (number, order number, total, billed,
    credit_of, wrong sign), by number. One pass over the invoice lines grouped by
    invoice; the invoices without lines (billing nothing) looked up apart."""
    from sqlalchemy import text

    from .integrity_credits import INVOICE_SUMS, WRONG_SIGN

    wrong = f"CASE WHEN {WRONG_SIGN} THEN 1 ELSE 0 END" if credits else "0"
    credit_of = "i.credit_of" if credits else "NULL"
    rows = list(
        conn.execute(
            text(
                f"SELECT i.number, o.number, i.total, x.billed, {credit_of}, {wrong} "
                f"FROM ({INVOICE_SUMS}) x CROSS JOIN invoices i CROSS JOIN orders o "
                "WHERE i.id = x.invoice_id AND o.id = i.order_id AND (i.total <> x.billed"
                + (f" OR {WRONG_SIGN})" if credits else ")")
            )
        )
    )
    rows += conn.execute(
        text(
            f"SELECT i.number, o.number, i.total, 0, {credit_of}, 0 FROM invoices i "
            "JOIN orders o ON o.id = i.order_id WHERE i.total <> 0 AND NOT EXISTS "
            "(SELECT 1 FROM invoice_lines il WHERE il.invoice_id = i.id)"
        )
    ).all()
    return sorted(rows, key=lambda row: row[0])


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


# Where dates are kept, and how a problem with each is placed: (the table and the join
# to the order, its columns with words for each, the extra value the words name). Only
# SQLite can hold a date that is not one (it keeps text). CROSS JOIN: the dates' table
# is scanned and only its order looked up, not every order's rows looked up by index
# (history: 0.62 s to 0.40 s at a million orders); an order's two dates in one scan.
_DATES = (
    ("orders o", (("o.created_at", "created_at"), ("o.updated_at", "updated_at")), "NULL"),
    (
        "history h CROSS JOIN orders o WHERE o.id = h.order_id AND",
        (("h.at", "a history entry's at"),),
        "NULL",
    ),
    (
        "invoices i CROSS JOIN orders o WHERE o.id = i.order_id AND",
        (("i.created_at", "invoice #{number}'s created_at"),),
        "i.number",
    ),
)


def _not_written_as_a_date(column: str) -> str:
    """SQL: the value is not in the form the tool writes (a superset of the unreadable)."""
    return (
        f"(typeof({column}) <> 'text' "
        f"OR NOT ({column} GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] "
        f"[012][0-9]:[0-5][0-9]:[0-5][0-9]*' "
        f"AND substr({column}, 6, 2) BETWEEN '01' AND '12' "
        f"AND substr({column}, 12, 2) <= '23' "
        # Days 01-28 exist in every month: only the 29th-31st need datetime(),
        # which costs more than the rest of the test (a third of this pass).
        f"AND (substr({column}, 9, 2) BETWEEN '01' AND '28' "
        f"OR datetime(substr({column}, 1, 19)) IS substr({column}, 1, 19)) "
        f"AND (length({column}) = 19 OR {column} GLOB "
        "'????-??-?? ??:??:??.[0-9][0-9][0-9][0-9][0-9][0-9]')))"
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
    for source, columns, extra in _DATES:
        where = source if source.endswith(" AND") else f"{source} WHERE"
        suspect = " OR ".join(_not_written_as_a_date(column) for column, _ in columns)
        found: list[list[Violation]] = [[] for _ in columns]  # column by column
        for order, number, *values in conn.execute(
            text(
                f"SELECT o.number, {extra}, {', '.join(c for c, _ in columns)} "
                f"FROM {where} ({suspect}) ORDER BY o.number"
            ).columns()
        ):
            for (_, words), value, problems in zip(columns, values, found, strict=True):
                try:
                    read(value)
                except BackorderError:
                    shown = repr(value if len(str(value)) <= 40 else f"{str(value)[:40]}...")
                    what = words.format(number=number)
                    problems.append(Violation(f"{what} {shown} is not a date", order))
        for problems in found:
            yield from problems


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
