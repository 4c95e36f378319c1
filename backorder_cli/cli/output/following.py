"""`log --follow`: each entry written and flushed as it comes, in a form that needs no
later rows (a table's columns would): JSON lines, plain or CSV rows, or one line per
entry for people. And the wait between polls, which ends early when the reader of
stdout has gone away.
"""

from __future__ import annotations

import csv
import select
import sys
import time
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from .flat import cell, csv_cell
from .json_format import to_json_line
from .text import safe_text


def write_following(entries: Iterable[Any], fields: list[str], fmt: str) -> None:
    """Write each entry at once: `json` as one object per line (JSON lines), `csv`
    and `plain` with their header first, anything else as one line per entry:
    `2026-11-26 03:12  ann  #2402  created  as backorder of ...`, data escaped."""
    out = sys.stdout
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(fields)
    elif fmt == "plain":
        out.write("\t".join(fields) + "\n")
    out.flush()
    for entry in entries:
        if fmt == "json":
            out.write(to_json_line(entry) + "\n")
        elif writer is not None:
            writer.writerow([csv_cell(getattr(entry, f), f) for f in fields])
        elif fmt == "plain":
            out.write("\t".join(safe_text(cell(getattr(entry, f), f)) for f in fields) + "\n")
        else:
            out.write(_line(entry) + "\n")
        out.flush()


def _line(entry: Any) -> str:
    when = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    order = f"#{entry.order}" if entry.order is not None else "-"
    parts = [when, safe_text(entry.user), order, safe_text(entry.event), safe_text(entry.detail)]
    return "  ".join(parts)


def wait_watching_stdout(seconds: float) -> None:
    """Sleep `seconds`, or less when stdout is a pipe or terminal whose other end went
    away (`log --follow | head -1`): then a BrokenPipeError, as the next write would
    raise, so a follower with nothing to write still ends with its reader."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        time.sleep(seconds)
        return
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: only an error or a hang-up wakes it
    for _fd, event in poller.poll(seconds * 1000):
        if event & (select.POLLERR | select.POLLHUP):
            raise BrokenPipeError(32, "the reader of stdout went away")
        if event & select.POLLNVAL:  # closed under us: nothing more can be written
            raise BrokenPipeError(32, "standard output is closed")
