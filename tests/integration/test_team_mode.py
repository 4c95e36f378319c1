"""Team mode: what is particular to a PostgreSQL server (the rest of the service and
CLI suites already runs on both backends through the `target` fixture)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from backorder_cli.errors import DatabaseProblem
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import integrity
from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.database import Database, locate
from backorder_cli.storage.models import SCHEMA_VERSION
from backorder_cli.storage.schema import MIGRATIONS, open_database, read_version
from tests.conftest import run_sql, snapshot

# Timing-sensitive (races, locks, kills): one xdist group, so these never run beside
# each other (pyproject: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("timing")

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def backorder(*args: str, python: str | None = None) -> subprocess.CompletedProcess:
    """The installed console script (or, with `python`, the CLI after that code)."""
    argv = (
        [sys.executable, "-c", f"{python}\nfrom backorder_cli.cli import main\nmain()", *args]
        if python
        else [str(BIN / "backorder"), *args]
    )
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=ROOT)


def with_password(url: str, **changes: object) -> str:
    return make_url(url).set(password="s3cret", **changes).render_as_string(hide_password=False)


def refused_in_one_line(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr, result.stderr
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_the_walk_through_on_a_server_with_the_real_script(pg_target: str) -> None:
    created = backorder("--db", pg_target, "init", "--sample")
    assert created.returncode == 0, created.stderr
    assert "Loaded the sample company: 8 products, 12 orders." in created.stderr
    made = backorder("--db", pg_target, "create", "2401", "--yes")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("Backorder #2402 created")
    found = backorder(
        "--db", pg_target, "orders", "list", "--archived", "--search", "2401", "--format", "ids"
    )
    assert found.stdout == "2401\n"
    assert backorder("--db", pg_target, "check").returncode == 0


def test_an_unreachable_server_is_one_line(pg_target: str) -> None:
    url = with_password(pg_target, host="127.0.0.1", port=1)
    refused_in_one_line(
        backorder("--db", url, "orders", "list"), "cannot reach the database server of"
    )


def test_an_unknown_user_is_one_line(pg_target: str) -> None:
    url = with_password(pg_target, username="nobody_here")
    refused_in_one_line(
        backorder("--db", url, "orders", "list"), "the server refused user 'nobody_here'"
    )


def test_a_missing_database_is_one_line_and_says_how_to_create_it(pg_target: str) -> None:
    url = with_password(pg_target, database="no_such_backorder_db")
    result = backorder("--db", url, "init")
    refused_in_one_line(result, "database 'no_such_backorder_db' does not exist")
    assert "createdb no_such_backorder_db" in result.stderr


def test_a_missing_driver_names_the_extra(pg_target: str) -> None:
    url = with_password(pg_target)
    result = backorder(
        "--db", url, "orders", "list", python="import sys; sys.modules['psycopg'] = None"
    )
    refused_in_one_line(result, "pip install 'backorder-cli[postgres]'")


def test_the_password_is_masked_where_the_database_is_named(pg_target: str) -> None:
    url = with_password(pg_target)
    assert locate(url).display.count("***") == 1
    with pytest.raises(DatabaseProblem) as caught:
        open_database(url)  # an empty schema: not a backorder database
    assert "s3cret" not in caught.value.message
    assert "***" in caught.value.message


def test_two_inits_at_once_build_one_schema(pg_target: str) -> None:
    procs = [
        subprocess.Popen(
            [str(BIN / "backorder"), "--db", pg_target, "init"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=60), p.communicate()[1]) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert read_version(pg_target)[1] == SCHEMA_VERSION
    assert snapshot(pg_target)["alembic_version"] == [(f"{SCHEMA_VERSION:04d}",)]


# ---------------------------------------------------------------- schema versions


def build_first_release(url: str) -> Database:
    """Schema version 1 on the server (Alembic's first revision), with the sample
    company loaded: what a team made with the first release."""
    engine = create_engine(url, poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    old = Database(locate(url), engine)
    transfer_service.load_sample(old)  # as today's tool loads it, then back to the first schema
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    return old


def test_the_first_release_schema_is_upgraded_on_a_server(pg_target: str) -> None:
    build_first_release(pg_target).dispose()
    assert read_version(pg_target)[1] == 1
    before = {k: v for k, v in snapshot(pg_target).items() if k not in ("meta", "alembic_version")}
    database = open_database(pg_target)
    try:
        assert read_version(pg_target)[1] == SCHEMA_VERSION
        after = snapshot(pg_target)
        after["order_lines"] = [row[:11] for row in after["order_lines"]]  # + schema 3's money
        after["product"] = [row[:6] for row in after["product"]]  # + schema 7's supplier, lead
        after["counter"] = [row for row in after["counter"] if row[0] != "purchase"]
        after["orders"] = [row[:10] for row in after["orders"]]  # + schema 8's customer
        assert len(after.pop("customers")) == 5  # schema 8: the register, from the orders
        for new in ("purchases", "purchase_lines", "purchase_history"):  # schema 7, empty
            assert after.pop(new) == []
        after["invoices"] = [row[:5] for row in after["invoices"]]  # + schema 4's credit notes
        after["history"] = [row[:6] for row in after["history"]]  # + schema 5's subject
        new_tables = ("meta", "alembic_version", "stock_adjustments")  # schema 6's: empty
        assert {k: v for k, v in after.items() if k not in new_tables} == before
        assert list(integrity.check_database(database)) == []
        assert backorders_service.create_backorder(database, 2401).backorder == 2402
    finally:
        database.dispose()


def test_a_failed_upgrade_on_a_server_changes_nothing(pg_target: str) -> None:
    build_first_release(pg_target).dispose()
    run_sql(pg_target, "UPDATE order_lines SET invoiced = shipped + 1000 WHERE id = 1")
    before = snapshot(pg_target)
    with pytest.raises(DatabaseProblem, match=r"cannot upgrade .* breaks a rule of the new schema"):
        open_database(pg_target)
    assert snapshot(pg_target) == before
    assert read_version(pg_target)[1] == 1


def test_the_ci_requires_the_server() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export BACKORDER_REQUIRE_PG=1" in ci  # a missing server fails CI, never skips


def test_a_wrong_password_is_named_without_the_password() -> None:
    """The development servers trust every local user, so a wrong password cannot be
    provoked for real: the server's own words go through the same translation."""
    from sqlalchemy.exc import OperationalError

    from backorder_cli.storage.errors import explain

    server_said = Exception(
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        'FATAL:  password authentication failed for user "ann"'
    )
    where = locate("postgresql+psycopg://ann:s3cret@10.0.0.5/orders")
    problem = explain(OperationalError("connect", {}, server_said), where)
    assert problem.message == (
        "the server refused user 'ann' for postgresql+psycopg://ann:***@10.0.0.5/orders: "
        "wrong user or password - check the URL (or ~/.pgpass)"
    )
