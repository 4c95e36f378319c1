"""Ctrl-C while the tool is still starting (importing Typer, Rich, SQLAlchemy, opening
the database) ends quietly: "Interrupted" on stderr, exit 130, no traceback.

The child announces on stderr that the entry-point module is imported (as the
installed script does first), then gets SIGINT after a few small delays that fall
into the start-up (the later ones into reading the arguments and building the
command, where Typer would end the run silently). What comes before that line is
Python's own start-up, which no program can handle."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backorder_cli.storage.schema import init_database

START = (
    "import sys\n"
    "from backorder_cli.console import main\n"
    "sys.stderr.write('started\\n'); sys.stderr.flush()\n"
    "sys.argv = ['backorder', '--db', sys.argv[1], 'orders', 'list']\n"
    "main()\n"
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sigint") / "shop.db"
    init_database(str(path))[0].dispose()
    return path


@pytest.mark.parametrize("delay", [0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.06, 0.1, 0.2, 0.3])
def test_ctrl_c_during_start_up_is_quiet(shop: Path, delay: float) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", START, str(shop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    assert child.stderr.readline() == "started\n"
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _stdout, stderr = child.communicate(timeout=60)
    assert "Traceback" not in stderr
    if child.returncode == 0:  # finished before the signal came: nothing to see
        return
    assert child.returncode == 130, stderr
    assert stderr.splitlines()[-1].startswith("Interrupted"), stderr
