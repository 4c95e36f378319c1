"""`backorder settings [show]` and `backorder settings set KEY VALUE`."""

from __future__ import annotations

from typing import Annotated

import typer

from .base import Format, FormatOption, database, make_app

app = make_app(help="Show or change settings.", no_args_is_help=False, invoke_without_command=True)


@app.callback()
def default(ctx: typer.Context) -> None:
    """Show or change settings (no subcommand: show them).

    Example: backorder settings
    """
    if ctx.invoked_subcommand is None:
        show(ctx)


@app.command()
def show(ctx: typer.Context, format_: FormatOption = Format.table) -> None:
    """Show every setting and its value.

    Example: backorder settings show --format json
    """
    from .. import services
    from . import render

    values = services.get_settings(database(ctx))
    if format_ == Format.json:
        render.print_json(values)
    else:
        render.settings_table(values)


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="inventory-value-on-invoicing", show_default=False)],
    value: Annotated[str, typer.Argument(help="on or off", show_default=False)],
) -> None:
    """Change a setting.

    Example: backorder settings set inventory-value-on-invoicing off
    """
    from .. import services

    key, value = services.set_setting(database(ctx), key, value)
    typer.echo(f"{key} = {value}")
