"""`backorder log --follow` for real: a follower process streams what another process
commits to the same SQLite file, never holds the write lock, and ends cleanly on
Ctrl-C (exit 130) and when its reader goes away (exit 141, quietly). Bounded waits
only: each test ends as soon as the line it waits for comes."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app

BIN = Path(sys.executable).parent / "backorder"
DEADLINE_S = 20.0


def follower(shop: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN), "--db", str(shop), "log", "--follow", "--interval", "0.02", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "BACKORDER_PAGER": ""},
    )


def lines_until(
    process: subprocess.Popen[bytes], done: Callable[[str], bool], buffer: list[bytes]
) -> list[str]:
    """Read the follower's lines until one satisfies `done` (bounded wait)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    end = time.monotonic() + DEADLINE_S
    lines: list[str] = []
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], end - time.monotonic())
        if not ready:
            break
        chunk = os.read(fd, 65536)
        assert chunk, "the follower ended early"
        buffer.append(chunk)
        *complete, rest = b"".join(buffer).split(b"\n")
        buffer[:] = [rest]
        lines += [c.decode() for c in complete]
        if any(done(line) for line in lines):
            return lines
    raise AssertionError(f"no such line within {DEADLINE_S} s: {lines[-3:]}")


def write(shop: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["--db", str(shop), *args])
    assert result.exit_code == 0, result.output


def test_a_follower_streams_another_writers_changes_as_json_lines(shop: Path) -> None:
    process = follower(shop, "-f", "json")
    buffer: list[bytes] = []
    try:
        history = lines_until(process, lambda line: '"imported"' in line, buffer)
        assert all(json.loads(line)["event"] for line in history)  # one object per line
        # Another process's write transactions never wait for the follower: with no
        # busy timeout at all, taking the write lock succeeds again and again while it polls.
        with sqlite3.connect(shop, timeout=0, isolation_level=None) as raw:
            for _ in range(25):
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
                time.sleep(0.005)
        write(shop, "products", "receive", "SWITCH-1", "7")
        write(shop, "ship", "2400", "SWITCH-1=2")
        new = lines_until(process, lambda line: '"shipped"' in line, buffer)
        objects = [json.loads(line) for line in new]
        assert [(o["order"], o["event"]) for o in objects[-2:]] == [
            (None, "stock received"),
            (2400, "shipped"),
        ]
        assert objects[-2]["detail"] == "7 x SWITCH-1: stock 0 -> 7 pcs"
        assert process.poll() is None  # still following
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=DEADLINE_S)
    assert process.returncode == 130
    assert err.decode() == "Interrupted: nothing was changed.\n"


def test_a_follower_whose_reader_goes_away_ends_quietly(shop: Path) -> None:
    process = follower(shop, "-f", "plain")
    assert process.stdout is not None
    lines_until(process, lambda line: line.startswith("at\tuser"), [])
    process.stdout.close()  # `| head -1`: the reader went away, and nothing new comes
    process.wait(timeout=DEADLINE_S)
    assert process.returncode == 141
    assert process.stderr is not None and process.stderr.read() == b""


def test_an_interval_without_follow_or_out_of_bounds_is_a_usage_error(shop: Path) -> None:
    runner = CliRunner()
    alone = runner.invoke(app, ["--db", str(shop), "log", "--interval", "1"])
    assert alone.exit_code == 2
    assert "--interval" in alone.stderr and "only goes with --follow" in alone.stderr
    bad = runner.invoke(app, ["--db", str(shop), "log", "--follow", "--interval", "0"])
    assert bad.exit_code == 2
    assert "'0' is not an interval - give seconds from 0.01 to 3600" in bad.stderr
    assert "Traceback" not in bad.output


def test_following_at_a_terminal_prints_one_escaped_line_per_change(
    shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's form for a follower: a line per change (a table would wait for its
    column widths); data is escaped, as everywhere on a terminal."""
    write(
        shop, "products", "add", "EVIL-1", "--name", "Evil\u202e [red]x[/red]\nnext", "--price", "1"
    )
    polls = iter([None])

    def wait(seconds: float) -> None:
        next(polls)  # one poll after the history, then stop as Ctrl-C would
        raise KeyboardInterrupt

    monkeypatch.setattr("backorder_cli.cli.output.following.wait_watching_stdout", wait)
    result = CliRunner().invoke(app, ["--db", str(shop), "log", "--follow", "-f", "table"])
    assert result.exit_code == 130
    last = result.stdout.splitlines()[-1]
    assert last.endswith(
        "  -  product added  EVIL-1 (Evil\\u202e [red]x[/red]\\nnext): price 1.00, stock 0 pcs"
    )
    assert "\u202e" not in result.stdout
    assert result.stderr == "Interrupted: nothing was changed.\n"
