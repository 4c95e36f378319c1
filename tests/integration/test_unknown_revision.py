"""A database whose Alembic revision this backorder does not know (a later release's, or
another branch's) is refused like a newer schema, on every path, and left as it was."""

from __future__ import annotations

import pytest

from backorder_cli.errors import DatabaseProblem
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import init_database, open_database, read_version
from tests.conftest import run_sql, snapshot


def test_an_unknown_revision_is_refused_by_every_path(db: Database, target: str) -> None:
    db.dispose()
    run_sql(target, "UPDATE alembic_version SET version_num = 'ab12cd34'")
    before = snapshot(target)
    for attempt in (
        lambda: open_database(target),
        lambda: open_database(target, upgrade=False),
        lambda: read_version(target),
        lambda: init_database(target),
    ):
        with pytest.raises(DatabaseProblem) as refused:
            attempt()
        assert refused.value.message.endswith(
            "is at schema revision 'ab12cd34', which this backorder does not know - "
            "upgrade backorder to use it"
        )
    assert snapshot(target) == before


def test_the_command_line_refuses_it_with_nothing_written(cli, target: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("init").exit_code == 0
    run_sql(target, "UPDATE alembic_version SET version_num = '0099'")
    before = snapshot(target)
    result = cli("products", "add", "X-1", "--name", "X", "--price", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database ")
    assert "is at schema revision '0099', which this backorder does not know" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(target) == before
