"""Every refusal code the tool can put in a JSON result is listed in the README's
"Result codes" table, and the table lists no code the tool never gives: scripts rely
on the list."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def codes_in_the_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "backorder_cli").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bcode="([a-z_]+)"', text))  # at a refusal
        found |= set(re.findall(r'^\s+code = "([a-z_]+)"', text, re.M))  # a class default
    return found


def codes_in_the_readme() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Result codes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split(" | ")[0])}


def test_every_refusal_code_is_in_the_readme() -> None:
    source = codes_in_the_source()
    assert {"already_backordered", "not_found", "busy", "changed"} <= source
    assert source == codes_in_the_readme()
