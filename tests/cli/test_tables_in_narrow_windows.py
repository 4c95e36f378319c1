"""Tables in a real terminal at 60, 80 and 200 columns: order numbers, SKUs, quantities,
money and dates are never cut (no ellipsis, never split over two lines), and no line is
wider than the window; names, comments and customers wrap or shrink instead.

One pseudo-terminal per width runs every command once (a shell between markers).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pexpect
import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.domain.values import format_money, format_quantity
from tests.cli.test_installed_scripts import script

LONG_SKU = "SURGE-PROTECTOR-1234"
LONG_CUSTOMER = "Lyngby Elektro & Installationsservice ApS, afdeling Nord"

COMMANDS = {
    "show": ["orders", "show", "{backorder}"],
    "list": ["orders", "list"],
    "ready": ["ready"],
    "report": ["report"],
    "report-customer": ["report", "--by", "customer"],
    "chain": ["chain", "{backorder}"],
    "products": ["products", "list"],
    "log": ["log"],
    "plan": ["create", "2399", "--dry-run"],
}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """Setting up and reading the JSON in-process (the terminal runs are the real script):
    the same commands, without a Python start-up each."""
    result = CliRunner().invoke(app, ["--db", str(db), *args], prog_name="backorder")
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def _json(db: Path, *args: str) -> Any:
    result = run(*args, "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout, parse_float=Decimal, parse_int=Decimal)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The sample company, with a long SKU, a long product name and a long customer
    name on a backorder, so every table has something long to place."""
    db = tmp_path_factory.mktemp("narrow") / "shop.db"
    steps = [
        ["init", "--sample"],
        ["create", "2401", "--yes"],
        [
            "products",
            "add",
            LONG_SKU,
            "--name",
            "Surge protector with a long descriptive name, for the trade counter",
            "--price",
            "1234.50",
            "--stock",
            "2",
        ],
    ]
    for step in steps:
        assert run(*step, db=db).returncode == 0
    added = run(
        "orders", "add", "--customer", LONG_CUSTOMER, f"{LONG_SKU}=5", "CABLE-25=12.5", db=db
    )
    assert added.returncode == 0, added.stderr
    number = int(added.stdout.strip())
    for step in (
        ["ship", str(number), f"{LONG_SKU}=2"],
        ["create", str(number), "--yes", "--invoice"],
    ):
        result = run(*step, db=db)
        assert result.returncode == 0, result.stderr
    backorder = number + 1
    return db, backorder


@pytest.fixture(scope="module")
def whole(shop: tuple[Path, int]) -> dict[str, set[str]]:
    return _must_stay_whole(*shop)


def _must_stay_whole(db: Path, backorder: int) -> dict[str, set[str]]:
    """What each command shows that must never be cut, from its own JSON output."""
    money = format_money
    whole: dict[str, set[str]] = {name: set() for name in COMMANDS}
    for o in _json(db, "orders", "list"):
        whole["list"] |= {f"#{o['number']}", money(o["total"])}
    order = _json(db, "orders", "show", str(backorder))
    for line in order["lines"]:
        whole["show"] |= {line["sku"], money(line["unit_price"])}
        whole["show"].add(format_quantity(line["remaining"]))
    whole["show"] |= {f"#{backorder}", money(order["total"])}
    for r in _json(db, "ready"):
        whole["ready"] |= {f"#{r['number']}", r["created_at"][:10]}
        whole["ready"] |= {item["sku"] for item in r["ship"] + r["waiting"]}
    for r in _json(db, "report"):
        whole["report"] |= {r["sku"], money(r["value"]), format_quantity(r["shortfall"])}
    for r in _json(db, "report", "--by", "customer"):
        whole["report-customer"] |= {money(r["value"])}
    for link in _json(db, "chain", str(backorder)):
        whole["chain"] |= {f"#{link['number']}"}
    for p in _json(db, "products", "list"):
        whole["products"] |= {p["sku"], money(p["price"]), format_quantity(p["stock"])}
    for e in _json(db, "log"):
        whole["log"] |= {e["at"][:10]} | ({f"#{e['order']}"} if e["order"] is not None else set())
    plan = _json(db, "create", "2399", "--dry-run")
    whole["plan"] |= {line["sku"] for line in plan["lines"]}
    whole["plan"] |= {money(line["unit_price"]) for line in plan["lines"]}
    assert all(whole.values())
    return whole


def _in_terminal(db: Path, backorder: int, width: int) -> dict[str, str]:
    """Every command's screen output at `width` columns, by command."""
    lines = []
    for name, args in COMMANDS.items():
        argv = [script("backorder"), "--db", str(db), *args]
        command = " ".join(shlex.quote(a.format(backorder=backorder)) for a in argv)
        lines.append(f"echo @@{name}; {command}")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["BACKORDER_PAGER"] = ""
    child = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", "; ".join(lines) + "; echo @@end"],
        encoding="utf-8",
        timeout=60,
        dimensions=(50, width),
        env=env,
    )
    child.expect_exact("@@end")
    screen = ANSI.sub("", child.before or "").replace("\r\n", "\n")
    child.expect(pexpect.EOF)
    sections: dict[str, str] = {}
    for part in screen.split("@@")[1:]:
        name, _, body = part.partition("\n")
        sections[name.strip()] = body
    return sections


@pytest.mark.parametrize("width", [60, 80, 200])
def test_no_number_sku_quantity_money_or_date_is_cut_at_any_width(
    shop: tuple[Path, int], whole: dict[str, set[str]], width: int
) -> None:
    db, backorder = shop
    sections = _in_terminal(db, backorder, width)
    assert set(sections) == set(COMMANDS)
    for name, body in sections.items():
        assert "…" not in body, (name, body)
        assert "Traceback" not in body and "Error" not in body, (name, body)
        too_wide = [line for line in body.splitlines() if len(line.rstrip()) > width]
        assert not too_wide, (name, too_wide)
        for token in whole[name]:
            # On one line, not touching other letters or digits: never split or clipped.
            pattern = rf"(?<![\w.-]){re.escape(token)}(?![\w.-])"
            assert re.search(pattern, body), (name, token, width, body)


def test_piped_tables_keep_every_row_whole_without_a_pager(shop: tuple[Path, int]) -> None:
    """Piped output is not a terminal: no pager, the full width, all rows."""
    db, _ = shop
    piped = subprocess.run(
        [script("backorder"), "--db", str(db), "orders", "list", "--format", "table"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BACKORDER_PAGER": "sh -c 'echo PAGED; cat'"},
    )
    assert piped.returncode == 0
    assert "PAGED" not in piped.stdout
    assert LONG_CUSTOMER in piped.stdout
