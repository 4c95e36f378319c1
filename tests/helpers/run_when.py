"""Run the `backorder` console entry point once a go-file appears.

Usage: python -m tests.helpers.run_when GO_FILE ARGS...

Python and the tool are imported before waiting, so processes started one after the
other all act within a millisecond or so of the go-file being created: a real race.
Once imported, each process says so with a file `GO_FILE.ready.PID`, so the test
creates the go-file as soon as every racer waits (`wait_until_ready`), not after a guess.
"""

import os
import sys
import time
from pathlib import Path

import backorder_cli.services.backorders  # noqa: F401  (import everything before the start)
from backorder_cli.cli import main

go = Path(sys.argv[1])
go.with_name(f"{go.name}.ready.{os.getpid()}").touch()
deadline = time.monotonic() + 60
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no go-file within 60 s")
    time.sleep(0.0005)
sys.argv = ["backorder", *sys.argv[2:]]
main()
