"""Real processes on one database: racing backorders and random concurrent work (on a
SQLite file and on PostgreSQL), and readers beside a long write (SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from backorder_cli.services import catalogue, integrity
from backorder_cli.services import orders as orders_service
from backorder_cli.services import stock as stock_service
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.schema import init_database, open_database

# Timing-sensitive (races, locks, kills): one xdist group, so these never run beside
# each other (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("timing")

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def python_module(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def wait_until_ready(go: Path, racers: int) -> None:
    """Until every racer has imported everything and waits for the go-file."""
    deadline = time.monotonic() + 120
    while len(list(go.parent.glob(f"{go.name}.ready.*"))) < racers:
        assert time.monotonic() < deadline, "the racers did not start within 120 s"
        time.sleep(0.01)


def test_eight_processes_backordering_one_order_exactly_one_wins(
    tmp_path: Path, target: str
) -> None:
    database, _ = init_database(target)
    transfer_service.load_sample(database)
    database.dispose()
    go = tmp_path / "go"
    racers = [
        python_module("tests.helpers.run_when", str(go), "--db", target, "create", "2401", "--yes")
        for _ in range(8)
    ]
    wait_until_ready(go, len(racers))
    go.touch()
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]

    winners = [r for r in results if r[0] == 0]
    losers = [r for r in results if r[0] != 0]
    assert len(winners) == 1, results
    assert winners[0][1] == (
        "Backorder #2402 created with the undelivered items of order #2401; "
        "order #2401 is canceled and archived.\n"
    )
    assert len(losers) == 7
    for code, out, err in losers:
        assert code == 1
        assert out == ""
        assert err == (
            "Error: order #2401 is already backordered as #2402 - "
            "see it with `backorder orders show 2402`\n"
        )
    database = open_database(target)
    assert list(integrity.check_database(database)) == []
    assert [
        o.number for o in orders_service.iter_orders(database, search="Backorder from order #2401")
    ] == [2402]
    database.dispose()


def make_company(path: str, orders: int) -> dict[str, Decimal]:
    """`orders` booked orders over 12 products; returns the stock it starts with."""
    products = [
        {"sku": f"S{i:02d}", "name": f"Part {i}", "price": f"{i + 1}.25", "stock": 40 + i}
        for i in range(12)
    ]
    docs = [
        {
            "number": 5001 + n,
            "customer": f"Customer {n % 9}",
            "lines": [
                {"sku": f"S{(n + k * 5) % 12:02d}", "quantity": 3 + (n * 7 + k) % 9}
                for k in range(1 + n % 3)
            ],
        }
        for n in range(orders)
    ]
    database, _ = init_database(path)
    transfer_service.import_text(
        database, json.dumps({"products": products, "orders": docs}), source="generated"
    )
    database.dispose()
    return {p["sku"]: Decimal(p["stock"]) for p in products}


def test_four_processes_of_random_work_leave_a_sound_database(target: str) -> None:
    initial = make_company(target, 200)
    workers = [
        python_module("tests.helpers.worker", target, str(seed), "300") for seed in (11, 22, 33, 44)
    ]
    reports = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        reports.append(json.loads(out))

    for report in reports:
        assert report["unexplained"] == []
        assert report["ok"] + report["refused"] == 300
    assert sum(r["ok"] for r in reports) > 300  # real work happened, not only refusals

    database = open_database(target)
    try:
        assert list(integrity.check_database(database)) == []
        added = [n for r in reports for n in r["added"]]
        assert len(added) == len(set(added))  # no number handed out twice
        # Not a unit of stock lost or made up: start + received = now + shipped.
        received: Counter[str] = Counter()
        for report in reports:
            for sku, qty in report["received"].items():
                received[sku] += Decimal(qty)
        shipped: Counter[str] = Counter()
        for summary in list(orders_service.iter_orders(database, archived="all")):
            for line in orders_service.get_order(database, summary.number).lines:
                shipped[line.sku] += line.shipped
        counted: Counter[str] = Counter()  # stock counts (`products adjust`)
        for count in stock_service.stock_counts(database):
            counted[count.sku] += count.difference
        stock = {p.sku: p.stock for p in catalogue.list_products(database)}
        for sku, start in initial.items():
            assert start + received[sku] + counted[sku] == stock[sku] + shipped[sku], sku
    finally:
        database.dispose()


@pytest.fixture
def held_write_lock(db_path: Path):  # type: ignore[no-untyped-def]
    """Another process in the middle of a long write transaction."""
    import sqlite3

    database, _ = init_database(str(db_path))
    transfer_service.load_sample(database)
    database.dispose()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE product SET stock = stock + 1000")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def run_cli(db_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run(
        [str(BIN / "backorder"), "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BACKORDER_BUSY_TIMEOUT_MS": "1500"},
    )
    return result, time.monotonic() - start


def test_reads_do_not_wait_behind_a_long_write(held_write_lock: None, db_path: Path) -> None:
    result, _ = run_cli(db_path, "orders", "list", "--format", "ids")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "2401"
    shown, _ = run_cli(db_path, "products", "list", "--format", "json")
    stock = {p["sku"]: p["stock"] for p in json.loads(shown.stdout)}
    assert stock["BOX-68"] == 300  # the uncommitted write is not seen


def test_a_writer_that_waits_too_long_is_told_to_try_again(
    held_write_lock: None, db_path: Path
) -> None:
    result, waited = run_cli(db_path, "create", "2401", "--yes")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: database is busy: another process is writing to")
    assert result.stderr.rstrip().endswith("- try again")
    assert "Traceback" not in result.stderr
    assert waited >= 1.5  # it waited the busy timeout before giving up
