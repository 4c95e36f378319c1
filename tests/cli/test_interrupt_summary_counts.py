"""The summary of a bulk run stopped by Ctrl-C, at the size where it matters: thousands of
orders done, the count written as people read it (2,114), a closed JSON array on stdout
holding exactly the orders counted, and how to finish (rerun the same command)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer

from backorder_cli.cli.bulk import report_outcomes
from backorder_cli.cli.options import WriteFormat
from backorder_cli.services.results import BackorderOutcome

DONE = 2114


def interrupted_after(done: int, refused: int) -> Iterator[BackorderOutcome]:
    for i in range(done):
        yield BackorderOutcome(10_000 + i, True, backorder=20_000 + i)
    for i in range(refused):
        yield BackorderOutcome(
            30_000 + i, False, error="already backordered", code="already_backordered"
        )
    raise KeyboardInterrupt


@pytest.mark.parametrize("format_", [WriteFormat.json, WriteFormat.text])
def test_ctrl_c_after_thousands_says_how_many_and_how_to_finish(
    capsys: pytest.CaptureFixture[str], format_: WriteFormat
) -> None:
    with pytest.raises(typer.Exit) as stopped:
        report_outcomes(
            interrupted_after(DONE, 3),
            format_=format_,
            bulk=True,
            success=lambda o: f"Backorder #{o.backorder} created",
            noun="backorder",
            total=5000,
        )
    assert stopped.value.exit_code == 130
    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == (
        "Interrupted: 2,114 backorders created before the interrupt, 3 refused; the orders "
        "being worked on when you pressed Ctrl-C may also have been saved - rerun the same "
        "command to finish (orders already done are skipped)"
    )
    if format_ == WriteFormat.json:
        listed = json.loads(out)  # a closed, valid array
        assert sum(o["ok"] for o in listed) == DONE
        assert [o["code"] for o in listed if not o["ok"]] == ["already_backordered"] * 3
    else:
        assert out.count("Backorder #") == DONE
