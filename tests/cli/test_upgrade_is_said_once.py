"""An older database is upgraded when a command opens it, and the command says so once
on stderr; stdout stays data, and the next command says nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.storage.models import SCHEMA_VERSION
from backorder_cli.storage.schema import read_version

V1 = Path(__file__).resolve().parent.parent / "data" / "schema-v1.db"


def test_the_upgrade_is_said_once_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(V1, db)
    runner = CliRunner()
    first = runner.invoke(app, ["--db", str(db), "orders", "list", "-f", "ids"])
    assert first.exit_code == 0, first.output
    assert first.stderr == (f"Upgraded database {db} from schema version 1 to {SCHEMA_VERSION}.\n")
    assert first.stdout.split()[0].isdigit()  # the listing, untouched by the message
    assert read_version(str(db))[1] == SCHEMA_VERSION
    again = runner.invoke(app, ["--db", str(db), "orders", "list", "-f", "ids"])
    assert again.stderr == ""
    assert again.stdout == first.stdout


def test_init_on_an_old_database_says_it_upgraded_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(V1, db)
    result = CliRunner().invoke(app, ["--db", str(db), "init"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"Upgraded database {db} from schema version 1 to {SCHEMA_VERSION}.\n"
        f"Database {db} is ready.\n"
    )
