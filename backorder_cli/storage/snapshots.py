"""A second reader of the same state: for a long read (`check`) that runs two of its
passes at once, on two connections, without ever seeing two states of the database.

SQLite gives each connection's read transaction its own snapshot, taken at its first
read. Holding the write lock for the instant both take theirs means no commit can fall
between them: the two snapshots are one state. Then the lock is let go at once (no
write waits more than that instant); the readers keep their snapshots, as any reader
does. Nothing is written: the lock's transaction is rolled back, empty.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, text

from .database import Database

_FIRST_READ = text("SELECT 1 FROM sqlite_master LIMIT 1")


@contextmanager
def second_reader(db: Database, conn: Connection) -> Iterator[Connection | None]:
    """A connection in a read transaction on the very state `conn` reads, or None when
    there cannot be one at once: a server (its reads are one transaction per connection;
    not needed so far), a database in memory, a file this process cannot lock for that
    instant (read-only, or a writer at work: no waiting). `conn` must be in a read
    transaction that has read nothing yet."""
    path = db.location.path
    if db.dialect != "sqlite" or path is None:
        yield None
        return
    lock = _write_lock(path)
    if lock is None:
        conn.execute(_FIRST_READ).all()
        yield None
        return
    second: Connection | None = None
    try:
        conn.execute(_FIRST_READ).all()
        second = db.engine.connect()
        second.begin()
        second.execute(_FIRST_READ).all()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert second is not None  # else the exception has left already
    try:
        yield second
    finally:
        second.rollback()
        second.close()


def _write_lock(path: Path) -> sqlite3.Connection | None:
    """A connection holding the file's write lock, or None at once if it cannot have it.
    mode=rw: never creates a file."""
    lock = None
    try:
        lock = sqlite3.connect(
            f"file:{quote(str(path))}?mode=rw", uri=True, timeout=0, isolation_level=None
        )
        lock.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        if lock is not None:
            lock.close()
        return None
    return lock
