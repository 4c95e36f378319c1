"""The top-level verbs: init, import, ship, invoice, create (the backorder)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..domain.values import Item, parse_item, parse_order_number
from .app import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    NumberArgument,
    WriteFormat,
    WriteFormatOption,
    check_items,
    cli_value,
    confirm,
    database,
    safe_text,
    say,
    state,
    tell,
    usage_error,
)



def init(
    ctx: typer.Context,
    sample: Annotated[
        bool, typer.Option("--sample", help="Also load the sample company from sample_data/.")
    ] = False,
) -> None:
    """Create the database and its schema (safe to run twice).

    Example: backorder --db shop.db init --sample
    """
    from ..services import transfer as transfer_service
    from ..storage.schema import init_database

    db, created = init_database(state(ctx).db)
    try:
        where = db.location.display
        say(f"Created database {where}." if created else f"Database {where} is ready.")
        if sample:
            result = transfer_service.load_sample(db)
            say(f"Loaded the sample company: {result.products} products, {result.orders} orders.")
    finally:
        db.dispose()


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A JSON file, or a .csv file with one row per order line; - reads stdin.",
            show_default=False,
        ),
    ],
) -> None:
    """Load products and orders from a JSON or CSV file: all of it, or nothing.

    Example: backorder import orders.json   or   backorder orders export | backorder import -
    """
    from ..services import transfer as transfer_service

    if str(file) == "-":
        source = "stdin"
        result = transfer_service.import_stream(
            database(ctx), sys.stdin.buffer.read(), source=source
        )
    else:
        source = file.name
        result = transfer_service.import_file(database(ctx), file)
    say(
        f"Imported {result.products} products and {result.orders} orders "
        f"({result.invoices} invoices) from {source}."
    )


def ship(
    ctx: typer.Context,
    number: NumberArgument,
    items: Annotated[
        list[Item] | None,
        typer.Argument(
            parser=cli_value(partial(parse_item, with_price=False)),
            callback=check_items,
            metavar="ITEMS",
            help="What to ship, as SKU=QTY.",
            show_default=False,
        ),
    ] = None,
    available: Annotated[
        bool,
        typer.Option(
            "--available", help="Ship every remaining quantity that stock on hand covers."
        ),
    ] = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Record a shipment; stock on hand goes down.

    Example: backorder ship 2401 CABLE-25=100   or   backorder ship 2401 --available
    """
    from ..domain.orders import Status
    from ..domain.values import quantities_text
    from ..services import fulfilment
    from . import render

    if available and items:
        raise typer.BadParameter("give SKU=QTY or --available, not both", param_hint="'ITEMS'")
    if not available and not items:
        raise typer.BadParameter(
            "say what to ship: SKU=QTY ..., or --available", param_hint="'ITEMS'"
        )
    requested = None if available else list(items or [])
    result = fulfilment.ship(database(ctx), number, requested)
    if format_ == WriteFormat.json:
        render.print_json(
            {
                "number": result.number,
                "status": result.status,
                "shipped": [{"sku": sku, "quantity": q} for sku, q in result.shipped],
            }
        )
        return
    what = quantities_text(result.shipped)
    tell(f"Shipped {what} on order #{number} (now {Status(result.status).label}).")


# ---------------------------------------------------------------- picking orders

NumbersArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Order numbers, or - to read them from stdin (separated by spaces or newlines).",
        show_default=False,
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every order the command applies to.")]
CustomerOption = Annotated[
    str | None,
    typer.Option("--customer", help="With --all: only customers whose name contains this."),
]


def _parse_number(token: str) -> int:
    """The one order-number rule, for numbers given as arguments or read from stdin."""
    return usage_error(parse_order_number, token, hint="'NUMBERS'")


def pick_numbers(
    numbers: list[str] | None,
    *,
    all_: bool,
    customer: str | None,
    everything: Callable[[], list[int]],
    stdin_needs_yes: bool,
) -> tuple[list[int], bool]:
    """The orders a bulk command works on, and whether it is a bulk run (several
    numbers, `-` or `--all`: results are then a list and a summary)."""
    numbers = numbers or []
    if all_ and numbers:
        raise typer.BadParameter("give order numbers or --all, not both", param_hint="'--all'")
    if customer is not None and not all_:
        raise typer.BadParameter("--customer goes with --all", param_hint="'--customer'")
    if all_:
        return everything(), True
    if not numbers:
        raise typer.BadParameter(
            "give order numbers, - to read them from stdin, or --all", param_hint="'NUMBERS'"
        )
    if "-" in numbers:
        if numbers != ["-"]:
            raise typer.BadParameter("- reads every number from stdin; give nothing else")
        if stdin_needs_yes:
            raise typer.BadParameter(
                "numbers from stdin need --yes: stdin is taken, so nobody can answer the question",
                param_hint="'--yes'",
            )
        tokens = sys.stdin.read().split()
        bulk = True
    else:
        tokens, bulk = numbers, len(numbers) > 1
    picked = list(dict.fromkeys(_parse_number(t) for t in tokens))  # unique, in order
    return picked, bulk


def with_progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A progress bar on stderr, only for a person watching a batch."""
    if total < 2 or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    # Results printed meanwhile are moved above the bar only when they go to the same
    # terminal; when stdout is redirected they must reach the file, not the terminal.
    with Progress(
        # No markup from the console: lines moved above the bar are data (the columns
        # style the label themselves).
        console=Console(file=sys.stderr, markup=False, emoji=False),
        transient=True,
        redirect_stdout=sys.stdout.isatty(),
    ) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.advance(task)


def outcome_summary(done: int, refused: int, noun: str, *, verb: str = "created") -> str:
    """The last line of a batch: `3 backorders created, 1 refused`."""
    plural = noun if done == 1 else f"{noun}s"
    return f"{done} {plural} {verb}, {refused} refused"


# ---------------------------------------------------------------- invoice


def invoice(
    ctx: typer.Context,
    numbers: NumbersArgument = None,
    all_: AllOption = False,
    customer: CustomerOption = None,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Invoice every shipped, not yet invoiced quantity of orders.

    Each order is invoiced on its own: a refused one is reported and the others go on;
    the exit code is 1 if any was refused. --all takes every order with shipped,
    uninvoiced quantities that is not canceled or archived.

    Example: backorder invoice 2398   or   backorder invoice --all
    """
    from ..domain.values import format_money
    from ..services import fulfilment
    from ..services import orders as orders_service
    from . import render

    targets, bulk = pick_numbers(
        numbers,
        all_=all_,
        customer=customer,
        everything=lambda: orders_service.uninvoiced_numbers(database(ctx), customer=customer),
        stdin_needs_yes=False,
    )
    db = database(ctx)
    if not targets:
        say("No orders to invoice.")
        if format_ == WriteFormat.json:
            render.print_json([])
        return
    outcomes = with_progress(fulfilment.invoice_orders(db, targets), len(targets), "Invoicing")
    refused = report_outcomes(
        outcomes,
        format_=format_,
        bulk=bulk,
        success=lambda o: (
            f"Invoice #{o.invoice} for order #{o.order}: total {format_money(o.total)}"
        ),
        summary=lambda done, refused: outcome_summary(done, refused, "invoice"),
    )
    if bulk:
        say(outcome_summary(len(targets) - refused, refused, "invoice"))
    if refused:
        raise typer.Exit(EXIT_ERROR)


def report_outcomes(
    outcomes: Iterable[Any],
    *,
    format_: WriteFormat,
    bulk: bool,
    success: Callable[[Any], str],
    summary: Callable[[int, int], str] | None = None,
) -> int:
    """Print each order's outcome as it comes; return how many were refused.

    On Ctrl-C the JSON list is closed and `summary(done, refused)` says on stderr what
    was done before the interrupt (exit 130).
    """
    from . import render

    done = refused = 0

    def each() -> Iterator[Any]:
        nonlocal done, refused
        for outcome in outcomes:
            if not outcome.ok:
                refused += 1
                say(f"Error: {outcome.error}")
            else:
                done += 1
                if format_ == WriteFormat.text:
                    # Through sys.stdout, which a live progress bar redirects above itself.
                    lines = success(outcome).split("\n")
                    sys.stdout.write("".join(safe_text(ln, message=True) + "\n" for ln in lines))
            yield outcome

    try:
        if format_ == WriteFormat.json:
            if bulk:
                render.print_json_stream(each())
            else:
                (only,) = each()  # one number given: one object, not a list
                render.print_json(only)
        else:
            for _ in each():
                pass
    except KeyboardInterrupt:
        if summary is None:
            raise
        say(f"Interrupted: {summary(done, refused)}; any order in progress was rolled back.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    return refused


# ---------------------------------------------------------------- create


def _complete_partially_shipped(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion for `backorder create <TAB>`: the partially shipped orders."""
    try:
        from ..services import orders as orders_service
        from ..storage.schema import open_database

        # Never upgrade: pressing TAB must not migrate (or otherwise write) a database.
        db = open_database(ctx.find_root().params.get("db"), upgrade=False)
        try:
            numbers = orders_service.partially_shipped_numbers(db)
        finally:
            db.dispose()
        return [str(n) for n in numbers if str(n).startswith(incomplete)]
    except Exception:  # completion must never break the shell
        return []


def create(
    ctx: typer.Context,
    numbers: Annotated[
        list[str] | None,
        typer.Argument(
            help="Order numbers, or - to read them from stdin (needs --yes).",
            show_default=False,
            autocompletion=_complete_partially_shipped,
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Every partially shipped order not canceled or archived."),
    ] = False,
    customer: CustomerOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    invoice_first: Annotated[
        bool,
        typer.Option(
            "--invoice", help="Invoice shipped, uninvoiced items first (same transaction)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    format_: WriteFormatOption = WriteFormat.text,
) -> None:
    """Create backorders: move what was not delivered to a new order.

    The undelivered quantities are canceled on the partially shipped order, which
    becomes canceled and archived, and a new order, numbered next, holds them. Each
    order is all-or-nothing on its own: a refused order is reported and the others go
    on; the exit code is 1 if any was refused. Rerunning is safe.

    Example: backorder create 2401

    Example: orders list -s partially-shipped -f ids | backorder create - --yes --invoice
    """
    from ..domain.backorders import confirmation_text
    from ..services import backorders as backorders_service
    from ..services import orders as orders_service
    from ..services import results
    from . import render

    targets, bulk = pick_numbers(
        numbers,
        all_=all_,
        customer=customer,
        everything=lambda: orders_service.partially_shipped_numbers(
            database(ctx), customer=customer
        ),
        stdin_needs_yes=not yes and not dry_run,
    )
    db = database(ctx)
    if not targets:
        say("No partially shipped orders to backorder.")
        if format_ == WriteFormat.json:
            render.print_json([])
        return

    refusals: list[Any] = []
    shown: dict[int, Any] | None = None  # the plans confirmed: the run must do exactly these
    if dry_run or not yes:
        previews = list(
            backorders_service.preview_backorders(db, targets, invoice_first=invoice_first)
        )
        goers = [p for p in previews if isinstance(p, results.BackorderPreview)]
        refusals = [p for p in previews if not isinstance(p, results.BackorderPreview)]
        if dry_run:
            _print_dry_run(previews, format_=format_, bulk=bulk)
            if bulk:
                say(f"Dry run: {len(goers)} would be created, {len(refusals)} refused.")
            say("Dry run: nothing was changed.")
            if refusals:
                raise typer.Exit(EXIT_ERROR)
            return
        for preview in previews:
            if isinstance(preview, results.BackorderPreview):
                render.backorder_plan(preview, to_stderr=True)
        if not goers:
            report_outcomes(refusals, format_=format_, bulk=bulk, success=str)
            if bulk:
                say(outcome_summary(0, len(refusals), "backorder"))
            raise typer.Exit(EXIT_ERROR)
        if len(goers) == 1:
            say(confirmation_text(goers[0].number))
        else:
            listed = ", ".join(f"#{p.number}" for p in goers)
            say(
                f"This will cancel orders no. {listed} "
                "and create new ones for the undelivered items."
            )
        if not confirm("Continue?"):
            say("Aborted: nothing was changed.")
            raise typer.Exit(EXIT_ERROR)
        targets = [p.number for p in goers]
        shown = {p.number: p for p in goers}

    outcomes = with_progress(
        itertools.chain(
            refusals,
            backorders_service.create_backorders(
                db, targets, invoice_first=invoice_first, expected=shown
            ),
        ),
        len(targets) + len(refusals),
        "Creating backorders",
    )
    refused = report_outcomes(
        outcomes,
        format_=format_,
        bulk=bulk,
        success=_created_text,
        summary=lambda done, refused: outcome_summary(done, refused, "backorder"),
    )
    if bulk:
        say(outcome_summary(len(targets) + len(refusals) - refused, refused, "backorder"))
    if refused:
        raise typer.Exit(EXIT_ERROR)


def _created_text(outcome: Any) -> str:
    from ..domain.values import format_money

    n = outcome.order
    text = (
        f"Backorder #{outcome.backorder} created with the undelivered items of order #{n}; "
        f"order #{n} is canceled and archived."
    )
    if outcome.invoice is not None:
        total = format_money(outcome.invoice_total)
        text = f"Invoice #{outcome.invoice} for order #{n}: total {total}\n{text}"
    return text


def _print_dry_run(previews: list[Any], *, format_: WriteFormat, bulk: bool) -> None:
    from ..services import results
    from . import render

    if format_ == WriteFormat.json:
        plans = []
        for p in previews:
            if isinstance(p, results.BackorderPreview):
                plans.append(
                    {
                        "order": p.number,
                        "ok": True,
                        "backorder": p.next_number,
                        "error": None,
                        "lines": [
                            {"sku": m.sku, "quantity": m.quantity, "unit_price": m.unit_price}
                            for m in p.moves
                        ],
                        "invoice_first": [
                            {"sku": sku, "quantity": q, "amount": a} for sku, q, a in p.to_invoice
                        ],
                    }
                )
            else:
                plans.append({"order": p.order, "ok": False, "backorder": None, "error": p.error})
        render.print_json(plans if bulk else plans[0])
        return
    for p in previews:
        if isinstance(p, results.BackorderPreview):
            render.backorder_plan(p, to_stderr=False)
        else:
            say(f"Error: {p.error}")


def check(ctx: typer.Context, format_: WriteFormatOption = WriteFormat.text) -> None:
    """Verify every invariant of the database; list each violation with its order and line.

    Read-only; exit 0 when clean, 1 when anything is wrong. Checks that every line's
    quantity = shipped + canceled + remaining with nothing negative and invoiced <=
    shipped; statuses and totals agree with the lines; canceled orders have nothing
    remaining; each backorder holds exactly what its origin moved to it, quantities and
    money; invoices add up, and a line's invoices to its amount; dates can be read;
    order and invoice numbers are unique; stock is never negative. A database of an
    older schema is checked as it is, without upgrading it.

    Example: backorder check
    """
    from ..services import integrity
    from ..services import orders as orders_service
    from . import render

    # Read-only: never upgrades the schema, and reads an older one as it is, so it can
    # name the rows that make an upgrade fail.
    db = database(ctx, upgrade=False, read_older=True)
    violations = integrity.check_database(db)
    found = 0
    if format_ == WriteFormat.json:

        def counted():  # type: ignore[no-untyped-def]
            nonlocal found
            for v in violations:
                found += 1
                yield v

        render.print_json_stream(counted())
    else:
        for violation in violations:
            found += 1
            sys.stdout.write(safe_text(str(violation), message=True) + "\n")
    orders = orders_service.count_orders(db)
    if found:
        say(f"{found} problem{'s' if found != 1 else ''} found in a database of {orders} orders.")
        raise typer.Exit(EXIT_ERROR)
    say(f"No problems found: {orders} orders checked.")


def migrate(ctx: typer.Context) -> None:
    """Upgrade the database's schema to this version of backorder, in one transaction.

    Every command does this on its own when it opens an older database; migrate does
    it deliberately (before a batch job, or to see that it works). A newer schema is
    refused and left alone.

    Example: backorder --db shop.db migrate
    """
    from ..storage.models import SCHEMA_VERSION
    from ..storage.schema import migrate, read_version

    location, before = read_version(state(ctx).db)
    if before == SCHEMA_VERSION:
        say(f"Database {location.display} is up to date (schema version {SCHEMA_VERSION}).")
        return
    migrate(location, from_version=before)
    say(f"Upgraded database {location.display} from schema version {before} to {SCHEMA_VERSION}.")
