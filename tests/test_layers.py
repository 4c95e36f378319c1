"""The layers import one way: cli -> services -> domain, db, models -> errors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backorder_cli"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


CORE = ["services.py", "domain.py", "db.py", "models.py", "errors.py", "fileformat.py"]


@pytest.mark.parametrize("module", CORE)
def test_the_core_knows_nothing_of_typer_rich_or_the_cli(module: str) -> None:
    names = imported_modules(PACKAGE / module)
    for name in names:
        top = name.lstrip(".").split(".")[0]
        assert top not in {"typer", "rich", "click"}, f"{module} imports {name}"
        assert not name.startswith((".cli", "backorder_cli.cli")), f"{module} imports {name}"


@pytest.mark.parametrize("module", ["domain.py", "errors.py", "fileformat.py"])
def test_the_domain_touches_no_database(module: str) -> None:
    names = imported_modules(PACKAGE / module)
    assert not any(n.split(".")[0] in {"sqlalchemy", "sqlmodel"} for n in names)
    assert not any(n.lstrip(".").split(".")[0] in {"db", "models", "services"} for n in names)
