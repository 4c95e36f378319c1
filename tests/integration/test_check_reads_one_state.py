"""`check` runs its pass over the lines on a second connection alongside the others
(SQLite): both read one state of the database, whatever commits meanwhile; when the
instant's lock cannot be had (a writer at work, a read-only file) it reads on one
connection, and finds the same."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from backorder_cli.services import integrity
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import open_database
from backorder_cli.storage.snapshots import second_reader
from tests.conftest import sqlite_connect
from tests.integration.test_check import tamper

_STATUS = "SELECT status FROM orders WHERE number = 2396"


def test_the_second_reader_sees_the_state_of_the_first_whatever_commits_after(
    sample_db: Database, db_path: Path
) -> None:
    with sample_db.read() as session:
        conn = session.connection()
        with second_reader(sample_db, conn) as second:
            assert second is not None
            with sqlite_connect(db_path) as other:  # a writer, right after
                other.execute("UPDATE orders SET status = 'shipped' WHERE number = 2396")
            assert conn.execute(text(_STATUS)).scalar() == "booked"
            assert second.execute(text(_STATUS)).scalar() == "booked"
    with sample_db.read() as session:
        assert session.connection().execute(text(_STATUS)).scalar() == "shipped"


def test_with_a_writer_at_work_check_reads_on_one_connection_and_finds_the_same(
    sample_db: Database, db_path: Path
) -> None:
    tamper(str(db_path), "UPDATE orders SET status = 'shipped' WHERE number = 2396")
    alongside = [str(v) for v in integrity.check_database(sample_db)]
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a command at work
    try:
        with sample_db.read() as session, second_reader(sample_db, session.connection()) as no:
            assert no is None
        assert [str(v) for v in integrity.check_database(sample_db)] == alongside
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert alongside == ["order #2396: status is shipped but its lines make it booked"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_file_is_checked_on_one_connection(sample_db: Database, db_path: Path) -> None:
    sample_db.dispose()
    for path in db_path.parent.glob(db_path.name + "*"):
        path.chmod(stat.S_IRUSR)
    db_path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        database = open_database(str(db_path))
        assert list(integrity.check_database(database)) == []
        database.dispose()
    finally:
        db_path.parent.chmod(stat.S_IRWXU)
        for path in db_path.parent.glob(db_path.name + "*"):
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_check_left_unfinished_stops_its_pass_over_the_lines(
    sample_db: Database, db_path: Path
) -> None:
    tamper(str(db_path), "UPDATE product SET stock = -1000 WHERE sku = 'TAPE-19'")
    problems = integrity.check_database(sample_db)
    assert str(next(problems)) == "stock of TAPE-19 is negative (-1)"  # told first
    problems.close()  # the reader stops there, and the pass alongside with it
    assert "check-alongside" not in {t.name for t in threading.enumerate()}
    assert len(list(integrity.check_database(sample_db))) == 1
