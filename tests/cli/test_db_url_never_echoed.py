"""Messages that quote the command line never show a --db URL's secrets: the "change
was saved" message after a failed print, the not-UTF-8 argument error; `options` that
mention a password are masked; a database the tool does not support is named as such,
without a pip package to install."""

from __future__ import annotations

import errno
import io
import sys

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.storage.urls import mask_url


class FullDisk(io.TextIOBase):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self) -> bool:
        return False


def with_password(url: str, query: str = "") -> str:
    """The test server's URL with a password (trust auth accepts any) and more query."""
    assert url.startswith("postgresql+psycopg://postgres@")
    url = url.replace("postgres@", "postgres:hunter2@", 1)
    return url + query


@pytest.mark.parametrize("form", ["--db URL", "--db=URL", "?password="])
def test_the_change_was_saved_message_masks_the_db_url(
    pg_target: str,
    form: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = with_password(pg_target, "&password=SECRETQ" if form == "?password=" else "")
    assert CliRunner().invoke(app, ["--db", url, "init"]).exit_code == 0
    db = [f"--db={url}"] if form == "--db=URL" else ["--db", url]
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", FullDisk())
    with pytest.raises(SystemExit) as exit_:
        app(
            [*db, "products", "add", "PGX", "--name", "x", "--price", "1", "-f", "json"],
            prog_name="backorder",
        )
    monkeypatch.undo()
    stderr = capsys.readouterr().err
    assert exit_.value.code == 1
    assert "hunter2" not in stderr and "SECRETQ" not in stderr
    shown = [f"'--db={mask_url(url)}'"] if form == "--db=URL" else ["--db", f"'{mask_url(url)}'"]
    assert stderr == (
        f"Error: the change was saved (`backorder {' '.join(shown)} products add PGX --name "
        "x --price 1 -f json`); only printing the result failed: No space left on device - do "
        "not run it "
        "again; see the result with `products list`\n"
    )
    listed = CliRunner().invoke(app, ["--db", url, "products", "list", "-f", "ids"])
    assert "PGX" in listed.stdout.split()


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "postgresql+psycopg://u:hunter2\udcff@h/db", "orders", "list"],
        ["--db=postgresql+psycopg://u:hunter2\udcff@h/db", "orders", "list"],
    ],
)
def test_the_not_utf8_error_never_quotes_the_db_url(args: list[str]) -> None:
    """Not even masked: the bad bytes could sit inside the secret (second attack review)."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "hunter2" not in result.stderr
    assert result.stderr == (
        "Error: a --db URL is not valid UTF-8 text - give every argument (file names too) "
        "in UTF-8\n"
    )


def test_a_file_path_in_the_not_utf8_error_is_shown_as_given() -> None:
    result = CliRunner().invoke(app, ["--db", "shop\udcff.db", "orders", "list"])
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: argument 'shop\\udcff.db' is not valid UTF-8 text - give every argument "
        "(file names too) in UTF-8\n",
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://u@h/db?options=-c%20password%3DSECRETQ",
            "postgresql://u@h/db?options=***",
        ),
        ("postgresql://u@h/db?options=-c+PassWord=SECRETQ", "postgresql://u@h/db?options=***"),
        (
            "postgresql://u@h/db?options=-csearch_path%3Dt1",
            "postgresql://u@h/db?options=-csearch_path%3Dt1",
        ),
    ],
)
def test_options_that_mention_a_password_are_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_options_with_a_password_never_reach_a_message() -> None:
    url = "postgresql+psycopg://u@127.0.0.1:1/db?options=-c%20password%3DSECRETQ"
    result = CliRunner().invoke(app, ["--db", url, "orders", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "SECRETQ" not in result.output


@pytest.mark.parametrize("url", ["mysql://ann:SECRETQ@h/db", "postgresql+pg8000://ann@h/db"])
def test_an_unsupported_database_names_the_supported_ones(url: str) -> None:
    result = CliRunner().invoke(app, ["--db", url, "orders", "list"])
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: cannot use database {mask_url(url)}: backorder works with SQLite files and "
        "PostgreSQL through postgresql+psycopg:// only - use a file path, sqlite:///FILE or "
        "postgresql+psycopg://USER@HOST/NAME\n",
    )
    assert "pip install" not in result.stderr
