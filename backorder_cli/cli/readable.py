"""Help in the tool's own words: a plain flag shows no type, an option shows its metavar
(`NUMBER`, `DATE`, `SKU=QTY[@PRICE]`) or a word for its kind (`TEXT`, `FILE`), an argument
shows its name in capitals, and the usage line reads `NUMBER [ITEMS]...` - never Typer's
raw labels (`<bool>`, `<list[str]>`, `<int range>`, `{number}`).

Typer builds its parameter objects itself, so the root group hands each command's
parameters to `make_readable` when it resolves the command (before its `--help` is read):
the objects keep their class's behaviour and take these display methods.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from typer.core import TyperArgument, TyperOption

if TYPE_CHECKING:
    from typer._click import Context


# A word for each kind of value, where a declaration gives no metavar of its own.
_KIND_WORDS: dict[type, str] = {
    str: "TEXT",
    int: "INTEGER",
    Decimal: "NUMBER",
    Path: "FILE",
    date: "DATE",
    datetime: "DATE",
}


def _kind_word(annotation: Any) -> str:
    kinds = [a for a in (get_args(annotation) or (annotation,)) if a is not type(None)]
    kind = kinds[0] if kinds else str
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "[" + "|".join(str(member.value) for member in kind) + "]"
    return _KIND_WORDS.get(kind, "VALUE") if isinstance(kind, type) else "VALUE"


class ReadableOption(TyperOption):
    def display_type_rich(self, ctx: Context) -> str | None:
        if self.is_flag or self.count:
            return None  # a plain flag takes no value: nothing to show
        if self.metavar is not None:
            return self.metavar
        return _kind_word(self.type_descriptor.annotation)

    def _get_number_range_help_str(self) -> str | None:
        return None  # limits are said in the help text and the refusal, in our words


class ReadableArgument(TyperArgument):
    def display_type_rich(self, ctx: Context) -> str | None:
        return None  # the name (a metavar in capitals) says what to give

    def get_error_hint(self) -> str:
        # Errors name the argument (`'ITEMS'`), the help shows its form (`SKU=QTY[@PRICE]`).
        return f"'{(self.name or self.display_name_raw).upper()}'"

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return f"{name}..." if self.nargs != 1 else name

    def _get_number_range_help_str(self) -> str | None:
        return None


def make_readable(command: Any, ctx: Context) -> None:
    """Give `command`'s parameters (its help option too) the display above, and its help
    text paragraphs of one line each; idempotent."""
    help_text = getattr(command, "help", None)
    if isinstance(help_text, str):
        command.help = one_line_paragraphs(help_text)
    params = list(getattr(command, "params", []))
    get_help_option = getattr(command, "get_help_option", None)
    if get_help_option is not None:
        params.append(get_help_option(ctx))
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = ReadableOption
        elif type(param) is TyperArgument:
            param.__class__ = ReadableArgument
            if param.metavar is None and param.name:
                param.metavar = param.name.upper()


def one_line_paragraphs(text: str) -> str:
    """A docstring's paragraphs each as one line: Rich wraps them to the terminal's width
    (Typer keeps a docstring's line breaks after the first paragraph, so a wide terminal
    would show them broken mid-sentence and a narrow one twice broken)."""
    paragraphs = inspect.cleandoc(text).partition("\f")[0].split("\n\n")
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)
