"""When writing a bulk run's output fails (a full disk, a closed pipe), the run stops at
once, before the next group of orders, and stderr says exactly what was done: how many
were done (and which: the whole group committed, printed or not), how many refused, and
that the others were not touched. (Groups of one order here, `one_order_groups`, show
the stop before the next group; the real process runs its default groups.) Exit 1 for a full
disk, 141 for a closed pipe. A single order keeps "the change was saved"."""

from __future__ import annotations

import errno
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from backorder_cli.cli import app
from backorder_cli.services import groups
from tests.conftest import snapshot

BIN = Path(sys.executable).parent
RERUN = "rerun the same command to finish (orders already done are skipped)"


class FailingOutput(io.TextIOBase):
    """A stdout that takes `good` writes, then fails every write as `error` does."""

    def __init__(self, error: OSError, good: int = 0) -> None:
        self.error, self.good, self.text = error, good, ""

    def write(self, text: str) -> int:
        if self.good <= 0:
            raise self.error
        self.good -= 1
        self.text += text
        return len(text)

    def isatty(self) -> bool:
        return False


FULL = OSError(errno.ENOSPC, "No space left on device")
CLOSED = BrokenPipeError(errno.EPIPE, "Broken pipe")


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    out: io.TextIOBase,
    *args: str,
) -> tuple[int, str]:
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", out)
    with pytest.raises(SystemExit) as exit_:
        app(list(args), prog_name="backorder")
    monkeypatch.undo()
    return int(exit_.value.code or 0), capsys.readouterr().err


@pytest.fixture
def one_order_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groups, "GROUP_ORDERS", 1)


def statuses(shop: Path) -> dict[int, str]:
    with sqlite3.connect(shop) as conn:
        return dict(conn.execute("SELECT number, status FROM orders").fetchall())


def invoice_count(shop: Path) -> int:
    return len(snapshot(shop)["invoices"])


@pytest.mark.usefixtures("one_order_groups")
def test_a_full_disk_stops_a_bulk_create_after_the_first_order_and_says_so(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = statuses(shop)
    code, stderr = run(
        monkeypatch,
        capsys,
        FailingOutput(FULL),
        *("--db", str(shop), "create", "2401", "2399", "2398", "-y", "--invoice"),
    )
    assert code == 1
    assert stderr == (
        "Error: the output failed (No space left on device) after 1 backorder was created "
        f"(#2401 -> #2402), 0 refused; the other 2 orders were not touched - {RERUN}\n"
    )
    after = statuses(shop)
    assert after[2401] == "canceled" and after[2402] == "booked"
    assert (after[2399], after[2398]) == (before[2399], before[2398])
    assert 2403 not in after


@pytest.mark.usefixtures("one_order_groups")
def test_a_full_disk_stops_invoice_all_in_json(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    invoices = invoice_count(shop)
    code, stderr = run(
        monkeypatch,
        capsys,
        FailingOutput(FULL),
        *("--db", str(shop), "invoice", "--all", "--yes", "-f", "json"),
    )
    assert code == 1
    assert stderr == (
        "Error: the output failed (No space left on device) after 1 invoice was created "
        f"(#2393 -> invoice #7), 0 refused; the other order was not touched - {RERUN}\n"
    )
    assert invoice_count(shop) == invoices + 1


@pytest.mark.usefixtures("one_order_groups")
def test_a_full_disk_stops_ready_ship(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    last = max(r[0] for r in snapshot(shop)["history"])
    code, stderr = run(
        monkeypatch, capsys, FailingOutput(FULL), *("--db", str(shop), "ready", "--ship", "-y")
    )
    assert code == 1
    assert stderr == (
        "Error: the output failed (No space left on device) after 1 order was shipped "
        f"(#2396), 0 refused; the other 2 orders were not touched - {RERUN}\n"
    )
    assert touched_since(shop, last) == {2396}


def test_a_full_disk_during_ready_ship_names_the_whole_group_committed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Default groups: the three orders commit together before the first line is
    printed; the failed print says all three were shipped, and they were."""
    last = max(r[0] for r in snapshot(shop)["history"])
    # One group whatever the machine's load: its time limit is not what is tested.
    monkeypatch.setattr(groups, "GROUP_SECONDS", 600.0)
    code, stderr = run(
        monkeypatch, capsys, FailingOutput(FULL), *("--db", str(shop), "ready", "--ship", "-y")
    )
    assert code == 1
    assert stderr == (
        "Error: the output failed (No space left on device) after 3 orders were shipped "
        "(#2396, #2397, #2398), 0 refused; that was every order - do not run it again; see "
        "them with `orders show`\n"
    )
    assert touched_since(shop, last) == {2396, 2397, 2398}


def test_a_full_disk_during_purchases_receive_ship_in_json_names_the_group_committed(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON: the list's opening bracket is written, then the first object fails; the
    group (the three orders stock already covered and #2399, which the receipt covers)
    is committed and the message names each of them."""
    add = ("purchases", "add", "--supplier", "Kabel AB", "--expected", "2026-12-01", "SWITCH-1=6")
    assert run(monkeypatch, capsys, FailingOutput(FULL, good=9), "--db", str(shop), *add)[0] == 0
    last = max(r[0] for r in snapshot(shop)["history"])
    monkeypatch.setattr(groups, "GROUP_SECONDS", 600.0)  # one group, however slow
    code, stderr = run(
        monkeypatch,
        capsys,
        FailingOutput(FULL, good=1),
        *("--db", str(shop), "purchases", "receive", "1", "--ship", "-y", "-f", "json"),
    )
    assert code == 1, stderr
    assert stderr.endswith(
        "Error: the output failed (No space left on device) after 4 orders were shipped "
        "(#2396, #2397, #2398, #2399), 0 refused; that was every order - do not run it again; "
        "see them with `orders show`\n"
    )
    assert touched_since(shop, last) == {2396, 2397, 2398, 2399}


def test_a_full_disk_during_purchases_receive_ship_names_ready_ship_to_finish(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The receipt is saved before the orders ship: rerunning the receive would be
    refused (or receive twice), so what finishes the run is `ready --ship`."""
    add = ("purchases", "add", "--supplier", "Kabel AB", "--expected", "2026-12-01", "SWITCH-1=6")
    assert run(monkeypatch, capsys, FailingOutput(FULL, good=9), "--db", str(shop), *add)[0] == 0
    monkeypatch.setattr(groups, "GROUP_ORDERS", 1)  # after `run`, which undoes patches
    code, stderr = run(
        monkeypatch,
        capsys,
        FailingOutput(FULL),
        *("--db", str(shop), "purchases", "receive", "1", "--ship", "-y"),
    )
    assert code == 1, stderr
    assert stderr.endswith(
        "Error: the output failed (No space left on device) after 1 order was shipped "
        "(#2396), 0 refused; the other 3 orders were not touched - the receipt on purchase #1 "
        "is saved: run `backorder ready --ship` to finish (orders already done are skipped)\n"
    )


def test_a_full_disk_in_a_rerun_counts_only_the_refusals_it_said(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """#2401 and #2399 are done; the rerun's group refuses both and makes #2398. The
    first JSON object fails after #2401's refusal was said: #2399's never was, so it is
    not counted as refused but as not touched (a rerun says it)."""
    first = ("--db", str(shop), "create", "2401", "2399", "-y", "--invoice")
    assert run(monkeypatch, capsys, FailingOutput(FULL, good=9), *first)[0] == 0
    code, stderr = run(
        monkeypatch,
        capsys,
        FailingOutput(FULL),
        *("--db", str(shop), "create", "2401", "2399", "2398", "-y", "--invoice", "-f", "json"),
    )
    assert code == 1
    assert stderr == (
        "Error: order #2401 is already backordered as #2402 - see it with `backorder orders "
        "show 2402`\n"
        "Error: the output failed (No space left on device) after 1 backorder was created "
        f"(#2398 -> #2404), 1 refused; the other order was not touched - {RERUN}\n"
    )


def touched_since(shop: Path, history_id: int) -> set[int]:
    """The orders with a history entry after this one."""
    with sqlite3.connect(shop) as conn:
        rows = conn.execute(
            "SELECT DISTINCT o.number FROM history h JOIN orders o ON o.id = h.order_id "
            "WHERE h.id > ? AND h.event = 'shipped'",
            (history_id,),
        ).fetchall()
    return {n for (n,) in rows}


@pytest.mark.usefixtures("one_order_groups")
def test_a_closed_pipe_stops_a_bulk_run_with_141_and_says_what_was_done(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = FailingOutput(CLOSED, good=1)  # the reader took the first order's line
    code, stderr = run(
        monkeypatch,
        capsys,
        out,
        *("--db", str(shop), "create", "2401", "2399", "2398", "-y", "--invoice"),
    )
    assert code == 141
    assert out.text.startswith("Backorder #2402 created")
    assert stderr == (
        "Error: the output failed (Broken pipe) after 2 backorders were created "
        f"(#2401 -> #2402, #2399 -> #2403), 0 refused; the other order was not touched - "
        f"{RERUN}\n"
    )
    after = statuses(shop)
    assert after[2398] == "partially_shipped" and 2404 not in after


def test_when_the_last_write_fails_every_order_was_done(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = FailingOutput(FULL, good=2)  # both elements, not the closing bracket
    code, stderr = run(
        monkeypatch, capsys, out, *("--db", str(shop), "create", "2401", "2399", "-y", "-f", "json")
    )
    assert code == 1
    assert stderr == (
        "Error: the output failed (No space left on device) after 2 backorders were created "
        "(#2401 -> #2402, #2399 -> #2403), 0 refused; that was every order - do not run it "
        "again; see them with `orders show`\n"
    )


def test_a_single_order_still_says_the_change_was_saved(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stderr = run(
        monkeypatch, capsys, FailingOutput(FULL), *("--db", str(shop), "create", "2401", "-y")
    )
    assert code == 1
    assert stderr.startswith("Error: the change was saved (`backorder --db ")
    assert statuses(shop)[2401] == "canceled"


def test_a_real_full_disk_stops_the_batch(shop: Path) -> None:
    """The real process: stdout is block-buffered, so only a write-through per order
    shows the failure before the next group. The three orders are one group, committed
    before the first line: all three are named as done, none as untouched."""
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [BIN / "backorder", "--db", shop, "create", "2401", "2399", "2398", "-y", "--invoice"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert (result.returncode, result.stderr) == (
        1,
        "Error: the output failed (No space left on device) after 3 backorders were "
        "created (#2401 -> #2402, #2399 -> #2403, #2398 -> #2404), 0 refused; that was "
        "every order - do not run it again; see them with `orders show`\n",
    )
    assert [statuses(shop)[n] for n in (2401, 2399, 2398)] == ["canceled"] * 3
