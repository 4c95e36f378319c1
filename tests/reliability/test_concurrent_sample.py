"""`init --sample` run by several processes at once on a new database: one builds the
schema, one loads the sample, every other one is refused cleanly (exit 1, one line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backorder_cli.services import orders
from backorder_cli.storage.schema import open_database

BIN = Path(sys.executable).parent
PROCESSES = 4
REFUSAL = (
    "Error: the database already holds 12 orders - load the sample into a new database: "
    "`backorder --db sample.db init --sample`\n"
)


def test_concurrent_init_sample_loads_the_sample_once(target: str) -> None:
    procs = [
        subprocess.Popen(
            [str(BIN / "backorder"), "--db", target, "init", "--sample"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    every = "".join(err for _code, err in results)
    assert every.count("Created database") == 1, every
    assert every.count("Loaded the sample company") == 1, every
    loaded = [err for code, err in results if code == 0]
    refused = [err for code, err in results if code == 1]
    assert len(loaded) == 1 and len(refused) == PROCESSES - 1, results
    for err in refused:
        assert err.endswith(REFUSAL), err
        assert err.count("Error:") == 1
    db = open_database(target)
    try:
        assert orders.count_orders(db) == 12
    finally:
        db.dispose()
