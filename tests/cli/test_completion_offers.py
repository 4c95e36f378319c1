"""TAB after each correction and `credit` offers what that command takes, through the
installed script as a shell calls it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backorder_cli.services import transfer as transfer_service
from backorder_cli.storage.schema import init_database

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("completion") / "shop.db"
    database, _ = init_database(str(db))
    transfer_service.load_sample(database)
    database.dispose()
    return db


def complete(db: Path, *words: str, typed: str = "") -> list[str]:
    line = " ".join(["backorder", "--db", str(db), *words, typed])
    env = {
        **os.environ,
        "_BACKORDER_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(3 + len(words)),
    }
    result = subprocess.run(
        [str(BIN / "backorder")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "typed", "offered"),
    [
        (["orders", "cancel"], "", ["2395", "2396", "2397", "2400"]),
        (["close"], "", ["2396", "2397", "2398", "2399", "2400", "2401"]),
        (["unship"], "", ["2393", "2398"]),
        (["orders", "edit"], "", ["2395", "2396", "2397", "2398", "2399", "2400", "2401"]),
        (["products", "adjust"], "CABLE", ["CABLE-15", "CABLE-25"]),
    ],
    ids=["orders cancel", "close", "unship", "orders edit", "products adjust"],
)
def test_each_command_offers_what_it_takes(
    sample: Path, words: list[str], typed: str, offered: list[str]
) -> None:
    assert complete(sample, *words, typed=typed) == offered


def test_credit_offers_the_invoices(sample: Path) -> None:
    offered = complete(sample, "credit")
    assert offered == [str(n) for n in range(1, 7)]  # the sample's six invoices
