"""Groups that build a sub-command only when it is used.

Typer turns every registered command into a Click command (parameters read from the
function's signature) before anything runs; for the whole tree that cost more than the
command itself (`bench/NOTES.md`). A lazy group instead knows its sub-commands by name
(a table: name -> the module in `cli/commands/` whose `register(app)` adds it); when one
is invoked it imports that module, lets it register on a scratch app, and builds only
that command. Completion builds what it shows; a group's help lists each command by a
summary (its name and help, without the parameters Typer would read from the function),
so it looks as before.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import (
    get_command_from_info,
    get_command_name,
    get_group_from_info,
    solve_typer_info_defaults,
)
from typer.models import CommandInfo, TyperInfo

from .app import BackorderGroup, make_app

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

COMMANDS_PACKAGE = __package__ + ".commands"


class LazyGroup(BackorderGroup):
    """A group whose sub-commands in `lazy_commands` are built on first use."""

    # name -> "module" (its `register`) or "module:function", modules in cli/commands/
    lazy_commands: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _Commands(self.commands, self.lazy_commands, self)

    def list_commands(self, ctx: Context) -> list[str]:
        """The names, without building the commands (completion builds the ones that
        match what was typed; help makes a summary of each)."""
        return list(self.commands)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        assert isinstance(self.commands, _Commands)
        with self.commands.summaries():
            super().format_help(ctx, formatter)


def lazy_app(commands: Mapping[str, str], **kwargs: Any) -> typer.Typer:
    """A Typer app (as `make_app` makes them) whose group builds `commands` on first use."""

    class Group(LazyGroup):
        lazy_commands = MappingProxyType(dict(commands))

    return make_app(cls=Group, **kwargs)


class _Commands(MutableMapping[str, "Command"]):
    """A group's sub-commands by name: the table's, built when first looked up, then the
    ones Typer built (sub-groups added with `add_typer`), in that order."""

    def __init__(self, built: Mapping[str, Command], lazy: Mapping[str, str], group: LazyGroup):
        self._lazy = dict(lazy)
        self._built = dict(built)
        self._names = [*lazy, *(name for name in built if name not in lazy)]
        self._group = group
        self._sources: dict[str, typer.Typer] = {}
        self._summarising = False

    @contextmanager
    def summaries(self) -> Iterator[None]:
        """While the group's help is written: a command not built yet is looked up as its
        summary (`_summary`), which is not kept."""
        self._summarising = True
        try:
            yield
        finally:
            self._summarising = False

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            spec = self._lazy[name]  # KeyError: no such command
            if self._summarising:
                return self._summary(spec, name)
            self._built[name] = self._build(spec, name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._built.pop(name, None)
        self._lazy.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def _source(self, spec: str) -> typer.Typer:
        """The scratch app that the table entry's register function adds its commands to."""
        source = self._sources.get(spec)
        if source is None:
            module_name, _, function = spec.partition(":")
            module = importlib.import_module(f"{COMMANDS_PACKAGE}.{module_name}")
            source = make_app()
            getattr(module, function or "register")(source)
            self._sources[spec] = source
        return source

    def _info(self, source: typer.Typer, spec: str, name: str) -> CommandInfo | TyperInfo:
        for info in source.registered_commands:
            assert info.callback is not None  # `app.command()` always gives one
            if (info.name or get_command_name(info.callback.__name__)) == name:
                return info
        for group in source.registered_groups:
            if group.name == name:
                return group
        raise LookupError(f"cli/commands/{spec} does not register a command {name!r}")

    def _build(self, spec: str, name: str) -> Command:
        source = self._source(spec)
        info = self._info(source, spec, name)
        markup = self._group.rich_markup_mode
        if isinstance(info, CommandInfo):
            return get_command_from_info(
                info,
                pretty_exceptions_short=source.pretty_exceptions_short,
                rich_markup_mode=markup,
            )
        return get_group_from_info(
            info,
            pretty_exceptions_short=source.pretty_exceptions_short,
            suggest_commands=source.suggest_commands,
            rich_markup_mode=markup,
        )

    def _summary(self, spec: str, name: str) -> Command:
        """What a group's help shows of a command: its name, help, short help, whether
        hidden or deprecated, its panel, as `_build` would give them (Typer's rules, for
        a command from `get_command_from_info`, for a group from `get_group_from_info`),
        without the parameters, which Typer reads from each function's signature and
        types: building every command took a sixth of `backorder --help` (50 of 300 ms on
        a loaded machine). tests/cli/test_lazy_commands.py holds both to the same help."""
        info = self._info(self._source(spec), spec, name)
        markup = self._group.rich_markup_mode
        if isinstance(info, CommandInfo):
            assert info.callback is not None
            given = info.help
            return (info.cls or TyperCommand)(
                name=name,
                help=inspect.getdoc(info.callback) if given is None else inspect.cleandoc(given),
                short_help=info.short_help,
                hidden=info.hidden,
                deprecated=info.deprecated,
                rich_markup_mode=markup,
                rich_help_panel=info.rich_help_panel,
            )
        solved = solve_typer_info_defaults(info)
        group_class = solved.cls or TyperGroup
        assert issubclass(group_class, TyperGroup)
        return group_class(
            name=name,
            commands={},
            help=solved.help,
            short_help=solved.short_help,
            hidden=solved.hidden,
            deprecated=solved.deprecated,
            rich_markup_mode=markup,
            rich_help_panel=solved.rich_help_panel,
        )
