"""How the root reads a command line: root options given after the subcommand move to
where Click reads them, and a negative number Click took for an option is named as the
bad value it is."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from typer._click.exceptions import UsageError
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click import Context as GroupContext


def root_options_first(root: TyperGroup, ctx: GroupContext, args: list[str]) -> list[str]:
    """The arguments with every root option given after the subcommand (`backorder
    orders list --db y.db`) moved to just before it, where Click reads root options.

    Walks the arguments as Click will parse them: the value of a subcommand's own option
    stays with it (`--comment --db` is a comment), a subcommand's option of the same
    name stays, and nothing after `--` moves."""
    takes_value = _value_options(root)
    command: Any = root
    first_subcommand: int | None = None
    kept: list[str] = []
    moved: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            kept.extend(args[i:])
            break
        if token.startswith("-") and len(token) > 1:
            name, eq, _ = token.partition("=")
            own = _value_options(command)
            if command is not root and name not in own and name in takes_value:
                moved.append(token)
                if takes_value[name] and not eq:
                    if i + 1 == len(args):
                        if ctx.resilient_parsing:  # completing its value: leave it be
                            return args
                        raise UsageError(f"Option '{name}' requires an argument", ctx)
                    moved.append(args[i + 1])
                    i += 1
            else:
                kept.append(token)
                if own.get(name) and not eq and i + 1 < len(args):
                    kept.append(args[i + 1])  # the option's value, whatever it looks like
                    i += 1
        else:
            kept.append(token)
            if isinstance(command, TyperGroup):
                sub = command.get_command(ctx, token)
                if sub is None:  # not a command: Click will say so; move nothing more
                    kept.extend(args[i + 1 :])
                    break
                if first_subcommand is None:
                    first_subcommand = len(kept) - 1
                command = sub
        i += 1
    if first_subcommand is None or not moved:
        return args
    return kept[:first_subcommand] + moved + kept[first_subcommand:]


def _value_options(command: Any) -> dict[str, bool]:
    """A command's option names, each with whether it takes a value."""
    return {
        opt: not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for param in getattr(command, "params", [])
        if param.param_type_name == "option"
        for opt in [*param.opts, *param.secondary_opts]
    }


_NEGATIVE_NUMBER = re.compile(r"-[0-9][0-9.,]*")


def negative_number_message(command: Any, option_name: str) -> str | None:
    """`orders show -1`: Click takes `-1` for an option; say what is wrong with it as a
    value (an order number is refused with the same message as every other bad one)."""
    if not _NEGATIVE_NUMBER.fullmatch(option_name):
        return None
    from ..domain.values import parse_order_number
    from ..errors import InvalidInput

    for param in getattr(command, "params", []):
        if param.param_type_name == "argument" and param.name in ("number", "numbers"):
            try:
                parse_order_number(option_name)
            except InvalidInput as refusal:
                return f"Invalid value for '{param.name.upper()}': {refusal.message}"
    return f"No such option: {option_name} (and no value here may be negative)"
