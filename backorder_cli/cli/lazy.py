"""Groups that build a sub-command only when it is used.

Typer turns every registered command into a Click command (parameters read from the
function's signature) before anything runs; for the whole tree that cost more than the
command itself (`bench/NOTES.md`). A lazy group instead knows its sub-commands by name
(a table: name -> the module in `cli/commands/` whose `register(app)` adds it); when one
is invoked it imports that module, lets it register on a scratch app, and builds only
that command. Help and completion build what they show, so they look as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer.main import get_command_from_info, get_command_name, get_group_from_info

from .app import BackorderGroup, make_app

if TYPE_CHECKING:
    from typer._click import Command, Context

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
        match what was typed; help builds them all to show their summaries)."""
        return list(self.commands)


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

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            spec = self._lazy[name]  # KeyError: no such command
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

    def _build(self, spec: str, name: str) -> Command:
        source = self._sources.get(spec)
        if source is None:
            module_name, _, function = spec.partition(":")
            module = importlib.import_module(f"{COMMANDS_PACKAGE}.{module_name}")
            source = make_app()
            getattr(module, function or "register")(source)
            self._sources[spec] = source
        markup = self._group.rich_markup_mode
        for info in source.registered_commands:
            assert info.callback is not None  # `app.command()` always gives one
            if (info.name or get_command_name(info.callback.__name__)) == name:
                return get_command_from_info(
                    info,
                    pretty_exceptions_short=source.pretty_exceptions_short,
                    rich_markup_mode=markup,
                )
        for group in source.registered_groups:
            if group.name == name:
                return get_group_from_info(
                    group,
                    pretty_exceptions_short=source.pretty_exceptions_short,
                    suggest_commands=source.suggest_commands,
                    rich_markup_mode=markup,
                )
        raise LookupError(f"cli/commands/{spec} does not register a command {name!r}")
