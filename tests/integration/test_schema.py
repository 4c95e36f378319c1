"""Schema versions: new databases are built by the migrations, old ones upgrade in one
transaction, newer ones are refused and left alone."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backorder_cli.errors import DatabaseProblem
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import integrity
from backorder_cli.storage.database import Database
from backorder_cli.storage.models import SCHEMA_VERSION, SQLModel
from backorder_cli.storage.schema import init_database, open_database, read_version
from backorder_cli.storage.search import SEARCH_INDEXES, SEARCH_TABLES
from tests.conftest import run_sql, snapshot

SEARCH_OBJECTS = SEARCH_TABLES | SEARCH_INDEXES
FIRST_RELEASE = Path(__file__).resolve().parent.parent / "data" / "schema-v1.db"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    """A copy of a database made by the first release (0.1.0): the sample company after
    `create 2401`, schema version 1, no Alembic table."""
    path = tmp_path / "old.db"
    shutil.copy(FIRST_RELEASE, path)
    return path


def data_tables(path: Path) -> dict[str, list[tuple]]:
    """Every row, orders without the columns schema 8 added (their customer), order
    lines without the columns schema 3 added (their money), invoices
    without those schema 4 added (credit notes), history without schema 5's subject."""
    skipped = ("meta", "alembic_version", "stock_adjustments")  # schema 6's table starts empty
    tables = {
        k: v for k, v in snapshot(path).items() if k not in skipped and k not in SEARCH_TABLES
    }  # schema 10's search index: derived from the orders (its own tests check it)
    tables["order_lines"] = [row[:11] for row in tables["order_lines"]]
    tables["invoices"] = [row[:5] for row in tables["invoices"]]
    tables["history"] = [row[:6] for row in tables["history"]]
    tables["product"] = [row[:6] for row in tables["product"]]  # schema 7: supplier, lead time
    tables["counter"] = [row for row in tables["counter"] if row[0] != "purchase"]
    tables["orders"] = [row[:10] for row in tables["orders"]]  # schema 8: the customer's
    tables.pop("customers", None)  # schema 8's register: made from the orders (below)
    for new in ("purchases", "purchase_lines", "purchase_history"):  # schema 7, empty
        if tables.get(new) == []:
            del tables[new]
    return tables


def test_the_migrations_build_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,  # the search index (schema 10) is no model: storage/search.py
            opts={"include_name": lambda name, _kind, _p: name not in SEARCH_OBJECTS},
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_a_new_database_records_its_version(db: Database, target: str) -> None:
    assert read_version(target)[1] == SCHEMA_VERSION
    assert snapshot(target)["alembic_version"] == [(f"{SCHEMA_VERSION:04d}",)]


def test_the_first_release_is_upgraded_on_open_with_its_data_intact(old_db: Path) -> None:
    before = data_tables(old_db)
    assert read_version(str(old_db))[1] == 1
    database = open_database(str(old_db))
    try:
        assert read_version(str(old_db))[1] == SCHEMA_VERSION
        assert data_tables(old_db) == before
        assert list(integrity.check_database(database)) == []
        # and the tool works on it as on a new one
        assert backorders_service.create_backorder(database, 2399).backorder == 2403
    finally:
        database.dispose()


def test_the_upgraded_schema_refuses_impossible_lines(old_db: Path) -> None:
    open_database(str(old_db)).dispose()
    with sqlite3.connect(old_db) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE order_lines SET invoiced = shipped + 1000 WHERE id = 1")


def test_the_upgrade_keeps_every_index(old_db: Path) -> None:
    def indexes(path: Path) -> set[str]:
        with sqlite3.connect(path) as conn:
            return {
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                )
            }

    before = indexes(old_db)
    open_database(str(old_db)).dispose()
    assert indexes(old_db) >= before


def test_an_upgrade_that_fails_changes_nothing(old_db: Path) -> None:
    with sqlite3.connect(old_db) as conn:  # data the new schema forbids
        conn.execute("UPDATE order_lines SET invoiced = shipped + 1000 WHERE id = 1")
    before = snapshot(old_db)
    with pytest.raises(DatabaseProblem, match=r"cannot upgrade .* breaks a rule of the new schema"):
        open_database(str(old_db))
    assert snapshot(old_db) == before
    assert read_version(str(old_db))[1] == 1


def test_check_reads_an_old_schema_only_after_an_explicit_upgrade(old_db: Path) -> None:
    before = old_db.read_bytes()
    with pytest.raises(DatabaseProblem, match=r"older than this backorder .* `backorder migrate`"):
        open_database(str(old_db), upgrade=False)
    assert old_db.read_bytes() == before


def test_a_newer_schema_is_refused_by_every_path(db: Database, target: str) -> None:
    db.dispose()
    run_sql(target, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = snapshot(target)
    for attempt in (
        lambda: open_database(target),
        lambda: read_version(target),
        lambda: init_database(target),
    ):
        with pytest.raises(DatabaseProblem, match="schema version 99, newer than this backorder"):
            attempt()
    assert snapshot(target) == before
