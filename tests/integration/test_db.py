"""Opening databases: what is refused, how SQLite is set up, how transactions lock."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from backorder_cli.errors import DatabaseProblem
from backorder_cli.services import catalogue
from backorder_cli.storage.database import BUSY_TIMEOUT_MS, Database, locate
from backorder_cli.storage.schema import init_database, open_database


def test_a_missing_database_is_refused_and_no_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    with pytest.raises(DatabaseProblem, match=r"no database at .* `backorder init`"):
        open_database(str(path))
    assert not path.exists()


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="is a folder"):
        open_database(str(tmp_path))


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(DatabaseProblem, match="not a backorder database"):
        open_database(str(path))
    assert path.read_text() == "shopping list\n" * 100


def test_another_programs_sqlite_file_is_refused_by_open_and_init(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (x)")
    with pytest.raises(DatabaseProblem, match="not a backorder database"):
        open_database(str(path))
    with pytest.raises(DatabaseProblem, match="tables of another program"):
        init_database(str(path))


def test_init_refuses_a_path_in_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatabaseProblem, match="does not exist"):
        init_database(str(tmp_path / "nope" / "x.db"))
    assert not (tmp_path / "nope").exists()


def test_init_is_safe_to_run_twice(db_path: Path) -> None:
    first, created = init_database(str(db_path))
    catalogue.add_product(first, "A", name="a", price="1")
    first.dispose()
    second, created_again = init_database(str(db_path))
    assert (created, created_again) == (True, False)
    assert [p.sku for p in catalogue.list_products(second)] == ["A"]
    second.dispose()


def test_a_new_database_is_readable_by_its_owner_only(db: Database, db_path: Path) -> None:
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        # Bulk groups commit without copying the log into the file each time.
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 64 * 1024 * 1024


@pytest.mark.sqlite_only
def test_the_write_ahead_log_is_copied_back_when_the_last_connection_closes(
    db: Database, db_path: Path
) -> None:
    """The larger checkpoint interval defers the copy, it does not drop it: once the
    tool lets go of the file, the log is in the database and gone."""
    catalogue.add_product(db, "WAL-1", name="a", price="1")
    assert Path(f"{db_path}-wal").exists()
    db.dispose()
    assert not Path(f"{db_path}-wal").exists()
    with sqlite3.connect(db_path) as plain:  # the file alone holds the product
        assert plain.execute("SELECT sku FROM product WHERE sku = 'WAL-1'").fetchone()


def test_a_write_transaction_takes_the_write_lock_before_it_reads(
    db: Database, db_path: Path
) -> None:
    """BEGIN IMMEDIATE: while one writer has begun, even before writing anything, a second
    writer cannot begin, so no two can both read a state and then act on it."""
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    with db.write() as session:
        session.connection()  # the transaction has begun; nothing written yet
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again after commit
    other.execute("ROLLBACK")
    other.close()


def test_a_read_does_not_take_the_write_lock(db: Database, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    with db.read() as session:
        session.connection()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    other.close()


def test_a_writer_that_waits_too_long_gets_a_busy_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_database(str(db_path))[0].dispose()
    monkeypatch.setattr("backorder_cli.storage.database.BUSY_TIMEOUT_MS", 50)
    database = open_database(str(db_path))
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseProblem, match=r"database is busy.*try again"):
            catalogue.add_product(database, "A", name="a", price="1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        database.dispose()


def test_a_newer_schema_is_refused_and_left_untouched(db: Database, db_path: Path) -> None:
    db.dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = db_path.read_bytes()
    with pytest.raises(DatabaseProblem, match="schema version 99, newer than this backorder"):
        open_database(str(db_path))
    assert db_path.read_bytes() == before


def test_the_location_comes_from_the_option_then_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BACKORDER_DB", raising=False)
    monkeypatch.setattr(
        "backorder_cli.storage.database.default_path", lambda: tmp_path / "data" / "backorder.db"
    )
    assert locate(None).path == tmp_path / "data" / "backorder.db"
    assert locate(None).is_default
    monkeypatch.setenv("BACKORDER_DB", str(tmp_path / "env.db"))
    assert locate(None).path == tmp_path / "env.db"
    assert locate(str(tmp_path / "opt.db")).path == tmp_path / "opt.db"
    assert locate(f"sqlite:///{tmp_path}/url.db").path == tmp_path / "url.db"


def test_the_default_location_gets_its_folder_made_by_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BACKORDER_DB", raising=False)
    monkeypatch.setattr(
        "backorder_cli.storage.database.default_path", lambda: tmp_path / "data" / "backorder.db"
    )
    database, created = init_database(None)
    database.dispose()
    assert created
    assert (tmp_path / "data" / "backorder.db").is_file()


def test_a_url_password_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    location = locate("postgresql+psycopg://ann:s3cret@db.example/orders")
    assert "s3cret" not in location.display
    assert "***" in location.display


@pytest.mark.parametrize(
    "url",
    [
        "mysql+nosuchdriver://ann:s3cret@db.example/orders",
        "postgresql+psycopg2://ann:s3cret@db.example/orders",
    ],
)
def test_no_message_about_a_url_shows_its_password(url: str) -> None:
    with pytest.raises(DatabaseProblem) as caught:
        open_database(url)
    assert "s3cret" not in caught.value.message
    assert "ann:***@db.example" in caught.value.message
