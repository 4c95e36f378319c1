"""Pressing TAB reads, never writes: completion does not migrate an old schema nor
touch a current database."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.schema import init_database

BIN = Path(sys.executable).parent
DATA = Path(__file__).resolve().parent.parent / "data"


def complete_create(db: Path) -> list[str]:
    line = f"backorder --db {db} create "
    env = {
        **os.environ,
        "_BACKORDER_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": "4",
    }
    result = subprocess.run(
        [str(BIN / "backorder")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def files_of(db: Path) -> dict[str, str]:
    """Every file of the database (main file, -wal, -shm, -journal) with its hash."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.iterdir())
        if p.name.startswith(db.name)
    }


def test_completion_on_an_old_schema_does_not_migrate_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(DATA / "schema-v1.db", db)
    before = files_of(db)
    complete_create(db)
    assert files_of(db) == before


def test_completion_on_a_current_database_offers_orders_and_writes_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shop.db"
    database, _ = init_database(str(db))
    transfer_service.load_sample(database)
    database.dispose()
    before = files_of(db)
    assert complete_create(db) == ["2398", "2399", "2401"]
    assert files_of(db) == before


def complete(line: str) -> list[str]:
    """What bash completion offers for the last word of `line` (empty after a space)."""
    words = line.split()
    env = {
        **os.environ,
        "_BACKORDER_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) if line.endswith(" ") else len(words) - 1),
    }
    result = subprocess.run(
        [str(BIN / "backorder")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


LINES = [
    ("orders show ", [str(n) for n in range(2390, 2402)]),
    ("orders show 239", [str(n) for n in range(2390, 2400)]),
    ("chain 240", ["2400", "2401"]),
    ("ship ", ["2396", "2397", "2398", "2399", "2400", "2401"]),
    ("invoice ", ["2393", "2398"]),
    ("orders book ", ["2395"]),
    ("log --order 2401", ["2401"]),
    ("ship 2401 ", ["CABLE-15=150", "SWITCH-1=12"]),
    ("ship 2401 CABLE-15=1 ", ["SWITCH-1=12"]),
    ("ship 2401 S", ["SWITCH-1=12"]),
    ("products receive CABLE", ["CABLE-15", "CABLE-25"]),
    (
        "orders list --status ",
        ["draft", "booked", "partially-shipped", "shipped", "invoiced", "canceled"],
    ),
    ("orders list -s p", ["partially-shipped"]),
]


def test_each_command_completes_what_it_takes_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    database, _ = init_database(str(db))
    transfer_service.load_sample(database)
    database.dispose()
    before = files_of(db)
    for line, offered in LINES:
        assert complete(f"backorder --db {db} {line}") == offered, line
    assert files_of(db) == before


def test_completion_reads_the_db_given_after_the_subcommand(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    database, _ = init_database(str(db))
    transfer_service.load_sample(database)
    database.dispose()
    assert complete(f"backorder orders list --db {db} -s b") == ["booked"]
    assert complete(f"backorder orders book --db {db} ") == ["2395"]


def test_completion_offers_nothing_on_an_old_schema_and_leaves_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(DATA / "schema-v1.db", db)
    before = files_of(db)
    for line in ("orders show ", "ship 2401 ", "products receive ", "undo "):
        assert complete(f"backorder --db {db} {line}") == [], line
    assert files_of(db) == before
