"""Typer's help renderer (`typer.rich_utils`), loaded without the Markdown parser.

`typer.rich_utils` imports `rich.markdown` (and with it markdown-it and Rich's syntax
highlighting) at the top, for help written in the "markdown" markup mode; the tool uses
the "rich" mode, so its help never parses Markdown. That import took a sixth of
`backorder --help` (40-55 of 300 ms on a loaded machine). Here the renderer is loaded
while `rich.markdown` stands for a module whose `Markdown` makes the real one, should it
ever be asked for; the stand-in is removed again at once, so any other import of
`rich.markdown` gets the real module.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


class _Markdown:
    """`rich.markdown.Markdown`, imported when the first one is made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


def load_help_renderer() -> None:
    """Import `typer.rich_utils` without `rich.markdown` (a no-op once either is loaded)."""
    if "typer.rich_utils" in sys.modules or "rich.markdown" in sys.modules:
        return
    stand_in = ModuleType("rich.markdown")
    setattr(stand_in, "Markdown", _Markdown)  # noqa: B010  # a module has no declared attributes
    sys.modules["rich.markdown"] = stand_in
    try:
        import typer.rich_utils  # noqa: F401  # loaded here, with the stand-in
    finally:
        if sys.modules.get("rich.markdown") is stand_in:
            del sys.modules["rich.markdown"]
