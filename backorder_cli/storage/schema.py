"""Schema versions: create, read, check and migrate (Alembic, one transaction).

Adding the next migration (say 0008):
1. copy the newest file in `migrations/versions/` to `0008_<what>.py`; set `revision`
   to "0008" and `down_revision` to the one before;
2. write `upgrade()` (and `downgrade()`) with `op.batch_alter_table` (SQLite copies
   tables) and end `upgrade()` by setting `meta.schema_version` to the new number;
3. change the table classes in `models.py` (and the Core tables of `tables.py`, if the read
   paths need the change). `SCHEMA_VERSION` is the newest migration's number: nothing to bump.
`init` builds new databases by the same migrations, so nothing else changes; the tests
in `tests/integration/test_schema.py` upgrade an old file and check it afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DatabaseError, IntegrityError

from ..errors import DatabaseProblem
from .database import Database, _check_file, _make_engine, locate
from .errors import explain

if TYPE_CHECKING:
    from .database import Location


MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The schema this code writes: the newest migration's number (each migration ends by
# recording it in meta.schema_version), so adding a migration is all it takes.
SCHEMA_VERSION = max(
    int(path.name[:4]) for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
)


def _read_version(db: Database) -> int:
    """The schema version the database records; refuse a foreign, unversioned or newer one."""
    where = db.location.display
    not_ours = DatabaseProblem(
        f"{where} is not a backorder database - "
        "pick another --db, or create one with `backorder init`"
    )
    try:
        with db.engine.connect() as conn:
            # Few queries, no reflection: every command pays for this at start-up (plain
            # SQL: compiling an ORM select for it cost more than the query).
            version = conn.exec_driver_sql(
                "SELECT value FROM meta WHERE key = 'schema_version'"
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
        db.upgraded_from = version
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
                driver = raw.driver_connection
                assert driver is not None  # a connection just checked out of the pool
                driver.execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
    except DatabaseError as exc:
        raise explain(exc, db.location) from None
    # The same migrations that upgrade old databases build new ones; when another
    # `init` built it first, this one did not create it.
    return migrate(db.location, from_version=None)
