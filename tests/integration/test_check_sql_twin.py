"""`check` finds suspect orders in SQL (one pass over the lines, `suspect_orders`) and
lets the domain's rules decide each. The SQL is the rules' twin: every order the
domain's rules fault must be a suspect, on both backends, whatever the lines hold; and
where the lines are sound, a status or total is suspect exactly when the rules say it
is wrong. Random lines, seeded, so a failure repeats."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Connection, text

from backorder_cli.domain.invariants import canceled_violations, line_violations
from backorder_cli.services import integrity_orders
from backorder_cli.services.integrity_orders import _check_orders, suspect_orders
from backorder_cli.services.integrity_values import _scaled
from backorder_cli.services.steps import _Line
from backorder_cli.storage.database import Database
from tests.conftest import is_url
from tests.integration.test_check import tamper

_COLUMNS = (
    "quantity",
    "shipped",
    "invoiced",
    "canceled",
    "unit_price",
    "amount",
    "backordered",
    "backordered_amount",
    "closed",
    "canceled_with_order",
    "canceled_amount",
)
_VALUES = (-1000, -1, 0, 0, 0, 1, 2, 1000, 2000, 3000, 5000, 12345)
# What only SQLite can hold in an integer column; each must make its order a suspect.
_ODD = ("2.5", "1000.5", "0.25", "'lots'", "X'00'", "9.9e19", "-0.5")


def _numbers(conn: Connection, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    marks = ", ".join(str(i) for i in ids)
    return {n for (n,) in conn.execute(text(f"SELECT number FROM orders WHERE id IN ({marks})"))}


def _verdicts(db: Database) -> tuple[set[int], set[int]]:
    """(orders the SQL suspects, orders the domain's rules fault), by number."""
    with db.read() as session:
        conn = session.connection()
        suspects = suspect_orders(conn, money=True, corrections=True, every_order_has_lines=True)
        every = [i for (i,) in conn.execute(text("SELECT id FROM orders ORDER BY id"))]
        faulted = {v.order for v in _check_orders(conn, every, money=True, corrections=True)}
        return _numbers(conn, suspects.orders), {n for n in faulted if n is not None}


def _line_ids(db: Database) -> list[int]:
    with db.read() as session:
        rows = session.connection().execute(text("SELECT id FROM order_lines ORDER BY id"))
        return [i for (i,) in rows]


def _line_verdicts(db: Database) -> tuple[set[int], set[int]]:
    """(lines the SQL finds out of bounds, lines the domain's rules fault: a value that
    is no whole number, `line_violations`, `canceled_violations`), by id, with the
    lines whose unit price is negative apart: a bound the SQL adds (a price is never
    negative) that the rules of a line leave to the entry of prices."""
    with db.read() as session:
        conn = session.connection()
        sqlite = conn.dialect.name == "sqlite"
        bad = integrity_orders._bad_line(sqlite=sqlite, money=True, corrections=True)
        found = {i for (i,) in conn.execute(text(f"SELECT id FROM order_lines WHERE {bad}"))}
        rows = conn.execute(text(f"SELECT id, {', '.join(_COLUMNS)} FROM order_lines")).all()
    faulted, priced_below_zero = set(), set()
    for line_id, *raw in rows:
        try:
            v = dict(zip(_COLUMNS, (_scaled(x, 3) for x in raw), strict=True))
        except ValueError:
            faulted.add(line_id)
            continue
        if v["unit_price"] < 0:
            priced_below_zero.add(line_id)
        line = _Line("S", "n", "u", *(v[c] for c in _COLUMNS[:8]))
        if line_violations(line) or canceled_violations(
            v["canceled"],
            v["backordered"],
            v["closed"],
            v["canceled_with_order"],
            v["canceled_amount"],
        ):
            faulted.add(line_id)
    return found - priced_below_zero, faulted - priced_below_zero


def test_a_line_is_out_of_bounds_in_sql_exactly_when_the_rules_fault_it(
    sample_db: Database, target: str
) -> None:
    pick = random.Random(17)
    lines = _line_ids(sample_db)
    faulted_seen = 0
    for _round in range(15):
        statements = []
        for line in pick.sample(lines, k=len(lines) // 2):
            values = {c: str(pick.choice(_VALUES)) for c in pick.sample(_COLUMNS, k=2)}
            if not is_url(target) and pick.random() < 0.3:
                values[pick.choice(_COLUMNS)] = pick.choice(_ODD)
            sets = ", ".join(f"{c} = {v}" for c, v in values.items())
            statements.append(f"UPDATE order_lines SET {sets} WHERE id = {line}")
        tamper(target, *statements)
        found, faulted = _line_verdicts(sample_db)
        assert found == faulted, (sorted(faulted - found), sorted(found - faulted))
        faulted_seen += len(faulted)
        # and each order with such a line is a suspect of the whole pass
        suspects, by_rules = _verdicts(sample_db)
        assert by_rules <= suspects, sorted(by_rules - suspects)
    assert faulted_seen > 0  # the rounds did break rules


def test_a_status_or_total_is_suspect_exactly_when_the_rules_say_it_is_wrong(
    sample_db: Database, target: str
) -> None:
    pick = random.Random(23)
    statuses = ("draft", "booked", "partially_shipped", "shipped", "invoiced", "canceled")
    with sample_db.read() as session:
        numbers = [n for (n,) in session.connection().execute(text("SELECT number FROM orders"))]
    assert _verdicts(sample_db) == (set(), set())
    wrong = 0
    for _round in range(10):
        statements = []
        for number in pick.sample(numbers, k=4):
            if pick.random() < 0.5:
                statements.append(
                    f"UPDATE orders SET status = '{pick.choice(statuses)}' WHERE number = {number}"
                )
            else:
                change = pick.choice((-1, 1, 100))
                statements.append(
                    f"UPDATE orders SET total = total + {change} WHERE number = {number}"
                )
        tamper(target, *statements)
        suspects, faulted = _verdicts(sample_db)
        assert suspects == faulted
        wrong += len(faulted)
    assert wrong > 0


def test_a_value_no_integer_column_should_hold_is_out_of_bounds_in_any_column(
    sample_db: Database, target: str
) -> None:
    if is_url(target):
        pytest.skip("a server's typed columns hold whole numbers only")
    line = _line_ids(sample_db)[0]
    with sample_db.read() as session:
        was = (
            session.connection()
            .execute(text(f"SELECT {', '.join(_COLUMNS)} FROM order_lines WHERE id = {line}"))
            .one()
        )
    assert _line_verdicts(sample_db) == (set(), set())
    for column, value in zip(_COLUMNS, was, strict=True):
        for odd in (f"{column} + 0.5", "'lots'", "X'00'"):
            tamper(target, f"UPDATE order_lines SET {column} = {odd} WHERE id = {line}")
            found, faulted = _line_verdicts(sample_db)
            assert found == faulted == {line}, (column, odd)
            tamper(target, f"UPDATE order_lines SET {column} = {value} WHERE id = {line}")
            assert _line_verdicts(sample_db) == (set(), set())
