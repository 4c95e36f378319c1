"""Where the database is, how it is opened, and the unit of work.

SQLite is opened with foreign keys on, WAL, `synchronous=FULL` (a committed order
survives a power cut) and a busy timeout, and every write transaction starts with
`BEGIN IMMEDIATE`: it takes the write lock before reading, so two processes can never
both read a state and then both act on it. pysqlite on Python 3.11 begins
transactions on its own schedule, so the driver's handling is turned off and the
`begin` event issues BEGIN itself (the recipe from SQLAlchemy's SQLite docs).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlmodel import Session

from ..errors import DatabaseProblem
from .casefold import _casefold_text
from .errors import explain
from .urls import mask_url

if TYPE_CHECKING:
    import sqlite3  # the driver's connection type only; a server never loads it

ENV_VAR = "BACKORDER_DB"


def _busy_timeout_ms() -> int | None:
    """$BACKORDER_BUSY_TIMEOUT_MS, or None when it is not a whole number (refused when
    a SQLite database is opened, with a message, rather than at import)."""
    text = os.environ.get("BACKORDER_BUSY_TIMEOUT_MS", "15000").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


BUSY_TIMEOUT_MS = _busy_timeout_ms()


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path() / "backorder" / "backorder.db"


@dataclass(frozen=True)
class Location:
    """A database as the user named it: a SQLAlchemy URL and, for SQLite, its file."""

    url: str
    path: Path | None  # None for a server database or SQLite in memory
    is_default: bool = False

    @property
    def display(self) -> str:
        """How messages name it: the file, or the URL with every secret hidden."""
        if self.path is not None:
            return str(self.path)
        return mask_url(self.url)


def locate(db: str | None) -> Location:
    """--db, else $BACKORDER_DB, else the per-user default file."""
    value = db if db else os.environ.get(ENV_VAR) or None
    if value is not None and any("\ud800" <= ch <= "\udfff" for ch in value):
        # Bytes that are not UTF-8; never quoted: a URL's secret could be among them.
        source = "--db" if db else f"${ENV_VAR}"
        raise DatabaseProblem(f"{source} is not valid UTF-8 text - write it in UTF-8")
    if value is None:
        path = default_path()
        return Location(f"sqlite:///{path}", path, is_default=True)
    if "://" not in value:
        path = Path(value).expanduser().absolute()
        return Location(f"sqlite:///{path}", path)
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseProblem(
            "--db is neither a file path nor a database URL - "
            "use a path like orders.db or a URL like sqlite:///orders.db"
        ) from None
    if "@" in (url.host or "") or ("@" in (url.database or "") and url.password is not None):
        # A raw @ in the password: the URL would be read with part of it as the host.
        raise DatabaseProblem(
            "--db URL has an @ in its user name or password - write it there as %40 "
            "(and : / ? # as %3A %2F %3F %23)"
        )
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:"):
            return Location(value, None)
        return Location(value, Path(database).expanduser().absolute())
    return Location(value, None)


# Pages of write-ahead log between automatic checkpoints (SQLite's default: 1,000).
WAL_CHECKPOINT_PAGES = 10_000
# Bytes the emptied log file is cut back to (SQLite's default: never cut).
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def _configure_sqlite(engine: Engine, *, foreign_keys: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        dbapi_connection.create_function("casefold", 1, _casefold_text, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous = FULL")
        # Checkpoint the write-ahead log into the database every 40 MB of it rather than
        # every 4 MB: a bulk group of 500 backorders on a million orders writes ~1,000
        # pages, so by default every commit also copied its pages into the database
        # file (random writes and a second fsync); now a run's pages are copied once
        # every few thousand orders, and at the end. Every commit is still synced.
        cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        # A log that grew past that while readers held it back (a `log --follow` beside a
        # bulk run: 178 MB) is cut back to this size once a checkpoint has emptied it.
        cursor.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


# How long to wait for a database server to answer before saying it is unreachable.
CONNECT_TIMEOUT_S = 10


def _make_engine(location: Location, *, foreign_keys: bool = True) -> Engine:
    url = make_url(location.url)
    if url.get_backend_name() == "sqlite" and BUSY_TIMEOUT_MS is None:
        raise DatabaseProblem(
            "BACKORDER_BUSY_TIMEOUT_MS must be a whole number of milliseconds, got "
            f"{os.environ.get('BACKORDER_BUSY_TIMEOUT_MS', '')!r} - fix it or unset it"
        )
    options: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    try:
        engine = create_engine(url, **options)
    except ModuleNotFoundError as exc:
        package = (exc.name or "").split(".")[0]
        hint = {
            "psycopg": "pip install 'backorder-cli[postgres]'",
            "psycopg2": "pip install psycopg2-binary`, or use postgresql+psycopg:// with "
            "`pip install 'backorder-cli[postgres]'",
        }.get(package)
        if hint is None:  # a database or driver the tool does not support
            raise DatabaseProblem(
                f"cannot use database {location.display}: backorder works with SQLite files "
                "and PostgreSQL through postgresql+psycopg:// only - use a file path, "
                "sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME"
            ) from None
        raise DatabaseProblem(
            f"cannot use database {location.display}: its driver {package!r} is not "
            f"installed - install it with `{hint}`"
        ) from None
    except ArgumentError:
        # Its text can quote the whole URL, password included: say it in our words.
        raise DatabaseProblem(
            f"cannot use database {location.display}: unknown kind of database or driver - "
            "use a file path, sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME"
        ) from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


class Database:
    """An opened database: its engine and where it is. Make one with `open_database`.

    The unit of work: every use case that writes runs in `write()` (one transaction, a
    Session), and the steps it shares with others take that transaction's Core
    connection (`session.connection()`); bulk runs open one `write()` per order."""

    def __init__(self, location: Location, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        # Transactions committed so far: once one is, no message may say "nothing was
        # changed" (a failure to print the result comes after the commit).
        self.commits = 0
        self.rollbacks = 0  # write transactions rolled back (an error, a Ctrl-C)
        # The schema version this opening upgraded the database from (None: no upgrade),
        # for the command to say so once.
        self.upgraded_from: int | None = None
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        # Reads see one consistent state: SQLite's read transaction gives that; a
        # server's default (read committed) would let a listing see half a change.
        self._reader = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="REPEATABLE READ")
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def _session(self, engine: Engine, *, write: bool) -> Iterator[Session]:
        session = Session(engine, expire_on_commit=False, autoflush=True)
        try:
            yield session
            if write:
                session.commit()
                self.commits += 1
        except DatabaseError as exc:
            session.rollback()
            if write:
                self.rollbacks += 1
            raise explain(exc, self.location) from None
        except BaseException:
            session.rollback()
            if write:
                self.rollbacks += 1
            raise
        finally:
            session.close()

    def write(self) -> AbstractContextManager[Session]:
        """One transaction that writes: all of it commits, or on any error none of it."""
        return self._session(self._writer, write=True)

    def read(self) -> AbstractContextManager[Session]:
        """One read transaction: a consistent view, never a write."""
        return self._session(self._reader, write=False)

    def dispose(self) -> None:
        self.engine.dispose()


def _check_file(location: Location, *, create: bool) -> None:
    path = location.path
    if path is None:
        return
    if path.is_dir():
        raise DatabaseProblem(f"--db {path} is a folder - give the path of a database file")
    if path.exists():
        return
    if not create:
        raise DatabaseProblem(
            f"no database at {path} - create one with `backorder init` (or pick one with --db)"
        )
    # A link to a file that does not exist yet: create the file it names, here and not
    # through SQLite, which would make it readable by everyone.
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.exists():
        if not location.is_default:
            raise DatabaseProblem(
                f"folder {target.parent} does not exist - create it first or pick another --db"
            )
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # ours: owner only
    # Create the file ourselves so that it is readable by its owner only; SQLite then
    # takes an empty file as a new database (and gives -wal, -shm and -journal the same
    # mode). O_NOFOLLOW: a link made meanwhile is not followed, the path is refused.
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        if target.is_symlink() or not target.exists():
            raise DatabaseProblem(
                f"cannot create {path}: it became a link while it was being created - check --db"
            ) from None
        return
    except OSError as exc:
        raise DatabaseProblem(f"cannot create {path}: {exc.strerror} - check --db") from None
    os.close(fd)
