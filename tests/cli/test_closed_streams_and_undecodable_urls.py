"""Found by the second attack review: a closed stdout (`>&-`) crashed with an internal
error after the change was saved; a --db URL or $BACKORDER_DB that is not UTF-8 was
quoted (secret included) or crashed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import snapshot

BIN = Path(sys.executable).parent / "backorder"


def run(
    *args: str,
    db: Path | str | None = None,
    env: dict[str, str] | None = None,
    close_stdout: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """The real script (a closed stdout and raw argv bytes need a real process)."""
    given = ([] if db is None else ["--db", str(db)]) + list(args)
    return subprocess.run(
        [os.fsencode(str(BIN)), *(os.fsencode(a) for a in given)],
        stdout=None if close_stdout else subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        timeout=60,
        # Close fd 1 in the child only: the shell's `>&-`.
        preexec_fn=(lambda: os.close(1)) if close_stdout else None,
    )


def test_a_closed_stdout_in_a_bulk_run_says_what_was_done(shop: Path) -> None:
    result = run("create", "2401", "2399", "--yes", db=shop, close_stdout=True)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "internal error" not in err
    # Both orders are one group, committed before the first line: both were created.
    assert "after 2 backorders were created (#2401 -> #2402, #2399 -> #2403)" in err
    assert "that was every order - do not run it again" in err


def test_a_closed_stdout_after_one_change_says_it_was_saved(shop: Path) -> None:
    result = run("products", "receive", "SWITCH-1", "24", "-f", "json", db=shop, close_stdout=True)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "internal error" not in err
    assert err.startswith("Error: the change was saved")


def test_a_db_url_that_is_not_utf8_is_refused_without_quoting_it(shop: Path) -> None:
    url = os.fsdecode(b"postgresql+psycopg://u:SECRET\xff")
    result = run("check", db=url)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, err
    assert "SECRET" not in err
    assert err == (
        "Error: a --db URL is not valid UTF-8 text - give every argument (file names too) "
        "in UTF-8\n"
    )


def test_a_backorder_db_that_is_not_utf8_is_refused_without_quoting_it(shop: Path) -> None:
    before = snapshot(shop)
    env = {"BACKORDER_DB": os.fsdecode(b"postgresql+psycopg://u:SE\xffCRET@127.0.0.1/x")}
    result = run("check", env=env)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1, err
    assert "CRET" not in err
    assert err == "Error: $BACKORDER_DB is not valid UTF-8 text - write it in UTF-8\n"
    assert snapshot(shop) == before
