"""What `check` verifies of credit notes (schema 4): each gives back only lines its
invoice billed, never more than it billed (quantity and money, all its credit notes
together), with the signs of its kind, on the invoice's own order, and credits an
invoice, not another credit note. That invoiced = invoiced lines - credited lines per
order line needs no pass of its own: credit lines are stored negative, so the sum of a
line's invoice lines that `integrity` compares with `invoiced` is exactly that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, text

from ..domain.credits import credit_share_violations, credit_violations
from ..domain.invariants import Violation
from ..domain.values import MONEY_PLACES, QUANTITY_PLACES
from .integrity_values import _scaled

_OVER_CREDITED = text(
    "SELECT i.number, o.number, l.sku, COALESCE(b.quantity, 0), COALESCE(b.amount, 0), "
    "-SUM(cl.quantity), -SUM(cl.amount) "
    "FROM invoices c JOIN invoices i ON i.id = c.credit_of "
    "JOIN invoice_lines cl ON cl.invoice_id = c.id "
    "JOIN order_lines l ON l.id = cl.line_id "
    "JOIN orders o ON o.id = i.order_id "
    "LEFT JOIN invoice_lines b ON b.invoice_id = i.id AND b.line_id = cl.line_id "
    "GROUP BY i.number, o.number, l.sku, cl.line_id, b.quantity, b.amount "
    "HAVING -SUM(cl.quantity) > COALESCE(b.quantity, 0) "
    "OR -SUM(cl.amount) > COALESCE(b.amount, 0) "
    "ORDER BY i.number"
)


def _off_share(conn: Connection) -> Any:
    """Invoice lines whose credit notes together give back other than their share of
    what the line billed (`credit_share_violations`), found in SQL over the scaled
    integers: share(a, k, n) in cents is (2ak + n) / (2n) rounded down, a whole credit
    gives back a. Exact on servers (NUMERIC); on SQLite, integers. Only credited
    invoice lines are read; the domain's rule decides each."""
    sqlite = conn.dialect.name == "sqlite"
    a, k, n = "b.amount", "-SUM(cl.quantity)", "b.quantity"
    if sqlite:
        part = f"(2 * {a} * {k} + {n}) / (2 * {n})"
    else:
        part = f"FLOOR((2 * CAST({a} AS NUMERIC) * {k} + {n}) / (2 * {n}))"
    return conn.execute(
        text(
            "SELECT i.number, o.number, l.position, l.sku, b.quantity, b.amount, "
            "-SUM(cl.quantity), -SUM(cl.amount) "
            "FROM invoices c JOIN invoices i ON i.id = c.credit_of "
            "JOIN invoice_lines cl ON cl.invoice_id = c.id "
            "JOIN order_lines l ON l.id = cl.line_id "
            "JOIN orders o ON o.id = i.order_id "
            "JOIN invoice_lines b ON b.invoice_id = i.id AND b.line_id = cl.line_id "
            # Driven from the credit notes (few), not from every invoice: without it
            # SQLite scanned all invoices (1.2 s at a million orders, with none credited).
            "WHERE c.credit_of IS NOT NULL AND b.quantity > 0 "
            "GROUP BY i.number, o.number, l.position, l.sku, cl.line_id, b.quantity, b.amount "
            f"HAVING {k} > 0 AND {k} <= {n} AND -SUM(cl.amount) <> "
            f"CASE WHEN {k} = {n} THEN {a} ELSE {part} END "
            "ORDER BY i.number, o.number, l.position"
        )
    )


# Per invoice, over its lines: what they bill, and whether one has the wrong sign for
# its kind (`check_credits`); with `integrity`'s check of each invoice's total, one pass
# over the invoice lines grouped by invoice, streamed into a look-up of the invoice and
# its order (two correlated passes, one per check, cost 1.2 s at a million orders).
INVOICE_SUMS = (
    "SELECT invoice_id, SUM(amount) AS billed, "
    "SUM(CASE WHEN quantity < 0 OR amount < 0 THEN 1 ELSE 0 END) AS negative, "
    "SUM(CASE WHEN quantity > 0 OR amount > 0 THEN 1 ELSE 0 END) AS positive "
    "FROM invoice_lines GROUP BY invoice_id"
)
WRONG_SIGN = (
    "(i.credit_of IS NULL AND x.negative > 0) OR (i.credit_of IS NOT NULL AND x.positive > 0)"
)
_BAD_LINK = text(
    "SELECT c.number, o.number, i.number, i.credit_of, i.order_id, c.order_id "
    "FROM invoices c JOIN orders o ON o.id = c.order_id "
    "LEFT JOIN invoices i ON i.id = c.credit_of "
    "WHERE c.credit_of IS NOT NULL AND "
    "(i.id IS NULL OR i.credit_of IS NOT NULL OR i.order_id <> c.order_id) "
    "ORDER BY c.number"
)


def check_credits(
    conn: Connection, wrong_signs: Iterable[tuple[int, int, int | None]]
) -> Iterator[Violation]:
    """`wrong_signs`: (number, order, credit_of) of each invoice with a line of the wrong
    sign for its kind (`WRONG_SIGN`), read by `integrity` with the invoices' totals."""
    q, m = QUANTITY_PLACES, MONEY_PLACES
    for number, order, sku, quantity, amount, credited, credited_amount in conn.execute(
        _OVER_CREDITED
    ):
        try:
            facts = [
                (
                    sku,
                    _scaled(quantity, q),
                    _scaled(amount, m),
                    _scaled(credited, q),
                    _scaled(credited_amount, m),
                )
            ]
        except ValueError as exc:
            yield Violation(f"invoice #{number}: {exc}", order)
            continue
        for problem in credit_violations(number, facts):
            yield Violation(problem, order)
    for number, order, position, sku, quantity, amount, credited, credited_amount in _off_share(
        conn
    ):
        try:
            line_facts = (
                _scaled(quantity, q),
                _scaled(amount, m),
                _scaled(credited, q),
                _scaled(credited_amount, m),
            )
        except ValueError as exc:
            yield Violation(f"invoice #{number}: {exc}", order, position, sku)
            continue
        for problem in credit_share_violations(number, sku, *line_facts):
            yield Violation(problem, order, position, sku)
    for number, order, credit_of in wrong_signs:
        kind = "an invoice" if credit_of is None else "a credit note"
        sign = "negative" if credit_of is None else "positive"
        yield Violation(f"#{number} is {kind} with {sign} lines", order)
    for number, order, invoice, invoice_credit_of, invoice_order, own_order in conn.execute(
        _BAD_LINK
    ):
        if invoice is None:
            yield Violation(f"credit note #{number} credits an invoice that does not exist", order)
        elif invoice_credit_of is not None:
            yield Violation(
                f"credit note #{number} credits #{invoice}, itself a credit note", order
            )
        elif invoice_order != own_order:
            yield Violation(
                f"credit note #{number} credits invoice #{invoice} of another order", order
            )
