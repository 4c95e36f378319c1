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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy import Connection, Engine, String, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, select

from .errors import DatabaseProblem
from .models import SCHEMA_VERSION, Meta

ENV_VAR = "BACKORDER_DB"


def _busy_timeout_ms() -> int | None:
    """$BACKORDER_BUSY_TIMEOUT_MS, or None when it is not a whole number (refused when
    a SQLite database is opened, with a message, rather than at import)."""
    text = os.environ.get("BACKORDER_BUSY_TIMEOUT_MS", "15000").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


BUSY_TIMEOUT_MS = _busy_timeout_ms()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


# Query parameters whose values messages show; every other value (password, passfile,
# sslpassword, sslkey, anything unknown) is shown as ***.
_SHOWN_PARAMETERS = frozenset(
    {
        "application_name",
        "client_encoding",
        "connect_timeout",
        "dbname",
        "gssencmode",
        "host",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "load_balance_hosts",
        "options",
        "port",
        "sslmode",
        "target_session_attrs",
        "user",
    }
)


def _split_url(url: str) -> tuple[str, str, str | None, str, list[tuple[str, str]]]:
    """scheme, user, password (None: none given), host/port/database, query pairs; read
    the way that hides the most: the user part ends at the LAST @ (a password with a
    raw @ in it stays whole), and the password is everything after the user's first
    colon, slash or question mark."""
    scheme, _sep, rest = url.partition("://")
    userinfo, at, rest = rest.rpartition("@")
    user, password = userinfo, None
    if at:
        cut = min((i for i in (userinfo.find(c) for c in ":/?") if i >= 0), default=-1)
        if cut >= 0:
            user, password = userinfo[:cut], userinfo[cut + 1 :]
    base, _q, query = rest.partition("?")
    pairs = [tuple(pair.partition("=")[::2]) for pair in query.split("&")] if query else []
    return scheme, user, password, base, pairs  # type: ignore[return-value]


def mask_url(url: str) -> str:
    """A database URL as every message shows it: no part of a secret, whatever the URL's
    shape (password in the user part or in the query, several @, percent-encoding)."""
    scheme, user, password, base, pairs = _split_url(url)
    text = f"{scheme}://"
    if password is not None:
        text += f"{user}:***@"
    elif user:
        text += f"{user}@"
    text += base
    if pairs:
        text += "?" + "&".join(
            f"{key}={value}" if unquote_plus(key).lower() in _SHOWN_PARAMETERS else f"{key}=***"
            for key, value in pairs
        )
    return text


def _url_secrets(url: str) -> list[str]:
    """Every secret of a URL as text might quote it (raw, decoded, and the pieces a
    parser might split it into), longest first."""
    _s, _u, password, _b, pairs = _split_url(url)
    found = [password] if password else []
    found += [v for k, v in pairs if unquote_plus(k).lower() not in _SHOWN_PARAMETERS and v]
    with_variants = set()
    for secret in found:
        for text in (secret, unquote_plus(secret)):
            with_variants.add(text)
            with_variants.update(p for p in re.split(r"[@:/?]", text) if len(p) >= 4)
    return sorted(with_variants, key=len, reverse=True)


def scrub(text: str, location: Location) -> str:
    """`text` (a driver's message, say) with every secret of the location's URL hidden."""
    if location.path is not None:
        return text
    for secret in _url_secrets(location.url):
        text = text.replace(secret, "***")
    return text


def locate(db: str | None) -> Location:
    """--db, else $BACKORDER_DB, else the per-user default file."""
    value = db if db else os.environ.get(ENV_VAR) or None
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


def _casefold_text(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


class casefold(FunctionElement[str]):
    """Python's `str.casefold` in SQL, for searches that ignore case in every script.

    SQLite: a deterministic function registered on every connection (SQLite's own
    lower() and LIKE fold ASCII only). PostgreSQL: lower() (Unicode with a UTF-8
    locale such as C.UTF-8; ASCII only in the plain C locale), then the foldings
    lower() does not do: ß and ẞ -> ss, the Latin ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ, and the
    one-letter foldings (final sigma, long s, micro sign, Greek symbol forms, Cherokee).
    Still different from casefold on PostgreSQL: İ (lower() gives i, casefold i +
    combining dot), ŉ, ǰ, ẖ ẗ ẘ ẙ ẚ, Armenian ligatures (և ﬓ-ﬗ) and Greek letters with
    ypogegrammeni or several accents (ᾀ-ῷ, ΐ, ΰ), which casefold turns into two letters.
    """

    type = String()
    inherit_cache = True
    name = "casefold"


# lower() -> casefold for single letters (the test regenerates this from Python's tables).
_FOLD_FROM = (
    "\xb5\u017f\u0345\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5"
    + "".join(map(chr, range(0xAB70, 0xABC0)))
    + "".join(map(chr, range(0x13F8, 0x13FE)))
    + "".join(map(chr, range(0x1C80, 0x1C89)))
    + "\u1e9b\u1fbe"
)
_FOLD_TO = (
    "\u03bcs\u03b9\u03c3\u03b2\u03b8\u03c6\u03c0\u03ba\u03c1\u03b5"
    + "".join(map(chr, range(0x13A0, 0x13F0)))
    + "".join(map(chr, range(0x13F0, 0x13F6)))
    + "\u0432\u0434\u043e\u0441\u0442\u0442\u044a\u0463\ua64b"
    + "\u1e61\u03b9"
)
_FOLD_REPLACE = [
    ("\u00df", "ss"),
    ("\ufb00", "ff"),
    ("\ufb01", "fi"),
    ("\ufb02", "fl"),
    ("\ufb03", "ffi"),
    ("\ufb04", "ffl"),
    ("\ufb05", "st"),
    ("\ufb06", "st"),
]


@compiles(casefold)
def _casefold_sqlite(element: casefold, compiler: Any, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "postgresql")
def _casefold_postgresql(element: casefold, compiler: Any, **kw: Any) -> str:
    text = f"lower({compiler.process(element.clauses, **kw)})"
    for old, new in _FOLD_REPLACE:
        text = f"replace({text}, '{old}', '{new}')"
    return f"translate({text}, '{_FOLD_FROM}', '{_FOLD_TO}')"


def _configure_sqlite(engine: Engine, *, foreign_keys: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        dbapi_connection.create_function("casefold", 1, _casefold_text, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
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
    options: dict = {}
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
        }.get(package, f"pip install {package}")
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


def explain(exc: DatabaseError, location: Location) -> DatabaseProblem:
    """Turn a driver error into a message a user can act on, with no secret of the URL
    (the URL is named by `display`; the driver's own text is scrubbed)."""
    text = scrub(str(exc.orig) if exc.orig is not None else str(exc), location)
    where = location.display
    server = _explain_server(text, location)
    if server is not None:
        return server
    if "locked" in text or "busy" in text:
        return DatabaseProblem(
            f"database is busy: another process is writing to {where} - try again"
        )
    if "not a database" in text or "malformed" in text:
        return DatabaseProblem(
            f"{where} is not a backorder database (not SQLite, or damaged) - "
            "check --db, or create a new one with `backorder init`"
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseProblem(
            f"database {where} is read-only - give yourself write access to it and its folder"
        )
    if "unable to open" in text:
        return DatabaseProblem(f"cannot open database {where} - check the path and permissions")
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DatabaseProblem(f"database error on {where}: {first_line}")


def _explain_server(text: str, location: Location) -> DatabaseProblem | None:
    """A database server's refusals (PostgreSQL's wording), in words a user can act on.
    The URL is named without its password; the server's text never contains it."""
    if location.path is not None:
        return None
    url = make_url(location.url)
    where = location.display
    lowered = text.lower()
    if "password authentication failed" in lowered or (
        "role" in lowered and "does not exist" in lowered
    ):
        return DatabaseProblem(
            f"the server refused user {url.username or '(none)'!r} for {where}: wrong user or "
            "password - check the URL (or ~/.pgpass)"
        )
    if "database" in lowered and "does not exist" in lowered:
        return DatabaseProblem(
            f"database {url.database!r} does not exist on the server of {where} - "
            f"create it with `createdb {url.database}` and then `backorder init`"
        )
    if (
        "connection refused" in lowered
        or "could not translate host name" in lowered
        or "failed to resolve host" in lowered
        or "timeout expired" in lowered
        or "no route to host" in lowered
        or "connection failed" in lowered
        or "could not connect" in lowered
    ):
        return DatabaseProblem(
            f"cannot reach the database server of {where} - check that it is running "
            "and that host and port are right"
        )
    if "deadlock detected" in lowered or "could not serialize" in lowered:
        return DatabaseProblem(f"database is busy: another user is changing {where} - try again")
    if "duplicate key value violates unique constraint" in lowered:
        # Every command looks for an existing SKU or number before it writes; on a server
        # another user's transaction can commit the same one in between.
        what = (
            "a product with the same SKU"
            if "product" in lowered
            else "an invoice with the same number"
            if "invoice" in lowered
            else "an order with the same number"
            if "order" in lowered
            else "the same thing"
        )
        return DatabaseProblem(
            f"another user saved {what} in {where} at the same moment - nothing was changed; "
            "run the command again to see where things stand"
        )
    return None


class Database:
    """An opened database: its engine and where it is. Make one with `open_database`."""

    def __init__(self, location: Location, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        # Transactions committed so far: once one is, no message may say "nothing was
        # changed" (a failure to print the result comes after the commit).
        self.commits = 0
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
            raise explain(exc, self.location) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def write(self) -> Iterator[Session]:
        """One transaction that writes: all of it commits, or on any error none of it."""
        return self._session(self._writer, write=True)

    @contextmanager
    def writer(self) -> Iterator[Connection]:
        """A Core connection for many write transactions in a row (see `transaction`),
        for hot paths that need no ORM objects."""
        try:
            with self._writer.connect() as conn:
                yield conn
        except DatabaseError as exc:
            raise explain(exc, self.location) from None

    @contextmanager
    def transaction(self, conn: Connection) -> Iterator[Connection]:
        """One write transaction on a `writer` connection: the same guarantees as `write`
        (BEGIN IMMEDIATE, all or nothing)."""
        try:
            with conn.begin():
                yield conn
            self.commits += 1
        except DatabaseError as exc:
            raise explain(exc, self.location) from None

    def read(self) -> Iterator[Session]:
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


def _read_version(db: Database) -> int:
    """The schema version the database records; refuse a foreign, unversioned or newer one."""
    where = db.location.display
    not_ours = DatabaseProblem(
        f"{where} is not a backorder database - "
        "pick another --db, or create one with `backorder init`"
    )
    try:
        with db.engine.connect() as conn:
            # Few queries, no reflection: every command pays for this at start-up.
            version = conn.execute(
                select(Meta.value).where(Meta.key == "schema_version")
            ).scalar_one_or_none()
            revision = _alembic_revision(conn)
    except DatabaseError as exc:
        text = str(exc.orig)
        if "no such table" in text or ('relation "meta" does not exist' in text):
            raise not_ours from None
        raise explain(exc, db.location) from None
    if version is None or not str(version).isdigit():
        raise DatabaseProblem(
            f"{where} has no schema version - it was not made by `backorder init`"
        )
    if int(version) > SCHEMA_VERSION:
        raise DatabaseProblem(
            f"database {where} has schema version {version}, newer than this backorder "
            f"understands ({SCHEMA_VERSION}) - upgrade backorder to use it"
        )
    known = {f"{v:04d}" for v in range(1, SCHEMA_VERSION + 1)}
    if revision is not None and revision not in known:
        # Written by a release (or a branch) this one does not know: its changes could
        # not be undone or recognised, so it is treated like a newer schema.
        shown = repr(revision if len(revision) <= 40 else revision[:40] + "...")
        raise DatabaseProblem(
            f"database {where} is at schema revision {shown}, which this backorder does "
            "not know - upgrade backorder to use it"
        )
    return int(version)


def _alembic_revision(conn: Connection) -> str | None:
    """The revision Alembic recorded, or None before Alembic tracked the database (the
    first release) or when the table is empty."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if not rows:
        return None
    if len(rows) > 1:  # branches merged by another tool: not one of ours
        return ", ".join(sorted(str(r) for r in rows))
    return str(rows[0])


def read_version(db: str | None) -> tuple[Location, int]:
    """Where the database is and the schema version it records, changing nothing;
    refuses a missing, foreign or newer one."""
    location = locate(db)
    _check_file(location, create=False)
    database = Database(location, _make_engine(location))
    try:
        return location, _read_version(database)
    finally:
        database.dispose()


def _check_schema(db: Database, *, upgrade: bool, read_older: bool = False) -> int:
    """Refuse a newer schema; bring an older one up to date (or refuse, if not `upgrade`,
    unless `read_older`: the caller reads every schema it can migrate as it is).
    Returns the version the database had."""
    version = _read_version(db)
    where = db.location.display
    if version < SCHEMA_VERSION and not (read_older and not upgrade):
        if not upgrade:
            raise DatabaseProblem(
                f"database {where} has schema version {version}, older than this backorder "
                f"({SCHEMA_VERSION}) - upgrade it first with `backorder migrate`"
            )
        migrate(db.location, from_version=version)
    return version


_MIGRATION_LOCK = 0x6261636B  # "back": the advisory lock key of schema changes


def migrate(location: Location, *, from_version: int | None) -> bool:
    """Bring the schema to this version's head with Alembic, in one transaction.

    Foreign keys are off on this connection (it can only be switched outside a
    transaction): SQLite changes a table by copying it, which must not cascade. Before
    the commit, `PRAGMA foreign_key_check` proves no reference was broken. A database
    made before Alembic tracked it is stamped with its recorded version first. Returns
    whether this call built the schema (it found none).
    """
    from alembic import command
    from alembic.config import Config

    engine = _make_engine(location, foreign_keys=False)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                config = Config()
                config.set_main_option("script_location", str(MIGRATIONS))
                config.attributes["connection"] = conn
                if engine.dialect.name == "postgresql":
                    # Two `init`s or upgrades at once: the second waits, then finds the
                    # schema at head and does nothing (DDL is transactional here).
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                # Read under the lock (SQLite: after BEGIN IMMEDIATE): another `init` may
                # have built the schema while this one waited.
                tables = set(inspect(conn).get_table_names())
                built = "meta" not in tables
                if from_version is not None and "alembic_version" not in tables:
                    command.stamp(config, f"{from_version:04d}")
                command.upgrade(config, "head")
                if engine.dialect.name == "sqlite":
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseProblem(
                            f"cannot upgrade {location.display}: {len(broken)} rows refer to "
                            "rows that do not exist - nothing was changed"
                        )
        return built
    except IntegrityError as exc:
        raise DatabaseProblem(
            f"cannot upgrade {location.display}: its data breaks a rule of the new schema "
            f"({str(exc.orig).splitlines()[0]}) - nothing was changed; "
            "find the rows with `backorder check`"
        ) from None
    except DatabaseError as exc:
        raise explain(exc, location) from None
    finally:
        engine.dispose()


def open_database(db: str | None, *, upgrade: bool = True, read_older: bool = False) -> Database:
    """Open an existing backorder database; refuse a missing, foreign or too-new one.

    An older schema is upgraded on open (in one transaction), unless `upgrade` is off;
    then it is refused, unless `read_older` (`check`, which reads any schema it can
    migrate as it is, so it can name the rows an upgrade would refuse).
    """
    location = locate(db)
    _check_file(location, create=False)
    database = Database(location, _make_engine(location))
    try:
        _check_schema(database, upgrade=upgrade, read_older=read_older)
    except BaseException:
        database.dispose()
        raise
    return database


def init_database(db: str | None) -> tuple[Database, bool]:
    """Create the schema if it is not there yet (safe to run twice).

    Returns the database and whether this call created the schema.
    """
    location = locate(db)
    _check_file(location, create=True)
    database = Database(location, _make_engine(location))
    try:
        created = _create_schema(database)
    except BaseException:
        database.dispose()
        raise
    return database, created


def _create_schema(db: Database) -> bool:
    where = db.location.display
    try:
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if tables and "meta" not in tables:
            raise DatabaseProblem(
                f"{where} holds tables of another program - pick a new file with --db"
            )
        if "meta" in tables:
            _check_schema(db, upgrade=True)
            return False
        if db.dialect == "sqlite":
            # Persistent; readers then never wait for a writer. Outside any transaction,
            # so on the raw driver connection.
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
    except DatabaseError as exc:
        raise explain(exc, db.location) from None
    # The same migrations that upgrade old databases build new ones; when another
    # `init` built it first, this one did not create it.
    return migrate(db.location, from_version=None)
