"""SIGKILL in the middle of a bulk backorder: the database is never half-changed, and
rerunning the command finishes the rest."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backorder_cli import services
from backorder_cli.db import init_database, open_database
from tests.helpers.data import partially_shipped_company

BIN = Path(sys.executable).parent
ORDERS = 2000
KILLS = 20


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 partially shipped, fully invoiced orders, built once."""
    path = tmp_path_factory.mktemp("crash") / "template.db"
    database, _ = init_database(str(path))
    services.import_text(database, partially_shipped_company(ORDERS), source="generated")
    database.dispose()
    return path


def copy_database(template: Path, target: Path) -> Path:
    with sqlite3.connect(template) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(template, target)
    return target


def states(path: Path) -> dict[int, tuple[str, bool, int | None]]:
    """Each original order: (status, archived, its backorder's number or None)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT o.number, o.status, o.archived, "
            "(SELECT b.number FROM orders b WHERE b.backorder_of = o.number) "
            "FROM orders o WHERE o.number <= ?",
            (10000 + ORDERS,),
        ).fetchall()
    return {n: (s, bool(a), b) for n, s, a, b in rows}


def assert_sound(path: Path) -> tuple[int, int]:
    """Integrity, every invariant, and each order untouched or fully backordered.
    Returns how many are done and how many untouched."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    database = open_database(str(path))
    try:
        assert list(services.check_database(database)) == []
    finally:
        database.dispose()
    done = untouched = 0
    for number, (status, archived, backorder) in states(path).items():
        if backorder is None:
            assert (status, archived) == ("partially_shipped", False), number
            untouched += 1
        else:
            assert (status, archived) == ("canceled", True), number
            done += 1
    assert done + untouched == ORDERS
    return done, untouched


def bulk(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "backorder"), "--db", str(path), "create", "--all", "--yes"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_during_a_bulk_backorder_never_leaves_half_an_order(
    template: Path, tmp_path: Path
) -> None:
    rng = random.Random(2401)
    path = copy_database(template, tmp_path / "crash.db")
    kills = finished_runs = 0
    progress = []
    while kills < KILLS:
        process = bulk(path)
        time.sleep(rng.uniform(0.3, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
        else:
            finished_runs += 1
        done, untouched = assert_sound(path)
        progress.append(done)
        if untouched == 0:  # all done: start again from the template
            path = copy_database(template, tmp_path / f"crash{kills}.db")
    assert kills >= KILLS
    assert max(progress) > 0  # kills landed after work had begun

    # Rerunning finishes what is left, and does nothing twice.
    rerun = bulk(path)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    done, untouched = assert_sound(path)
    assert (done, untouched) == (ORDERS, 0)
    finished = states(path)
    again = bulk(path)
    _, err = again.communicate(timeout=120)
    assert err.strip() == "No partially shipped orders to backorder."
    assert states(path) == finished
