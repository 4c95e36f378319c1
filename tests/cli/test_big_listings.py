"""Big listings at a terminal: rows are printed as they are read, in chunks with the
widths of the first chunk, never as one table built whole; long output goes through a
pager like git's; `orders list` shows the newest 50 at a terminal and every order when
piped."""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pexpect
import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import Result

from backorder_cli.cli.output import columns, tables
from backorder_cli.cli.output.columns import KEEP, TEXT, WORDS, Column, print_table
from backorder_cli.cli.output.pager import pager_command
from backorder_cli.domain.orders import Archived, Status
from backorder_cli.services import orders as orders_service
from backorder_cli.services import reports
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import init_database
from tests.cli.test_installed_scripts import script

ROOT = Path(__file__).resolve().parent.parent.parent
ORDERS = 3000
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLUMNS = (Column("Order", KEEP, "right"), Column("Status", WORDS), Column("Customer", TEXT))


def _console(width: int = 100) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, markup=False, highlight=False), buffer


def _rows(count: int, customer: str = "Hansen & Søn VVS") -> Iterator[Sequence[str]]:
    for n in range(count):
        yield (f"#{1000 + n}", "partially shipped", customer)


def test_rows_are_printed_before_the_last_is_read() -> None:
    out, buffer = _console()
    printed_when: list[str] = []

    def rows() -> Iterator[Sequence[str]]:
        for n, row in enumerate(_rows(10 * columns.CHUNK)):
            if n == 3 * columns.CHUNK:
                printed_when.append(buffer.getvalue())
            yield row

    assert print_table(out, COLUMNS, rows()) == 10 * columns.CHUNK
    # When the fourth chunk was read, the first chunk was already on the screen.
    assert "#1000" in printed_when[0]
    assert f"#{1000 + 10 * columns.CHUNK - 1}" not in printed_when[0]


def test_every_chunk_keeps_the_widths_of_the_first() -> None:
    out, buffer = _console(80)
    rows = [*_rows(columns.CHUNK, "Aarhus Installations"), *_rows(2 * columns.CHUNK, "A/S")]
    print_table(out, COLUMNS, rows)
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert len(lines) == 2 + 3 * columns.CHUNK  # the header once, one line per row
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}


def test_a_longer_number_in_a_later_chunk_is_shown_whole() -> None:
    out, buffer = _console(60)
    later = ("#123456789012", "booked", "Lys og Lampe I/S")
    print_table(out, COLUMNS, [*_rows(columns.CHUNK), later])
    assert "#123456789012" in buffer.getvalue()
    assert "…" not in buffer.getvalue()


def test_names_wrap_before_numbers_and_rows_become_blocks_when_numbers_do_not_fit() -> None:
    wide = [("#2401", "partially shipped", "Aarhus Installations og Søn")]
    measures = columns._measure(COLUMNS, wide)
    widths = columns.fit(COLUMNS, measures, 40)
    assert widths is not None
    assert widths[0] == len("#2401")  # the number keeps its width
    assert widths[2] < len("Aarhus Installations og Søn")  # the customer gave way
    assert columns.fit(COLUMNS, measures, 24) is None  # the floors are wider than that
    assert columns.fit(COLUMNS, measures, 24, compact=True) is None  # even without dividers
    out, buffer = _console(24)
    print_table(out, COLUMNS, wide)
    blocks = buffer.getvalue().splitlines()
    assert blocks[0].split() == ["Order", "#2401"]
    assert blocks[1].split() == ["Status", "partially"]  # words wrap, numbers do not


def test_the_pager_comes_from_the_environment_like_git() -> None:
    term = {"TERM": "xterm-256color"}
    assert pager_command(term) == ["less", "-FRX"]
    assert pager_command({**term, "PAGER": "more -s"}) == ["more", "-s"]
    assert pager_command({**term, "PAGER": "cat"}) is None
    assert pager_command({**term, "PAGER": "more", "BACKORDER_PAGER": ""}) is None
    assert pager_command({**term, "PAGER": "", "BACKORDER_PAGER": "less -S"}) == ["less", "-S"]
    assert pager_command({"TERM": "dumb"}) is None and pager_command({}) is None


def test_orders_are_counted_as_they_are_listed(sample_db: Database) -> None:
    for filters in (
        {"archived": Archived.ALL},
        {"statuses": [Status.PARTIALLY_SHIPPED]},
        {"search": "hansen"},
    ):
        listed = list(orders_service.iter_orders(sample_db, **filters))
        assert orders_service.count_listed_orders(sample_db, **filters) == len(listed) > 0


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few thousand orders, built by the benchmark's generator."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    generate = [sys.executable, str(ROOT / "bench" / "generate.py"), "--orders", str(ORDERS)]
    subprocess.run([*generate, "--db", str(path)], check=True, capture_output=True, timeout=300)
    return path


def test_the_log_table_gets_its_rows_one_by_one_from_the_database(
    big: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _created = init_database(str(big))
    seen: list[str] = []

    def entries() -> Iterator[object]:
        for n, entry in enumerate(reports.iter_log(db)):
            if n == 3 * columns.CHUNK:
                seen.append(capsys.readouterr().out)
            yield entry

    count = tables.log_table(entries())
    assert count > 3 * columns.CHUNK
    assert seen[0].count("\n") >= columns.CHUNK  # a chunk was out before the rest was read


def _at_terminal(db: Path, commands: dict[str, str], env: dict[str, str]) -> dict[str, str]:
    """Run shell lines in one pseudo-terminal; each one's screen output and its exit code."""
    backorder = shlex.quote(script("backorder")) + " --db " + shlex.quote(str(db))
    lines = [
        f"echo @@{name}; {line.replace('backorder', backorder)}; echo rc=$?"
        for name, line in commands.items()
    ]
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "PAGER", "LESS")}
    child = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", "; ".join(lines) + "; echo @@end"],
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
        env={**clean, "TERM": "xterm", **env},
    )
    child.expect_exact("@@end")
    screen = ANSI.sub("", child.before or "").replace("\r\n", "\n")
    child.expect(pexpect.EOF)
    return {
        part.partition("\n")[0].strip(): part.partition("\n")[2] for part in screen.split("@@")[1:]
    }


def test_orders_list_shows_the_newest_50_at_a_terminal_and_all_when_piped(big: Path) -> None:
    shown = _at_terminal(
        big,
        {
            "default": "backorder orders list",
            "all": "backorder orders list --limit 0 --format ids",
            "piped": "backorder orders list | wc -l",
            "ids": "backorder orders list --format ids | head -n 1",
        },
        {"BACKORDER_PAGER": ""},
    )
    total = int(re.search(r"\d+", shown["piped"]).group()) - 1  # type: ignore[union-attr]
    rows = re.findall(r"^ *#(\d+) ", shown["default"], flags=re.MULTILINE)
    assert len(rows) == 50
    assert rows[0] == shown["ids"].split()[0]  # the newest first
    assert (
        f"Showing the newest 50 of {total:,} orders; {total - 50:,} more - list them all "
        "with --limit 0, or pick a number with --limit N." in shown["default"].replace("\n", " ")
    )
    assert len(re.findall(r"^\d+$", shown["all"], flags=re.MULTILINE)) == total > 50
    assert "Showing" not in shown["all"]
    assert all(section.rstrip().endswith("rc=0") for section in shown.values())


def test_long_output_goes_through_the_pager_only_at_a_terminal(big: Path) -> None:
    # Shows 3 lines, then quits early; and says what LESS it was given.
    pager = "sh -c 'echo PAGER-STARTED LESS=$LESS; head -n 3'"
    shown = _at_terminal(
        big,
        {
            "paged": "backorder log",
            "list": "backorder orders list --limit 5",
            "no-pager": "backorder orders list --limit 5 --no-pager",
            "off": "BACKORDER_PAGER= backorder orders list --limit 5",
            "cat": "env -u BACKORDER_PAGER PAGER=cat backorder orders list --limit 5",
            "piped": "backorder log --format table | tail -n 1",
        },
        {"BACKORDER_PAGER": pager},
    )
    assert "PAGER-STARTED LESS=FRX" in shown["paged"] and "PAGER-STARTED" in shown["list"]
    for unpaged in ("no-pager", "off", "cat", "piped"):
        assert "PAGER-STARTED" not in shown[unpaged], unpaged
    # Quitting the pager early ends the listing quietly, with success.
    assert len(shown["paged"].splitlines()) == 1 + 3 + 1
    assert shown["paged"].rstrip().endswith("rc=0")
    assert "Traceback" not in "".join(shown.values())
    assert "Error" not in "".join(shown.values())
    assert re.search(r"#\d+", shown["piped"])  # piped: the last row came straight out


def test_limit_0_lists_every_order_and_n_the_newest_n(
    sample_db: Database, cli: Callable[..., Result]
) -> None:
    every = list(orders_service.iter_orders(sample_db))
    listed = cli("orders", "list", "--limit", "0", "--format", "ids")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split() == [str(o.number) for o in every]
    two = cli("orders", "list", "--limit", "2", "--format", "ids")
    assert two.stdout.split() == [str(o.number) for o in every[:2]]
    refused = cli("orders", "list", "--limit", "-1")
    assert refused.exit_code == 2
    assert "the limit must be a whole number from 0 (no limit) to" in refused.stderr


@pytest.mark.parametrize("width", [60, 28])  # 28: no room for dividers (compact)
def test_rows_written_without_rich_look_exactly_as_rich_writes_them(
    monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    rows = [
        ("#2401", "partially shipped", "Hansen & Søn VVS"),
        ("#12", "booked", "東京電気 K.K."),  # wide characters take two cells each
        ("#2402", "canceled, archived", "Aarhus Installations og Søn, afdeling Nord"),  # wraps
        ("#7", "draft", ""),
    ]
    fast, fast_buffer = _console(width)
    print_table(fast, COLUMNS, rows, footers=["Total", "", "4 orders"])
    monkeypatch.setattr(columns.TablePrinter, "_one_line", lambda self, row: None)
    rich, rich_buffer = _console(width)
    print_table(rich, COLUMNS, rows, footers=["Total", "", "4 orders"])
    assert fast_buffer.getvalue() == rich_buffer.getvalue()
    assert ("│" in fast_buffer.getvalue()) == (width == 60)
    assert "#2402" in fast_buffer.getvalue()


def test_a_known_widest_value_fixes_the_widths_from_the_first_row() -> None:
    out, buffer = _console(80)
    later = ("#1000000", "booked", "A/S")
    print_table(out, COLUMNS, [*_rows(columns.CHUNK), later], widest=("#1000000", "", ""))
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert {cell_len(line) for line in lines} == {cell_len(lines[0])}
    assert lines[-1].split()[0] == "#1000000"


def test_the_highest_order_number_is_the_widest_the_log_gets(sample_db: Database) -> None:
    every = list(orders_service.iter_orders(sample_db, archived=Archived.ALL))
    assert reports.highest_order_number(sample_db) == max(o.number for o in every)
