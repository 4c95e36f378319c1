"""SIGKILL in the middle of a bulk backorder: the database is never half-changed, and
rerunning the command finishes the rest.

Where the kills land: each run is watched through the database (a reader beside the
writer, as WAL allows) and killed only once it has committed at least one more backorder
than before it started, after a short random delay, so every kill lands while writes are
under way (between, inside or at the end of a transaction), never during start-up or
after the run has ended. That is why a few kills cover what twenty random sleeps did."""

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

from backorder_cli.services import integrity
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.schema import init_database, open_database
from tests.helpers.data import partially_shipped_company

# Timing-sensitive (races, locks, kills): one xdist group, so these never run beside
# each other (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("timing")

BIN = Path(sys.executable).parent
ORDERS = 2000
KILLS = 6


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 partially shipped, fully invoiced orders, built once."""
    path = tmp_path_factory.mktemp("crash") / "template.db"
    database, _ = init_database(str(path))
    transfer_service.import_text(database, partially_shipped_company(ORDERS), source="generated")
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
        assert list(integrity.check_database(database)) == []
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


def backorders_made(path: Path) -> int:
    with sqlite3.connect(path, timeout=10) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM orders WHERE backorder_of IS NOT NULL"
        ).fetchone()
    return int(count)


def kill_while_writing(process: subprocess.Popen, path: Path, rng: random.Random) -> bool:
    """SIGKILL the run once it has committed a backorder, a moment later; False when it
    finished first."""
    start = backorders_made(path)
    deadline = time.monotonic() + 60
    while backorders_made(path) <= start:
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.05))
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


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
    kills = 0
    progress = []
    while kills < KILLS:
        process = bulk(path)
        if kill_while_writing(process, path, rng):
            kills += 1
        else:
            process.wait()
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
