"""Every file the tool creates is readable by its owner only (0600), whatever path
leads to it: a plain path, a link to a file not there yet, a chain of links; the
-wal and -shm files beside it too. A link into a missing folder is refused."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def backorder(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", str(db), *args])


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert backorder(db, "init").exit_code == 0
    assert mode(db) == 0o600
    # A reader holds the database open, so the -wal and -shm files stay to be looked at.
    with sqlite3.connect(db) as reader:
        reader.execute("SELECT count(*) FROM orders").fetchall()
        added = backorder(db, "products", "add", "A-1", "--name", "Part", "--price", "1")
        assert added.exit_code == 0, added.output
        assert mode(tmp_path / "shop.db-wal") == 0o600
        assert mode(tmp_path / "shop.db-shm") == 0o600


def test_a_link_to_a_missing_file_makes_that_file_owner_only(tmp_path: Path) -> None:
    (tmp_path / "d.db").symlink_to("missing.db")
    result = backorder(tmp_path / "d.db", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.db").is_symlink()
    assert mode(tmp_path / "missing.db") == 0o600


def test_a_chain_of_links_into_another_folder_makes_the_file_owner_only(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "b.db").symlink_to(tmp_path / "data" / "real.db")
    (tmp_path / "a.db").symlink_to("b.db")
    assert backorder(tmp_path / "a.db", "init").exit_code == 0
    assert mode(tmp_path / "data" / "real.db") == 0o600


def test_a_link_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.db").symlink_to(tmp_path / "nowhere" / "x.db")
    result = backorder(tmp_path / "d.db", "init")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: folder {tmp_path / 'nowhere'} does not exist - "
        "create it first or pick another --db\n"
    )
    assert not (tmp_path / "nowhere").exists()


def test_the_default_folder_made_for_the_database_is_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pass

    monkeypatch.delenv("BACKORDER_DB", raising=False)
    monkeypatch.setattr(
        "backorder_cli.storage.database.default_path", lambda: tmp_path / "data" / "backorder.db"
    )
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "data") == 0o700
    assert mode(tmp_path / "data" / "backorder.db") == 0o600
