"""Each command is built when it runs: the tables in `cli/__init__.py` name every command
that the modules in `cli/commands/` register, and a command imports only its own module."""

from __future__ import annotations

import contextlib
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backorder_cli import cli
from backorder_cli.cli.app import make_app

COMMANDS_DIR = Path(cli.__file__).resolve().parent / "commands"
MODULES = sorted(p.stem for p in COMMANDS_DIR.glob("*.py") if p.stem != "__init__")
TABLES = {"backorder": cli.COMMANDS, "backorder orders": cli.ORDERS_COMMANDS}


def registered(module_name: str, function: str) -> list[str]:
    """The names of the commands and groups `function` of the module adds to an app."""
    module = importlib.import_module(f"backorder_cli.cli.commands.{module_name}")
    app = make_app()
    getattr(module, function)(app)
    names = [
        info.name or info.callback.__name__.lower().replace("_", "-")
        for info in app.registered_commands
        if info.callback is not None
    ]
    return names + [str(group.name) for group in app.registered_groups]


def test_every_registration_function_is_in_a_table() -> None:
    """A module (or a register function) the tables do not name would never run."""
    specs = {spec for table in TABLES.values() for spec in table.values()}
    for module_name in MODULES:
        module = importlib.import_module(f"backorder_cli.cli.commands.{module_name}")
        assert callable(getattr(module, "register", None)), f"{module_name} has no register"
        named = {
            n
            for table in TABLES.values()
            for n, s in table.items()
            if s.split(":")[0] == module_name
        }
        found: set[str] = set()
        for function in (f for f in dir(module) if f.startswith("register")):
            found.update(registered(module_name, function))
        assert found == named, f"cli/commands/{module_name}.py registers {sorted(found)}"
    assert {spec.split(":")[0] for spec in specs} == set(MODULES)


@pytest.mark.parametrize("where", sorted(TABLES))
def test_each_table_entry_is_what_its_function_registers(where: str) -> None:
    table = TABLES[where]
    for spec in set(table.values()):
        module_name, _, function = spec.partition(":")
        expected = sorted(name for name, s in table.items() if s == spec)
        assert sorted(registered(module_name, function or "register")) == expected


def test_help_lists_the_commands_in_the_tables_order() -> None:
    from typer.testing import CliRunner

    out = CliRunner().invoke(cli.app, ["--help"], terminal_width=200).output
    listed = [
        line.split()[1]
        for line in out.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2
    ]
    commands = [name for name in listed if name in cli.COMMANDS or name == "orders"]
    assert commands == [*cli.COMMANDS, "orders"]


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """`orders show` loads cli/commands/orders.py and no other command module (nor a
    service it does not use, nor Alembic: no migration is due)."""
    db = tmp_path / "shop.db"
    code = (
        "import sys\n"
        "from backorder_cli.console import main\n"
        "sys.argv = ['backorder', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = [sys.executable, "-c", code, str(db)]
    subprocess.run([*run, "init", "--sample"], check=True, capture_output=True)
    result = subprocess.run([*run, "orders", "show", "2401"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stderr.split())
    commands = {m for m in loaded if m.startswith("backorder_cli.cli.commands.")}
    assert commands == {"backorder_cli.cli.commands.orders"}
    assert "backorder_cli.services.orders" in loaded
    assert not loaded & {
        "backorder_cli.services.transfer",
        "backorder_cli.services.backorders",
        "backorder_cli.cli.bulk",
        "alembic",
    }


def test_show_and_the_filtered_list_build_no_table_class(tmp_path: Path) -> None:
    """`orders show` (of an order no longer waiting, and of a waiting one with its promise
    dates), `products show` (who waits, with their promise dates) and the filtered list
    read the Core tables of storage/tables.py: the SQLModel table classes and the
    writers' shared steps are never imported. The console
    script ends them with the garbage collector back on (it is off while it starts)."""
    db = tmp_path / "shop.db"
    code = (
        "import gc, sys\n"
        "from backorder_cli.console import main\n"
        "sys.argv = ['backorder', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(gc.isenabled(), ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    run = [sys.executable, "-c", code, str(db)]
    subprocess.run([*run, "init", "--sample"], check=True, capture_output=True)
    for command in (
        ["orders", "show", "2393"],
        ["orders", "show", "2401"],
        ["products", "show", "SWITCH-1"],
        ["orders", "list", "--status", "partially-shipped", "--limit", "50"],
    ):
        result = subprocess.run([*run, *command], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        collecting, *loaded = result.stderr.split()
        assert collecting == "True"
        assert "backorder_cli.storage.tables" in loaded
        assert not set(loaded) & {"backorder_cli.storage.models", "backorder_cli.services.steps"}


SHOWN = ("name", "help", "short_help", "hidden", "deprecated", "rich_help_panel")


@pytest.mark.parametrize("where", sorted(TABLES))
def test_help_summarises_each_command_as_building_it_would(where: str) -> None:
    """Help lists each command by a summary made without its parameters: the same
    name, help, short help, flags and panel as the command Typer builds."""
    from backorder_cli.cli.lazy import _Commands

    group = typer_group(where)
    commands = group.commands
    assert isinstance(commands, _Commands)
    for name, spec in TABLES[where].items():
        summary = commands._summary(spec, name)
        built = commands._build(spec, name)
        assert type(summary) is type(built), name
        assert {a: getattr(summary, a) for a in SHOWN} == {a: getattr(built, a) for a in SHOWN}
        assert summary.help, f"{name} has no help"


def typer_group(where: str) -> Any:
    import typer.main

    root = typer.main.get_command(cli.app)
    return root if where == "backorder" else root.commands["orders"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("args", [["--help"], ["orders", "--help"], []])
@pytest.mark.parametrize("width", ["60", "200"])
def test_help_is_the_same_as_with_every_command_built(
    args: list[str], width: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from backorder_cli.cli.lazy import _Commands

    monkeypatch.setenv("COLUMNS", width)
    summarised = CliRunner().invoke(cli.app, args).output
    monkeypatch.setattr(_Commands, "summaries", contextlib.nullcontext)
    built = CliRunner().invoke(cli.app, args).output
    assert summarised == built
    assert max(len(line) for line in built.splitlines()) == int(width)
    table = cli.ORDERS_COMMANDS if args[:1] == ["orders"] else cli.COMMANDS
    listed = [line.split()[1] for line in built.splitlines() if line.startswith("│ ")]
    assert set(table) <= set(listed)


def test_help_does_not_load_the_markdown_parser_and_markdown_still_works() -> None:
    """`backorder --help` loads Typer's help renderer without `rich.markdown` (and
    markdown-it), which its "rich" markup mode never uses; should the renderer make a
    Markdown, it gets the real one, and so does any later import."""
    code = (
        "import contextlib, io, sys\n"
        "from backorder_cli.console import main\n"
        "sys.argv = ['backorder', '--help']\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
        "loaded = sorted(m for m in sys.modules if 'markdown' in m or m == 'typer.rich_utils')\n"
        "import rich.markdown, typer.rich_utils\n"
        "made = typer.rich_utils.Markdown('*x*')\n"
        "print(' '.join(loaded), type(made) is rich.markdown.Markdown,\n"
        "      typer.rich_utils.Markdown is not rich.markdown.Markdown)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["typer.rich_utils", "True", "True"]
