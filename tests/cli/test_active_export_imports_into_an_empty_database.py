"""The default `orders export` (active orders) brings the archived orders its backorders
come from, up each chain, so the file imports into an empty database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

Run = Callable[..., Result]


def test_active_export_round_trips_into_an_empty_database(
    cli: Run, tmp_path: Path, sample_target: str
) -> None:
    assert cli("create", "2401", "--yes").exit_code == 0  # 2401 archived, 2402 active
    active = cli("orders", "list", "-f", "ids").stdout.split()
    exported = cli("orders", "export")
    assert exported.exit_code == 0
    assert "the archived orders their backorders come from" in exported.stderr
    numbers = [o["number"] for o in json.loads(exported.stdout)["orders"]]
    # every active order, and the archived origins 2390 (of 2391) and 2401 (of 2402)
    assert sorted(numbers) == sorted([*map(int, active), 2390, 2401])
    file = tmp_path / "active.json"
    file.write_text(exported.stdout)

    empty = tmp_path / "empty.db"
    assert cli("init", db=empty).exit_code == 0
    imported = cli("import", str(file), db=empty)
    assert imported.exit_code == 0, imported.output
    assert cli("check", db=empty).exit_code == 0
    for number in (2402, 2391):
        there = json.loads(cli("orders", "show", str(number), "-f", "json", db=empty).stdout)
        here = json.loads(cli("orders", "show", str(number), "-f", "json").stdout)
        assert (there["chain"], there["lines"], there["total"]) == (
            here["chain"],
            here["lines"],
            here["total"],
        )
    assert cli("orders", "list", "-f", "ids", db=empty).stdout.split() == active


def test_a_chain_of_backorders_brings_every_origin(cli: Run, sample_target: str) -> None:
    assert cli("create", "2401", "--yes").exit_code == 0
    assert cli("products", "receive", "SWITCH-1", "12").exit_code == 0
    assert cli("ship", "2402", "SWITCH-1=12").exit_code == 0
    assert cli("invoice", "2402").exit_code == 0
    assert cli("create", "2402", "--yes").exit_code == 0  # 2401 -> 2402 -> 2403
    numbers = {o["number"] for o in json.loads(cli("orders", "export").stdout)["orders"]}
    assert {2401, 2402, 2403} <= numbers
    assert not {2390, 2401, 2402} & {
        int(n) for n in cli("orders", "list", "-f", "ids").stdout.split()
    }  # the origins are archived: brought only as what the backorders refer to
