"""The root of the CLI: the one error boundary (errors become messages and exit codes), the
per-invocation state with its database, the global options.

Only Typer is imported at module level: `--help` and `--version` must not pay for
SQLAlchemy. Services and the database are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shlex
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption
from typer.core import TyperGroup

from ..errors import BackorderError
from .arguments import negative_number_message, root_options_first
from .help_renderer import load_help_renderer
from .options import JSON_RESULT
from .readable import make_readable

if TYPE_CHECKING:
    # The context Typer's groups really make (typer.Context is a subclass for annotating
    # commands; the group's own invoke gets the base class).
    from typer._click import Context as GroupContext

    from ..storage.database import Database
from .output.text import say

# Named exit codes (documented in the README).
EXIT_OK = 0
EXIT_ERROR = 1  # refused, not found, aborted at the prompt, database problem
EXIT_USAGE = 2  # a bad option or argument value, an unknown command or option
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as if killed by SIGPIPE, the shell convention


# Whether this run's Ctrl-C was already said (by the boundary in `invoke`, or a bulk
# run's summary); `main` says it when Typer ended the run silently.
interrupt_said: list[bool] = []


def report(exc: BackorderError) -> None:
    say(f"Error: {exc.message}")
    for line in exc.details:
        say(f"  {line}")


class BackorderGroup(TyperGroup):
    """The one place where errors become messages and exit codes."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Usage errors as one line on stderr (exit 2), like every other error: scripts
        and people get `Error: <what> - see <command> --help`, not a framed panel."""
        # Click's main, with the caller's arguments passed on as they came.
        main: Callable[..., Any] = super().main
        if not standalone_mode:
            return main(*args, standalone_mode=False, **kwargs)
        given = kwargs["args"] if "args" in kwargs else args[0] if args else None
        argv = [str(a) for a in (sys.argv[1:] if given is None else given)]
        shown = _masked_argv(argv)  # a --db URL's secrets never reach a message
        undecodable = [i for i, a in enumerate(argv) if any("\ud800" <= ch <= "\udfff" for ch in a)]
        if undecodable:
            # Bytes that are not UTF-8 (kept by Python as lone surrogates) can be neither
            # stored nor shown: a usage error before anything runs.
            bad = shown[undecodable[0]]
            # A URL is never quoted: its secret could be where the bad bytes are.
            what = "a --db URL" if "://" in bad else f"argument '{_visible(bad)}'"
            say(
                f"Error: {what} is not valid UTF-8 text - give every argument (file names "
                "too) in UTF-8"
            )
            sys.exit(EXIT_USAGE)
        interrupt_handler = signal.getsignal(signal.SIGINT)
        interrupt_said.clear()
        try:
            code = main(*args, standalone_mode=False, **kwargs)
            if code == EXIT_INTERRUPTED and not interrupt_said:
                # Typer turns a Ctrl-C outside a command (while it parses the arguments or
                # builds the command: nothing was opened yet) into a silent exit 130.
                say("Interrupted: nothing was changed.")
        except _SavedButNotShown as exc:
            # After a commit, never "nothing was changed": say what was saved.
            prog = kwargs.get("prog_name") or os.path.basename(sys.argv[0]) or "backorder"
            done = shlex.join(_visible(a) for a in [prog, *shown])
            say(
                f"Error: the change was saved (`{done}`); only printing the result failed: "
                f"{exc.reason} - do not run it again; see the result with {exc.where}"
            )
            sys.exit(EXIT_ERROR)
        except typer.TyperException as exc:  # Click's usage and parameter errors
            context = getattr(exc, "ctx", None)
            if isinstance(exc, NoArgsIsHelpError) and isinstance(
                getattr(context, "command", None), TyperGroup
            ):
                # `backorder` or `backorder orders` alone: the help was asked for, and shown.
                sys.exit(EXIT_OK)
            message = " ".join(exc.format_message().split()).rstrip(".")
            if isinstance(exc, NoSuchOption) and context is not None:
                message = negative_number_message(context.command, exc.option_name) or message
            for raw, masked in zip(argv, shown, strict=True):
                if raw != masked:  # a --db URL the message may quote
                    message = message.replace(
                        raw.removeprefix("--db="), masked.removeprefix("--db=")
                    )
            # A message that says what to do (after " - ") needs no pointer to --help.
            hint = (
                f" - see `{context.command_path} --help`"
                if context is not None and " - " not in message
                else ""
            )
            if message:  # empty when the help was shown instead (no arguments at all)
                say(f"Error: {message}{hint}")
            sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
        except typer.Abort:
            say("Aborted: nothing was changed.")
            sys.exit(EXIT_ERROR)
        finally:
            # A finished bulk run ignores Ctrl-C (`bulk.run_batch`); whoever runs the app
            # in-process gets its own handler back.
            if signal.getsignal(signal.SIGINT) is not interrupt_handler:
                with contextlib.suppress(ValueError, TypeError):  # not the main thread
                    signal.signal(signal.SIGINT, interrupt_handler)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def parse_args(self, ctx: GroupContext, args: list[str]) -> list[str]:
        make_readable(self, ctx)
        if ctx.parent is None:  # the root: its options may come after the subcommand
            args = root_options_first(self, ctx, args)
        return super().parse_args(ctx, args)

    def format_help(self, ctx: GroupContext, formatter: Any) -> None:
        load_help_renderer()  # Typer's, without the Markdown parser it never uses here
        super().format_help(ctx, formatter)

    def resolve_command(
        self, ctx: GroupContext, args: list[str]
    ) -> tuple[str | None, Any, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            make_readable(command, ctx)  # before its own --help is read
        return name, command, rest

    def invoke(self, ctx: GroupContext) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a failing write shows here, not at exit
            return result
        except BackorderError as exc:
            if ctx.meta.get(JSON_RESULT):
                # A refused JSON command: the refusal as a result object too, so a
                # script reads its code (README "Result codes").
                from .output.json_format import print_json

                with contextlib.suppress(OSError):
                    print_json({"ok": False, "error": exc.message, "code": exc.code})
                    sys.stdout.flush()
            report(exc)
            raise typer.Exit(EXIT_ERROR) from None
        except (typer.TyperException, typer.Exit, typer.Abort, _SavedButNotShown):
            raise  # usage errors (exit 2), deliberate exits, an inner group's verdict
        except BrokenPipeError:
            # The reader went away (`orders list | head`): stop quietly, as `yes | head` does.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except OSError as exc:
            # Writing the output failed (a full disk, /dev/full): after a commit, say so
            # with what was saved; before it, nothing was changed.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            reason = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
            if state(ctx).committed:
                command = [*ctx.command_path.split()[1:], ctx.invoked_subcommand or ""]
                raise _SavedButNotShown(reason, _where_to_see(command)) from None
            say(f"Error: cannot write the output: {reason} - nothing was changed")
            raise typer.Exit(EXIT_ERROR) from None
        except KeyboardInterrupt:
            if state(ctx).committed:  # e.g. while printing, or between two orders of a batch
                say(
                    "Interrupted: what was done before was saved (see `backorder log`); "
                    "a change in progress was rolled back."
                )
            elif state(ctx).rolled_back:
                say("Interrupted: the change in progress was rolled back; nothing was changed.")
            else:
                say("Interrupted: nothing was changed.")
            interrupt_said.append(True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if os.environ.get("BACKORDER_DEBUG"):
                raise
            then = (
                "the change was saved before it (see `backorder log`), so do not run it "
                "again; report it"
                if state(ctx).committed
                else "nothing was changed; rerun with BACKORDER_DEBUG=1 to see where, and report it"
            )
            say(
                f"Error: internal error ({type(exc).__name__}: {str(exc)[:200]}) - this is a bug; "
                f"{then}"
            )
            raise typer.Exit(EXIT_ERROR) from None


class _SavedButNotShown(Exception):
    """Printing failed after something was committed; `where` is the command that
    shows what was saved."""

    def __init__(self, reason: str, where: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = where


def _where_to_see(command: list[str]) -> str:
    """The command that shows what a writing command (`credit`, `products add`) saved."""
    if command[0] in ("credit", "invoice"):
        return "`invoices list`"
    if command[0] == "products":
        return "`products list`"
    if command[0] == "settings":
        return "`settings show`"
    if command[0] == "customers":
        return "`customers show`"
    return "`orders show` or `products list`"


def _masked_argv(argv: list[str]) -> list[str]:
    """The arguments as a message may quote them: the value of every `--db URL` and
    `--db=URL` with its secrets masked (`mask_url`); a file path stays as given."""
    shown = list(argv)
    if not any("://" in arg for arg in argv):
        return shown  # nothing to mask, and `--help` stays free of storage imports
    from ..storage.urls import mask_url

    for i, arg in enumerate(argv):
        if arg.startswith("--db=") and "://" in arg:
            shown[i] = "--db=" + mask_url(arg.removeprefix("--db="))
        elif arg == "--db" and i + 1 < len(argv) and "://" in argv[i + 1]:
            shown[i + 1] = mask_url(argv[i + 1])
    return shown


def _visible(text: str) -> str:
    """An argument as it can be shown in a message: control characters escaped."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def say_upgraded(db: Database) -> None:
    """Once, when opening the database upgraded its schema: say so on stderr."""
    if db.upgraded_from is not None:
        from ..storage.schema import SCHEMA_VERSION

        say(
            f"Upgraded database {db.location.display} from schema version "
            f"{db.upgraded_from} to {SCHEMA_VERSION}."
        )


def start_up_over() -> None:
    """The console script keeps the garbage collector off while it starts (console.py):
    once a command is about to open its database, what start-up made is frozen (never
    scanned again) and collection is back on, so a long command collects as usual.
    Nothing happens when the collector is on (tests, the CLI run in-process)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class State:
    """Per-invocation state: which database, opened on first use."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._database: Database | None = None

    def database(self, *, upgrade: bool = True, read_older: bool = False) -> Database:
        if self._database is None:
            from ..storage.schema import open_database

            start_up_over()  # before opening: it may migrate, which is long work
            self._database = open_database(self.db, upgrade=upgrade, read_older=read_older)
            say_upgraded(self._database)
        return self._database

    @property
    def committed(self) -> bool:
        """Whether this invocation has committed a change (then never "nothing was
        changed")."""
        return self._database is not None and self._database.commits > 0

    @property
    def rolled_back(self) -> bool:
        """Whether a write of this invocation was under way and rolled back."""
        return self._database is not None and self._database.rollbacks > 0

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def state(ctx: GroupContext) -> State:
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
        metavar="FILE|URL",
        help="Database file or SQLAlchemy URL. Default: $BACKORDER_DB, else the per-user data "
        "folder's backorder/backorder.db.",
        show_default=False,
    ),
]
VersionOption = Annotated[
    bool,
    typer.Option(
        "--version",
        "-V",
        callback=version_callback,
        is_eager=True,
        help="Show the version and exit.",
    ),
]


def root_callback(ctx: typer.Context, db: DbOption = None, version: VersionOption = False) -> None:
    """Keep sales orders, ship, invoice, and split undeliverable orders into backorders."""
    ctx.obj = State(db)
    ctx.call_on_close(ctx.obj.close)


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
