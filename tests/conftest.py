"""Shared fixtures: a real SQLite file per test, the sample company, the CLI runner."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backorder_cli import services
from backorder_cli.cli import app
from backorder_cli.db import Database, init_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "orders.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty, initialised database file."""
    database, _created = init_database(str(db_path))
    yield database
    database.dispose()


@pytest.fixture
def sample_db(db: Database) -> Database:
    """The sample company of sample_data/, loaded into a fresh file."""
    services.load_sample(db)
    return db


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read with the standard library: what "changed nothing"
    is checked against."""
    with sqlite3.connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }


@pytest.fixture
def cli(db_path: Path) -> Callable[..., Result]:
    """Run `backorder --db <test file> ARGS...` in-process."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, db: Path | None = db_path) -> Result:
        argv = (["--db", str(db)] if db is not None else []) + list(args)
        return runner.invoke(app, argv, input=input)

    return run
