"""What every command shares: the error boundary, the --db state, common options.

Only Typer is imported at module level: `--help` and `--version` must not pay for
SQLAlchemy. Services and the database are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from ..errors import BackorderError

if TYPE_CHECKING:
    from ..db import Database

# Named exit codes (documented in the README).
EXIT_OK = 0
EXIT_ERROR = 1  # refused, not found, aborted at the prompt, database problem
EXIT_USAGE = 2  # Click's own usage errors
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as if killed by SIGPIPE, the shell convention

MAX_ORDER_NUMBER = 2**63 - 1


def say(message: str) -> None:
    """A message for the person: stderr, so stdout stays clean data."""
    typer.echo(message, err=True)


def confirm(question: str) -> bool:
    """Ask on stderr, read one line from stdin; only y or yes (any case) is yes.

    Click's confirm writes the prompt's last space to stdout; a pipe of data on stdout
    must stay clean, so this reads the line itself. End of input counts as no.
    """
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        sys.stderr.write("\n")  # end of input: finish the prompt's line
    return answer.strip().lower() in {"y", "yes"}


def report(exc: BackorderError) -> None:
    say(f"Error: {exc.message}")
    for line in exc.details:
        say(f"  {line}")


class BackorderGroup(TyperGroup):
    """The one place where errors become messages and exit codes."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Usage errors as one line on stderr (exit 2), like every other error: scripts
        and people get `Error: <what> - see <command> --help`, not a framed panel."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # Click's usage and parameter errors
            context = getattr(exc, "ctx", None)
            hint = f" - see `{context.command_path} --help`" if context is not None else ""
            message = " ".join(exc.format_message().split()).rstrip(".")
            if message:  # empty when the help was shown instead (no arguments at all)
                say(f"Error: {message}{hint}")
            sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
        except typer.Abort:
            say("Aborted: nothing was changed.")
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BackorderError as exc:
            report(exc)
            raise typer.Exit(EXIT_ERROR) from None
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors (exit 2), deliberate exits
        except BrokenPipeError:
            # The reader went away (`orders list | head`): stop quietly, as `yes | head` does.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except KeyboardInterrupt:
            say("Interrupted: the change in progress was rolled back.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if os.environ.get("BACKORDER_DEBUG"):
                raise
            say(
                f"Error: internal error ({type(exc).__name__}: {str(exc)[:200]}) - this is a bug; "
                "nothing was changed; rerun with BACKORDER_DEBUG=1 to see where, and report it"
            )
            raise typer.Exit(EXIT_ERROR) from None


class State:
    """Per-invocation state: which database, opened on first use."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._database: Database | None = None

    def database(self, *, upgrade: bool = True, read_older: bool = False) -> Database:
        if self._database is None:
            from ..db import open_database

            self._database = open_database(self.db, upgrade=upgrade, read_older=read_older)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # a command invoked without the root callback
        obj = ctx.find_root().obj = State(None)
    return obj


def database(ctx: typer.Context, *, upgrade: bool = True, read_older: bool = False) -> Database:
    """The database of this invocation; an older schema is upgraded unless `upgrade` is off
    (and then refused, unless `read_older`)."""
    return state(ctx).database(upgrade=upgrade, read_older=read_older)


def version_callback(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("backorder-cli")
        except PackageNotFoundError:  # running from a checkout without installing
            number = "unknown"
        typer.echo(f"backorder {number}")
        raise typer.Exit()


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file or SQLAlchemy URL. Default: $BACKORDER_DB, else the per-user data "
        "folder's backorder/backorder.db.",
        show_default=False,
    ),
]
VersionOption = Annotated[
    bool,
    typer.Option(
        "--version",
        callback=version_callback,
        is_eager=True,
        help="Show the version and exit.",
    ),
]


def root_callback(ctx: typer.Context, db: DbOption = None, version: VersionOption = False) -> None:
    """Keep sales orders, ship, invoice, and split undeliverable orders into backorders."""
    ctx.obj = State(db)
    ctx.call_on_close(ctx.obj.close)


class Format(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"
    ids = "ids"


def read_format(fmt: Format | None) -> Format:
    """A Rich table for a person at a terminal; plain, stable columns when piped."""
    if fmt is not None:
        return fmt
    return Format.table if is_terminal() else Format.plain


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default at a terminal), plain (default when piped: tab-separated), json, "
        "csv, or ids (numbers only, lists only).",
        show_default=False,
    ),
]


class WriteFormat(StrEnum):
    text = "text"
    json = "json"


WriteFormatOption = Annotated[
    WriteFormat,
    typer.Option("--format", "-f", help="text for people, or json: one result object."),
]


def no_ids(fmt: Format) -> None:
    if fmt == Format.ids:
        raise typer.BadParameter("ids is for lists only", param_hint="'--format'")


NumberArgument = Annotated[
    int,
    typer.Argument(
        min=1, max=MAX_ORDER_NUMBER, help="The order number, e.g. 2401.", show_default=False
    ),
]


def make_app(**kwargs: Any) -> typer.Typer:
    """A Typer app with the project's settings: our error boundary, no pretty tracebacks
    (they would show local variables), -h as --help."""
    options: dict[str, Any] = {
        "cls": BackorderGroup,
        "pretty_exceptions_enable": False,
        "no_args_is_help": True,
        "context_settings": {"help_option_names": ["-h", "--help"]},
    }
    return typer.Typer(**(options | kwargs))


def is_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())
