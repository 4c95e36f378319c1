"""The benchmark, small, so it cannot rot: it runs end to end and writes its report.
It asserts nothing about time (speed is measured by bench/run.py, never by tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_end_to_end_on_a_small_database(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--orders",
            "1000",
            "--runs",
            "1",
            "--growth",
            "500",
            "--workdir",
            str(tmp_path),
            "--out",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    for row in (
        "| help |",
        "| version |",
        "| completion of commands |",
        "| show |",
        "| filtered list |",
        "| archived search, number |",
        "| archived search, text |",
        "| customer search |",
        "| log --since |",
        "| log --order |",
        "| products show |",
        "| suggest |",
        "| ready |",
        "| list every order as JSON |",
        "| log as a table: first row |",
        "| every order as a table: first row |",
        "| bulk backorder of ",
        "| check |",
        "| 500 |",
        "| 1,000 |",
    ):
        assert row in text, row
    assert "Where the time goes" in text  # bench/NOTES.md is appended
    assert "| PostgreSQL (s) |" in text
    if os.environ.get("BACKORDER_REQUIRE_PG") == "1":  # CI has the server: measured there
        bulk = next(line for line in text.splitlines() if line.startswith("| bulk backorder"))
        assert "PostgreSQL not measured" not in bulk
        assert "; PostgreSQL " in bulk and " orders/s" in bulk
    # The generated database is sound, and the bulk run left its copy sound too.
    for db in (tmp_path / "bench-1000.db", tmp_path / "bulk.db"):
        check = subprocess.run(
            [str(Path(sys.executable).parent / "backorder"), "--db", str(db), "check"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout
