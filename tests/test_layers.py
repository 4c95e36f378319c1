"""The layers import one way: cli -> services -> domain, storage, transfer -> errors.

The domain imports nothing of ours but errors; transfer (the file format) is pure too;
nothing imports the cli; only the cli knows Typer and Rich. And the file tree stays
readable: a module that passes 400 lines says why in its docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "backorder_cli"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)

# What each room may import of ours (besides itself).
ALLOWED = {
    "errors": set(),
    "domain": {"errors"},
    "transfer": {"domain", "errors"},
    "storage": {"domain", "errors"},
    "services": {"domain", "storage", "transfer", "errors"},
    # The letters' words and formats: pure rendering of the services' plain results.
    "letters": {"services", "domain", "errors"},
    "cli": {"letters", "services", "domain", "storage", "transfer", "errors"},
    "__main__": {"console"},
    "console": {"cli"},  # the scripts' entry point: a Ctrl-C handler, then the CLI
    "__init__": set(),
}
OUTSIDE_CLI = {"typer", "rich", "click"}
DATABASE = {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "sqlite3"}


def room(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def ours_and_theirs(path: Path) -> tuple[set[str], set[str]]:
    """(rooms of ours this module imports, top-level packages of others it imports)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    ours: set[str] = set()
    theirs: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
                names = [target] if node.module else [f"{base}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "backorder_cli":
                if len(parts) > 1:
                    ours.add(parts[1])
            else:
                theirs.add(parts[0])
    return ours, theirs


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_room_imports_only_the_rooms_below_it(path: Path) -> None:
    ours, _ = ours_and_theirs(path)
    here = room(path)
    assert ours - {here} <= ALLOWED[here], f"{here} may not import {ours - {here} - ALLOWED[here]}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_knows_typer_and_rich(path: Path) -> None:
    if room(path) in {"cli", "__main__"}:
        return
    _, theirs = ours_and_theirs(path)
    assert not theirs & OUTSIDE_CLI, f"{path.name} imports {theirs & OUTSIDE_CLI}"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if room(p) in {"domain", "transfer", "errors"}],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_domain_and_the_file_format_touch_no_database(path: Path) -> None:
    _, theirs = ours_and_theirs(path)
    assert not theirs & DATABASE, f"{path.name} imports {theirs & DATABASE}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_long_module_says_why_in_its_docstring(path: Path) -> None:
    text = path.read_text()
    if text.count("\n") <= 400:
        return
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Why one module" in doc, f"{path.name} has {text.count(chr(10))} lines"
