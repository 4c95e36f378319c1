"""The benchmark, small, so it cannot rot: it runs end to end and writes its report.
It asserts nothing about time (speed is measured by bench/run.py, never by tests)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_end_to_end_on_a_small_database(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--orders",
            "1000",
            "--runs",
            "1",
            "--growth",
            "500",
            "--workdir",
            str(tmp_path),
            "--out",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    for row in (
        "| help |",
        "| version |",
        "| completion of commands |",
        "| show |",
        "| filtered list |",
        "| archived search, number |",
        "| archived search, text |",
        "| customer search |",
        "| log --since |",
        "| log --order |",
        "| products show |",
        "| suggest |",
        "| ready |",
        "| list every order as JSON |",
        "| log as a table: first row |",
        "| every order as a table: first row |",
        "| bulk backorder of ",
        "| check |",
        "| 500 |",
        "| 1,000 |",
    ):
        assert row in text, row
    # Every row of issue 17 at every size: the writes too, and how long each size took
    # to build (both sizes were built in this run).
    header = next(line for line in text.splitlines() if line.startswith("| orders |"))
    for column in ("built in", "bulk backorder (orders/s)", "on PostgreSQL", "suggest", "ready"):
        assert column in header, column
    for size in ("500", "1,000"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {size} |"))
        assert row.count("|") == header.count("|")
        assert row.split("|")[2].strip(), f"no build time at {size}"
    assert "Where the time goes" in text  # bench/NOTES.md is appended
    assert "| PostgreSQL (s) |" in text
    if os.environ.get("BACKORDER_REQUIRE_PG") == "1":  # CI has the server: measured there
        bulk = next(line for line in text.splitlines() if line.startswith("| bulk backorder"))
        assert "PostgreSQL not measured" not in bulk
        assert "; PostgreSQL " in bulk and " orders/s" in bulk
    # The generated database is sound, and the bulk run left its copy sound too.
    for db in (tmp_path / "bench-1000.db", tmp_path / "bulk.db"):
        check = subprocess.run(
            [str(Path(sys.executable).parent / "backorder"), "--db", str(db), "check"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout


def _written(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """What a bulk backorder wrote, without its times: every order and line of the
    database, the history's entries, the counters and the search index's rows."""
    conn = sqlite3.connect(db)
    try:
        return {
            "orders": conn.execute(
                "SELECT number, customer, comment, status, archived, backorder_of, total, "
                "customer_id, address, reference, policy, priority FROM orders ORDER BY number"
            ).fetchall(),
            "lines": conn.execute(
                "SELECT o.number, l.position, l.sku, l.name, l.unit, l.quantity, l.shipped, "
                "l.invoiced, l.canceled, l.unit_price, l.amount, l.backordered, "
                "l.backordered_amount, l.closed, l.canceled_with_order, l.canceled_amount "
                "FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "ORDER BY o.number, l.position"
            ).fetchall(),
            "history": conn.execute(
                "SELECT o.number, h.user, h.event, h.detail, h.subject FROM history h "
                "LEFT JOIN orders o ON o.id = h.order_id ORDER BY h.id"
            ).fetchall(),
            "counters": conn.execute("SELECT * FROM counter ORDER BY name").fetchall(),
            "search": conn.execute("SELECT rowid, * FROM order_text ORDER BY rowid").fetchall(),
        }
    finally:
        conn.close()


def test_the_reference_writes_what_create_writes(tmp_path: Path) -> None:
    """bench/reference.py is the speed the tool is held to: it must do the same job, or
    the ratio means nothing. On the same orders it leaves the same database."""
    source = tmp_path / "source.db"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--orders",
            "1500",
            "--db",
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    backorder = str(Path(sys.executable).parent / "backorder")
    ids = subprocess.run(
        [backorder, "--db", str(source), "orders", "list", "-s", "partially-shipped", "-f", "ids"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # One order named twice (each number is taken once) and one that does not exist.
    numbers = ids.split()
    assert len(numbers) > 100
    listed = "\n".join([*numbers, numbers[0], "999999"]) + "\n"
    ours, theirs = tmp_path / "ours.db", tmp_path / "reference.db"
    shutil.copy(source, ours)
    shutil.copy(source, theirs)
    made = subprocess.run(
        [backorder, "--db", str(ours), "create", "-", "--yes"],
        input=listed,
        capture_output=True,
        text=True,
        timeout=300,
    )
    ref = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reference.py"), str(theirs)],
        input=listed,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == ref.returncode == 1  # both refuse the missing order
    assert f"{len(numbers)} backorders created, 1 refused" in made.stderr
    assert f"{len(numbers)} backorders created, 1 refused" in ref.stderr
    assert _written(ours) == _written(theirs)
    assert _written(ours) != _written(source)
