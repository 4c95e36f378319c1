"""Shared fixtures: a real database per test (a SQLite file, and the same tests again
on a real PostgreSQL server), the sample company, the CLI runner.

`target` is what a user passes to `--db`: a file path, or a PostgreSQL URL. Every test
that asks for it (directly or through `db`, `sample_db` or `cli`) runs on both
backends; a test that also asks for `db_path` is about the SQLite file itself and runs
on SQLite only.

PostgreSQL: each test run creates its own database on the server named by
$BACKORDER_TEST_PG (default: the development machines' server) and drops it at the end;
each test gets its own schema in it. Without a server the PostgreSQL tests skip with
the reason, unless $BACKORDER_REQUIRE_PG=1 (CI), where a missing server fails the run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import init_database

PG_SERVER = os.environ.get("BACKORDER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("BACKORDER_REQUIRE_PG") == "1"
BACKENDS = ("sqlite", "postgresql")
# The schemas `init` (False) and `init --sample` (True) build once per run, to copy from.
TEMPLATE_SCHEMAS = {False: "bo_template_schema", True: "bo_template_sample"}


class PostgresRun:
    """This test run's own database on the server, and a fresh schema per test."""

    def __init__(self, server_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.name = f"backorder_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        server = make_url(server_url)
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = server.set(database=self.name)
        self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._numbers = itertools.count(1)
        self._templates: dict[bool, str] = {}
        self._schemas: dict[str, str] = {}

    def new_target(self) -> str:
        """A URL whose tables live in a new, empty schema (via the search path)."""
        schema = f"t{next(self._numbers)}"
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        self._schemas[rendered] = schema
        return rendered

    def fill_initialised(self, target: str, *, sample: bool = False) -> None:
        """Give `target`'s (empty) schema the tables `init` makes (and, with `sample`, the
        sample company `init --sample` loads), as they were made once in this run's
        template schema: its dump replayed under the new schema's name. The same tables,
        constraints, sequences and rows in a fraction of the time the migrations (and the
        sample's load) take per test."""
        schema = self._schemas[target]  # a schema new_target made
        if sample not in self._templates:
            self._templates[sample] = self._dump_template(sample)
        template = TEMPLATE_SCHEMAS[sample]
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(self._templates[sample].replace(f"{template}.", f"{schema}."))
            raw.commit()
        finally:
            raw.close()

    def _dump_template(self, sample: bool) -> str:
        template = TEMPLATE_SCHEMAS[sample]
        url = self.url.update_query_dict({"options": f"-csearch_path={template}"})
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {template}")
        database, _created = init_database(url.render_as_string(hide_password=False))
        if sample:
            transfer_service.load_sample(database)
        database.dispose()
        libpq = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(
            [
                "pg_dump",
                f"--schema={template}",
                "--no-owner",
                "--no-privileges",
                "--inserts",
                libpq,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        # Not the schema itself (the test's exists), nor psql's own commands.
        return "\n".join(
            line
            for line in dump.splitlines()
            if not line.startswith("\\") and not line.startswith("CREATE SCHEMA ")
        )

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


_pg_run: PostgresRun | None = None
_pg_problem: str | None = None


def postgres_run() -> PostgresRun:
    """The run's PostgreSQL database, made on first use; skip (or fail, in CI) without
    a server."""
    global _pg_run, _pg_problem
    if _pg_run is None and _pg_problem is None:
        try:
            _pg_run = PostgresRun(PG_SERVER)
        except Exception as exc:  # no driver, no server: say which
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            _pg_problem = f"no PostgreSQL server at {PG_SERVER} ({first})"
    if _pg_run is None:
        if REQUIRE_PG:
            pytest.fail(f"{_pg_problem}; BACKORDER_REQUIRE_PG=1 needs one", pytrace=False)
        pytest.skip(f"{_pg_problem}; set BACKORDER_TEST_PG to a server URL")
    return _pg_run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _pg_run is not None:
        _pg_run.drop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        file_only = "db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker(
            "sqlite_only"
        )
        metafunc.parametrize("target", ["sqlite"] if file_only else BACKENDS, indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite itself; not repeated on PostgreSQL"
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "orders.db"


@pytest.fixture
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What `--db` names: the test's SQLite file, or a fresh PostgreSQL schema's URL."""
    if request.param == "postgresql":
        return postgres_run().new_target()
    return str(tmp_path / "orders.db")


@pytest.fixture
def pg_target() -> str:
    """For tests about PostgreSQL itself: a fresh schema's URL on the run's database."""
    return postgres_run().new_target()


class Templates:
    """What `init` and `init --sample` make, built once per run (per xdist worker) and
    copied into each test's own database: a file copy on SQLite, a dump replayed on
    PostgreSQL. Tests of `init` itself run it; every other test starts from a copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[bool, Path] = {}

    def file(self, sample: bool) -> Path:
        if sample not in self._files:
            path = self.folder / ("sample.db" if sample else "empty.db")
            database, _created = init_database(str(path))
            if sample:
                transfer_service.load_sample(database)
            database.dispose()
            with sqlite3.connect(path) as conn:  # everything in the one file
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._files[sample] = path
        return self._files[sample]

    def fill(self, target: str, *, sample: bool) -> None:
        """Give the test's (new, empty) `target` what `init [--sample]` makes."""
        if is_url(target):
            postgres_run().fill_initialised(target, sample=sample)
        else:
            shutil.copy(self.file(sample), target)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def db(request: pytest.FixtureRequest, target: str, templates: Templates) -> Iterator[Database]:
    """An empty, initialised database; the sample company's when the test also asks for
    `sample_db` (the same database, so the two are never two copies of one file)."""
    templates.fill(target, sample="sample_db" in request.fixturenames)
    database, _created = init_database(target)  # opens it: the schema is there already
    yield database
    database.dispose()


@pytest.fixture
def sample_db(db: Database) -> Database:
    """The sample company of sample_data/, as `init --sample` loads it (see `db`)."""
    return db


@pytest.fixture
def sample_target(target: str, templates: Templates) -> str:
    """`target` holding the sample company, as `backorder init --sample` leaves it."""
    templates.fill(target, sample=True)
    return target


def is_url(where: str | Path) -> bool:
    return "://" in str(where)


def sqlite_connect(path: str | Path) -> sqlite3.Connection:
    """The file through the standard library, as another program opens it, with the
    `casefold()` that schema 8's search triggers call when an order's customer or
    comment is written (storage/search.py: every writer must register it)."""
    from backorder_cli.storage.database import _casefold_text

    conn = sqlite3.connect(path)
    conn.create_function("casefold", 1, _casefold_text, deterministic=True)
    return conn


def run_sql(where: str | Path, *statements: str) -> None:
    """Run SQL on the database as another tool would (one transaction)."""
    if not is_url(where):
        with sqlite_connect(where) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(str(where), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def snapshot(where: str | Path) -> dict[str, list[tuple]]:
    """Every row of every table, read past our own code (the standard library's sqlite3
    for a file, plain SQL on a server): what "changed nothing" is checked against."""
    if not is_url(where):
        with sqlite3.connect(where) as conn:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            return {
                t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
            }
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(str(where), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {
                t: sorted(
                    (tuple(row) for row in conn.exec_driver_sql(f'SELECT * FROM "{t}"')), key=repr
                )
                for t in tables
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sample_template(templates: Templates) -> Path:
    """The sample company in a SQLite file, built once per run (per xdist worker)."""
    return templates.file(sample=True)


@pytest.fixture
def shop(sample_template: Path, tmp_path: Path) -> Path:
    """A copy of the sample company's file, this test's own (cheaper than loading it)."""
    path = tmp_path / "shop.db"
    shutil.copy(sample_template, path)
    return path


@pytest.fixture
def cli(target: str) -> Callable[..., Result]:
    """Run `backorder --db <test database> ARGS...` in-process."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, db: str | Path | None = target) -> Result:
        argv = (["--db", str(db)] if db is not None else []) + list(args)
        return runner.invoke(app, argv, input=input)

    return run


@pytest.fixture
def at_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs where a person answers the question: CliRunner's stdin is never a
    terminal, and without one a command that asks refuses (`ensure_can_ask`)."""
    monkeypatch.setattr("backorder_cli.cli.output.text.stdin_is_terminal", lambda: True)
