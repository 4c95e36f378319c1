"""SIGKILL in the middle of a bulk backorder and of `ready --ship`, on both backends: the
database is never half-changed, the group in flight is lost whole and was never reported, every line
printed is an order that was committed, and rerunning the command finishes the rest.

Where the kills land, deterministically: the run is the real console script in groups
of 25 orders, and it SIGKILLs itself (tests/helpers/killed_bulk.py) once a group's
orders are all written but not committed, and once a group is committed but none of its
lines printed: the two moments a kill must be told apart. No sleeps, no luck."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from backorder_cli.domain.values import QUANTITY_PLACES
from backorder_cli.services import integrity
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import open_database
from tests.helpers.data import partially_shipped_company

# Timing-sensitive (kills): one xdist group, so these never run beside each other
# (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("timing")

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
ORDERS = 120
GROUP = 25
MADE = r"^Backorder #(\d+) created with the undelivered items of order #(\d+);"


@pytest.fixture(scope="module")
def document() -> str:
    return partially_shipped_company(ORDERS)


@pytest.fixture
def company(db: Database, document: str, target: str) -> str:
    """120 partially shipped, fully invoiced orders (numbers 10001-10120)."""
    transfer_service.import_text(db, document, source="generated")
    db.dispose()
    return target


CREATE = ("create", "--all", "--yes")
SHIP = ("ready", "--ship", "--yes")


def killed(
    target: str, where: str, nth: int, command: tuple[str, ...] = CREATE
) -> subprocess.CompletedProcess[str]:
    """`command` in groups of 25, killed by SIGKILL at `where` of group `nth`."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "tests.helpers.killed_bulk", where, str(GROUP), str(nth)),
            *("--db", target, *command),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def bulk(target: str, command: tuple[str, ...] = CREATE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "backorder"), "--db", target, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )


def printed(run: subprocess.CompletedProcess[str]) -> dict[int, int]:
    """What a run's stdout says it did: {original: backorder}."""
    lines = run.stdout.splitlines()
    made = {int(o): int(b) for line in lines for b, o in re.findall(MADE, line)}
    assert len(made) == len(lines), run.stdout
    return made


def sound(target: str) -> dict[int, int]:
    """Every invariant holds and each original is untouched or fully backordered;
    returns the backorders committed, {original: backorder}."""
    database = open_database(target)
    try:
        assert list(integrity.check_database(database)) == []
        with database.read() as session:
            rows = session.connection().execute(
                text(
                    "SELECT o.number, o.status, o.archived, b.number FROM orders o "
                    "LEFT JOIN orders b ON b.backorder_of = o.number WHERE o.number <= :last"
                ),
                {"last": 10000 + ORDERS},
            )
            made = {}
            for number, status, archived, backorder in rows:
                if backorder is None:
                    assert (status, bool(archived)) == ("partially_shipped", False), number
                else:
                    assert (status, bool(archived)) == ("canceled", True), number
                    assert number not in made, number  # one backorder each, never two
                    made[number] = backorder
    finally:
        database.dispose()
    return made


def test_a_kill_loses_only_the_unreported_group_in_flight_and_a_rerun_finishes(
    company: str,
) -> None:
    # Killed while the second group is written: the first group stays, and is all that
    # was printed; the second is rolled back whole.
    first = killed(company, "writing", 2)
    assert first.returncode == -9, first.stderr
    made = sound(company)
    assert len(made) == GROUP
    assert printed(first) == made

    # Killed right after the next run's second group committed, before any of its lines:
    # both groups stay, only the first one's lines were printed.
    second = killed(company, "printing", 2)
    assert second.returncode == -9, second.stderr
    before, made = made, sound(company)
    assert len(made) == 3 * GROUP
    assert len(printed(second)) == GROUP
    assert printed(second).items() <= made.items()
    assert made.items() >= before.items()

    # The rerun finishes the rest, and does nothing twice.
    rerun = bulk(company)
    assert rerun.returncode == 0, rerun.stderr
    done = sound(company)
    assert len(done) == ORDERS
    assert printed(rerun) == {n: b for n, b in done.items() if n not in made}
    again = bulk(company)
    assert again.stderr.strip() == "No partially shipped orders to backorder."
    assert sound(company) == done


SHIPPED = r"^Shipped order #(\d+) in full: "


def shipped_printed(run: subprocess.CompletedProcess[str]) -> set[int]:
    """What a `ready --ship` run's stdout says it shipped."""
    lines = run.stdout.splitlines()
    shipped = {int(o) for line in lines for o in re.findall(SHIPPED, line)}
    assert len(shipped) == len(lines), run.stdout
    return shipped


def shipped_sound(target: str, document: str) -> set[int]:
    """Every invariant holds, each order is untouched or shipped in full (once), and the
    stock went down by exactly what the shipped orders took; returns those orders."""
    given = {o["number"]: o["lines"] for o in json.loads(document)["orders"]}
    scale = Decimal(10) ** QUANTITY_PLACES  # quantities are stored as scaled integers
    database = open_database(target)
    try:
        assert list(integrity.check_database(database)) == []
        with database.read() as session:
            conn = session.connection()
            stock = dict(conn.execute(text("SELECT sku, stock FROM product")).all())
            events = dict(
                conn.execute(
                    text(
                        "SELECT o.number, COUNT(h.id) FROM orders o LEFT JOIN history h "
                        "ON h.order_id = o.id AND h.event = 'shipped' GROUP BY o.number"
                    )
                ).all()
            )
            rows = conn.execute(
                text(
                    "SELECT o.number, o.status, l.sku, l.shipped FROM orders o "
                    "JOIN order_lines l ON l.order_id = o.id ORDER BY o.number, l.id"
                )
            ).all()
    finally:
        database.dispose()
    now: dict[int, list[tuple[str, str, Decimal]]] = {}
    for number, status, sku, shipped in rows:
        now.setdefault(number, []).append((status, sku, Decimal(shipped) / scale))
    done, taken = set(), {sku: Decimal(0) for sku in stock}
    for number, lines in given.items():
        statuses = {status for status, _s, _q in now[number]}
        if statuses == {"partially_shipped"}:
            assert [q for _st, _s, q in now[number]] == [ln["shipped"] for ln in lines], number
            assert events[number] == 0, number
        else:
            assert statuses == {"shipped"}, number
            assert [q for _st, _s, q in now[number]] == [ln["quantity"] for ln in lines], number
            assert events[number] == 1, number  # shipped once, never twice
            done.add(number)
            for ln in lines:
                taken[ln["sku"]] += ln["quantity"] - ln["shipped"]
    assert {sku: Decimal(q) / scale for sku, q in stock.items()} == {
        sku: 100000 - taken[sku] for sku in stock
    }
    return done


def test_a_kill_during_ready_ship_loses_only_the_unreported_group_and_a_rerun_finishes(
    company: str, document: str
) -> None:
    # Killed once the second group's shipments are written, before its commit: only the
    # first group stays, and it is all that was printed.
    first = killed(company, "writing", 2, SHIP)
    assert first.returncode == -9, first.stderr
    shipped = shipped_sound(company, document)
    assert len(shipped) == GROUP
    assert shipped_printed(first) == shipped

    # Killed right after the next run's second group committed, before its first line.
    second = killed(company, "printing", 2, SHIP)
    assert second.returncode == -9, second.stderr
    before, shipped = shipped, shipped_sound(company, document)
    assert len(shipped) == 3 * GROUP and shipped > before
    assert len(shipped_printed(second)) == GROUP
    assert shipped_printed(second) <= shipped - before

    # The rerun ships the rest, each order once.
    rerun = bulk(company, SHIP)
    assert rerun.returncode == 0, rerun.stderr
    assert shipped_printed(rerun) == set(range(10001, 10001 + ORDERS)) - shipped
    assert shipped_sound(company, document) == set(range(10001, 10001 + ORDERS))
    again = bulk(company, SHIP)
    assert again.stderr.strip() == "No waiting order can ship from stock on hand."
