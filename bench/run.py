"""Measure backorder as a user feels it: whole processes, several runs, medians, every
figure a ratio against a reference measured in the same run.

    python bench/run.py --orders 1000000 --runs 5 --out docs/BENCHMARKS.md

References: the import floor (`python -c "import typer, rich.table, sqlmodel"`), the
peer CLI sqlite-utils on the same file, and bench/reference.py (the bulk backorder in
plain sqlite3 with the same durability). Databases are built with bench/generate.py in
--workdir and reused when they exist. The Markdown report ends with bench/NOTES.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PY = sys.executable


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name) or name


@dataclass
class Row:
    what: str
    command: str
    ours: float
    reference: str
    ref_time: float
    target: str
    limit: float | None  # ratio ceiling, or None when the target is not a ratio
    note: str = ""
    also: bool = True  # a second part of the target (orders per second, memory) is met
    postgres: float | None = None  # the same command on a PostgreSQL server (team mode)

    @property
    def met(self) -> bool:
        return (self.limit is None or self.ratio <= self.limit) and self.also

    @property
    def ratio(self) -> float:
        return self.ours / self.ref_time if self.ref_time else float("nan")


def timed(
    command: list[str],
    *,
    runs: int,
    stdin: Path | None = None,
    env: dict | None = None,
    before=None,
) -> float:  # type: ignore[no-untyped-def]
    """Median wall time of `runs` runs of a whole process (output discarded)."""
    times = []
    for _ in range(runs):
        if before:
            before()
        with open(stdin or os.devnull, "rb") as feed:
            start = time.perf_counter()
            result = subprocess.run(
                command,
                stdin=feed,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env={**os.environ, **(env or {})},
            )
            times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(times)


FLOOR = [PY, "-c", "import typer, rich.table, sqlmodel"]


def against_floor(command: list[str], *, runs: int) -> tuple[float, float]:
    """(ours, import floor): the medians of `runs` runs of each, alternated run by run
    (floor, ours, floor, ours, ...), so that both see the same minutes of a shared
    machine's load; a ratio of two medians taken minutes apart measured the load."""
    ours, floor = [], []
    for _ in range(runs):
        floor.append(timed(FLOOR, runs=1))
        ours.append(timed(command, runs=1))
    return statistics.median(ours), statistics.median(floor)


def peak_memory_mb(command: list[str]) -> float:
    """Peak resident memory of one run, measured by a wrapper whose only child it is."""
    wrapper = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", wrapper, *command], capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def first_line_seconds(command: list[str], *, runs: int) -> float:
    """Median wall time until the first line of stdout: what a person at a terminal
    waits before a listing starts (the process is stopped there)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert process.stdout is not None
        process.stdout.readline()
        times.append(time.perf_counter() - start)
        process.kill()
        process.wait()
    return statistics.median(times)


# Seconds bench/generate.py took to build each size in this run (absent: reused).
BUILT: dict[int, float] = {}


def generate(workdir: Path, orders: int) -> Path:
    path = workdir / f"bench-{orders}.db"
    if not path.exists():
        start = time.perf_counter()
        subprocess.run(
            [PY, str(HERE / "generate.py"), "--orders", str(orders), "--db", str(path)], check=True
        )
        BUILT[orders] = time.perf_counter() - start
    return path


def fresh_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(source, target)
    # The copy's gigabyte is written back now, not during the timed run's fsyncs.
    os.sync()


def sample_numbers(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        middle = conn.execute(
            "SELECT number FROM orders ORDER BY number "
            "LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM orders)"
        ).fetchone()[0]
        archived = conn.execute(
            "SELECT number FROM orders WHERE archived ORDER BY number LIMIT 1 OFFSET 7"
        ).fetchone()
        # A waiting order from the middle on, so that `orders show` makes its ETAs.
        waiting = conn.execute(
            "SELECT number FROM orders WHERE number >= ? AND NOT archived "
            "AND status IN ('booked', 'partially_shipped') ORDER BY number LIMIT 1",
            (middle,),
        ).fetchone()
        last = conn.execute("SELECT MAX(at) FROM history").fetchone()[0]
    return {
        "middle": middle,
        "archived": archived[0] if archived else middle,
        "waiting": waiting[0] if waiting else middle,
        "last_day": str(last)[:10],
    }


def compile_package() -> None:
    """Byte-compile backorder as `pip install` does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module of ours from source in
    every measured run (the floor's libraries are compiled when installed)."""
    subprocess.run(
        [
            PY,
            "-c",
            "import compileall, backorder_cli, os; "
            "compileall.compile_dir(os.path.dirname(backorder_cli.__file__), quiet=1)",
        ],
        check=True,
    )


# The reads that must stay flat as the database grows (issue 17): each at every size.
# Text searches and the log by order print at most 20 rows, whatever the size; the log
# since the last day prints that day's entries (7 at 10,000 orders, 685 at 1,000,000).
def flat_reads(numbers: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (
            "archived search, number",
            ["orders", "list", "--archived", "--search", str(numbers["archived"])],
        ),
        (
            "archived search, text",
            ["orders", "list", "--archived", "--search", "Customer 0123", "--limit", "20"],
        ),
        (
            "customer search",
            ["orders", "list", "--all", "--customer", "omer 0123 a", "--limit", "20"],
        ),
        ("log --since", ["log", "--since", numbers["last_day"], "--format", "csv"]),
        ("log --order", ["log", "--order", str(numbers["middle"]), "--format", "csv"]),
    ]


GROWTH = [
    "orders show",
    "filtered list",
    "show a waiting order (ETAs)",
    "products show",
    "every order as JSON, with ETAs",
    *(what for what, _ in flat_reads({"archived": 0, "middle": 0, "last_day": ""})),
    "check",
]


GROWTH_WRITES = [
    "bulk backorder (orders/s)",
    "bulk backorder on PostgreSQL (orders/s)",
    "suggest",
    "ready",
]


def _cell(column: str, value: Any) -> str:
    if value == "":
        return ""
    return f"{value:,.0f}" if "orders/s" in column else f"{value:.3f}"


def measure(args: argparse.Namespace) -> tuple[list[Row], list[tuple[Any, ...]]]:
    runs = args.runs
    compile_package()
    db = generate(args.workdir, args.orders)
    numbers = sample_numbers(db)
    backorder = [tool("backorder"), "--db", str(db)]
    floor = timed(FLOOR, runs=runs)
    if args.only == "reads":
        return reads_only(args, backorder, numbers, floor), growth_table(args, floor)
    su_help = timed([tool("sqlite-utils"), "--help"], runs=runs)
    rows = [
        Row(
            "help",
            "backorder --help",
            timed([tool("backorder"), "--help"], runs=runs),
            "sqlite-utils --help",
            su_help,
            "<= 1.2x",
            1.2,
        ),
        Row(
            "version",
            "backorder --version",
            timed([tool("backorder"), "--version"], runs=runs),
            "sqlite-utils --help",
            su_help,
            "<= 1.2x",
            1.2,
        ),
        Row(
            "completion of commands",
            "_BACKORDER_COMPLETE=complete_bash backorder",
            timed(
                [tool("backorder")],
                runs=runs,
                env={
                    "_BACKORDER_COMPLETE": "complete_bash",
                    "COMP_WORDS": "backorder cr",
                    "COMP_CWORD": "1",
                },
            ),
            "sqlite-utils --help",
            su_help,
            "<= 1.2x",
            1.2,
        ),
    ]
    for what, command in (
        ("show", ["orders", "show", str(numbers["middle"])]),
        ("show a waiting order (ETAs)", ["orders", "show", str(numbers["waiting"])]),
        ("filtered list", ["orders", "list", "--status", "partially-shipped", "--limit", "50"]),
        *flat_reads(numbers),
        ("products show", ["products", "show", "SKU-0007"]),
    ):
        ours, floor_now = against_floor(backorder + command, runs=runs)
        rows.append(
            Row(
                what,
                "backorder " + shlex.join(command),
                ours,
                "import floor",
                floor_now,
                "<= 1.15x",
                1.15,
            )
        )

    query = (
        "select number, status, archived, customer, total, backorder_of from orders "
        "order by number desc"
    )
    all_json = [*backorder, "orders", "list", "--all", "--format", "json"]
    memory = peak_memory_mb(all_json)
    rows.append(
        Row(
            "list every order as JSON",
            "backorder orders list --all --format json",
            timed(all_json, runs=runs),
            "sqlite-utils query --nl",
            timed([tool("sqlite-utils"), "query", str(db), query, "--nl"], runs=runs),
            "<= 1.5x, < 150 MB",
            1.5,
            note=f"peak memory {memory:.0f} MB",
            also=memory < 150,
        )
    )

    # Listings as tables, as a person at a terminal gets them (`--format table`: the
    # table a terminal would show, written to a pipe): the first row at once, memory flat.
    for what, command in (
        ("log as a table", ["log", "--format", "table"]),
        ("every order as a table", ["orders", "list", "--all", "--limit", "0", "-f", "table"]),
    ):
        listing = [*backorder, *command]
        first = first_line_seconds(listing, runs=runs)
        peak = peak_memory_mb(listing)
        rows.append(
            Row(
                f"{what}: first row",
                "backorder " + shlex.join(command),
                first,
                "sqlite-utils --help",
                su_help,
                "first row < 1 s, < 150 MB",
                None,
                note=f"peak memory {peak:.0f} MB over the whole listing",
                also=first < 1.0 and peak < 150,
            )
        )

    # Every invoice and credit note (credit_of joined to its invoice's number).
    invoices_json = [*backorder, "invoices", "list", "--format", "json"]
    invoices_query = (
        "select i.number, o.number, o.customer, c.number, i.total, i.created_at, i.reason "
        "from invoices i join orders o on o.id = i.order_id "
        "left join invoices c on c.id = i.credit_of order by i.number desc"
    )
    memory = peak_memory_mb(invoices_json)
    rows.append(
        Row(
            "list every invoice as JSON",
            "backorder invoices list --format json",
            timed(invoices_json, runs=runs),
            "sqlite-utils query --nl",
            timed([tool("sqlite-utils"), "query", str(db), invoices_query, "--nl"], runs=runs),
            "<= 1.5x, < 150 MB",
            1.5,
            note=f"peak memory {memory:.0f} MB",
            also=memory < 150,
        )
    )

    bulk = bulk_backorder(args, db, runs)
    rows.append(
        Row(
            f"bulk backorder of {bulk.count} orders",
            "backorder create - --yes",
            bulk.ours,
            "bench/reference.py",
            bulk.ref,
            ">= 5,000 orders/s (PostgreSQL >= 1,500), <= 2x",
            2.0,
            note=f"{bulk.count / bulk.ours:,.0f} orders/s "
            f"(reference {bulk.count / bulk.ref:,.0f}/s){bulk.server_note}",
            also=bulk.count / bulk.ours >= 5000
            and (bulk.on_server is None or bulk.count / bulk.on_server >= 1500),
            postgres=bulk.on_server,
        )
    )
    planned = {}
    for what, command in (("suggest", ["suggest"]), ("ready", ["ready"])):
        took = planned[what] = timed(
            [*backorder, *command, "--format", "csv"], runs=max(1, runs // 2)
        )
        rows.append(
            Row(
                what,
                "backorder " + shlex.join(command),
                took,
                "10 s",
                10.0,
                "< 10 s",
                1.0,
                note="aim: < 5 s" + ("" if took < 5 else " (not met)"),
            )
        )
    check = timed([*backorder, "check"], runs=max(1, runs // 2))
    rows.append(Row("check", "backorder check", check, "10 s", 10.0, "< 10 s", 1.0))

    return rows, growth_table(args, floor, {args.orders: (bulk, planned)})


@dataclass
class Bulk:
    """One bulk backorder measurement: how many orders, our median, the reference's,
    and PostgreSQL's (None, with `server_note` saying why)."""

    count: int
    ours: float
    ref: float
    on_server: float | None
    server_note: str


def bulk_backorder(args: argparse.Namespace, db: Path, runs: int) -> Bulk:
    """The bulk backorder of up to 10,000 eligible orders of `db`, each run on a fresh
    copy: ours, bench/reference.py, and ours on the server."""
    work = args.workdir / "bulk.db"
    ids = args.workdir / "ids.txt"
    listed = subprocess.run(
        [
            tool("backorder"),
            "--db",
            str(db),
            "orders",
            "list",
            "--status",
            "partially-shipped",
            "--format",
            "ids",
            "--limit",
            "10000",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids.write_text(listed)
    ours = timed(
        [tool("backorder"), "--db", str(work), "create", "-", "--yes"],
        runs=runs,
        stdin=ids,
        before=lambda: fresh_copy(db, work),
    )
    ref = timed(
        [PY, str(HERE / "reference.py"), str(work)],
        runs=runs,
        stdin=ids,
        before=lambda: fresh_copy(db, work),
    )
    on_server, server_note = bulk_on_postgres(args, db, listed, ids, runs)
    return Bulk(len(listed.split()), ours, ref, on_server, server_note)


def reads_only(
    args: argparse.Namespace, backorder: list[str], numbers: dict[str, Any], floor: float
) -> list[Row]:
    """`--only reads`: the rows of the reads that must stay flat, and check."""
    # The floor alternated with each row's runs: on a shared machine the load changes
    # within a run, and a ratio means something only against a floor of the same minute.
    rows = []
    for what, command in flat_reads(numbers):
        ours, floor = against_floor(backorder + command, runs=args.runs)
        rows.append(
            Row(
                what,
                "backorder " + shlex.join(command),
                ours,
                "import floor",
                floor,
                "<= 1.15x",
                1.15,
            )
        )
    check = timed([*backorder, "check"], runs=max(1, args.runs // 2))
    rows.append(Row("check", "backorder check", check, "10 s", 10.0, "< 10 s", 1.0))
    return rows


def growth_table(
    args: argparse.Namespace,
    floor: float,
    measured: dict[int, tuple[Bulk, dict[str, float]]] | None = None,
) -> list[tuple[Any, ...]]:
    """Each flat read, check, and (unless --only reads) the bulk backorder on both
    backends, suggest and ready at every size, with the import floor of the run and how
    long the size took to build; `measured`: the sizes whose bulk, suggest and ready the
    main table measured already."""
    growth = []
    measured = measured or {}
    for size in sorted({*args.growth, args.orders}):
        sized = generate(args.workdir, size)
        numbers = sample_numbers(sized)
        base = [tool("backorder"), "--db", str(sized)]
        commands = [
            ["orders", "show", str(numbers["middle"])],
            ["orders", "list", "--status", "partially-shipped", "--limit", "50"],
            ["orders", "show", str(numbers["waiting"])],
            ["products", "show", "SKU-0007"],
            ["orders", "list", "--all", "-f", "json"],
            *(command for _, command in flat_reads(numbers)),
        ]
        times = [timed(FLOOR, runs=args.runs)]
        times += [timed([*base, *command], runs=args.runs) for command in commands]
        times.append(timed([*base, "check"], runs=1))
        if args.only != "reads":
            if size in measured:
                bulk, planned = measured[size]
            else:
                bulk = bulk_backorder(args, sized, runs=1)
                planned = {
                    what: timed([*base, what, "--format", "csv"], runs=1)
                    for what in ("suggest", "ready")
                }
            server = "" if bulk.on_server is None else bulk.count / bulk.on_server
            times += [bulk.count / bulk.ours, server, planned["suggest"], planned["ready"]]
        growth.append((size, BUILT.get(size, ""), *times))
    return growth


def bulk_on_postgres(
    args: argparse.Namespace, db: Path, listed: str, ids: Path, runs: int
) -> tuple[float | None, str]:
    """The bulk backorder's PostgreSQL column: the same orders on a server (bench/pg.py).
    Without a server the column says why, and the SQLite figures stand alone."""
    if not args.pg:
        return None, "; PostgreSQL not measured (--pg '')"
    from pg import BulkOnPostgres

    try:
        server = BulkOnPostgres(args.pg, tool("backorder"))
        server.load(db, [int(n) for n in listed.split()])
    except Exception as exc:  # no driver or no server: report it, measure the rest
        first = (str(exc).strip().splitlines() or [repr(exc)])[0]
        print(f"PostgreSQL not measured: {first}", file=sys.stderr)
        return None, "; PostgreSQL not measured (no server)"
    try:
        count = len(listed.split())
        seconds = timed(
            [tool("backorder"), "--db", server.work_url(), "create", "-", "--yes"],
            runs=runs,
            stdin=ids,
            before=server.fresh,
        )
        return seconds, f"; PostgreSQL {count / seconds:,.0f} orders/s"
    finally:
        server.drop()


def report(args: argparse.Namespace, rows: list[Row], growth: list[tuple[Any, ...]]) -> str:
    def versions() -> str:
        names = ("backorder-cli", "typer", "rich", "sqlmodel", "sqlalchemy", "sqlite-utils")
        found = []
        for name in names:
            try:
                found.append(f"{name} {version(name)}")
            except Exception:
                found.append(f"{name} (not installed)")
        return ", ".join(found)

    lines = [
        "# Benchmarks",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}.  ",
        f"Versions: {versions()}.  ",
        f"Reproduce: `python bench/run.py --orders {args.orders} --runs {args.runs} "
        + (f"--only {args.only} " if args.only != "all" else "")
        + f"--growth {','.join(map(str, args.growth))} --out {args.out}` "
        f"({time.strftime('%Y-%m-%d')}).",
        "",
        "Every time is the median of whole-process runs; every ratio is against a reference "
        "measured in the same run, since absolute times drift on shared machines (against "
        "the import floor, its runs alternate with the command's: `against_floor`).",
        "",
        f"## On a database of {args.orders:,} orders",
        "",
        "| what | command | ours (s) | reference | ref (s) | ratio | target | met "
        "| PostgreSQL (s) | note |",
        "|---|---|---:|---|---:|---:|---|---|---:|---|",
    ]
    for r in rows:
        met = "yes" if r.met else "**no**"
        server = "" if r.postgres is None else f"{r.postgres:.3f}"
        lines.append(
            f"| {r.what} | `{r.command}` | {r.ours:.3f} | {r.reference} | {r.ref_time:.3f} "
            f"| {r.ratio:.2f}x | {r.target} | {met} | {server} | {r.note} |"
        )
    lines += [
        "",
        "## Cost as the database grows",
        "",
        "Seconds, each the median of whole-process runs (check, and the bulk backorder, "
        "suggest and ready at the sizes below the main one: one run), with the import "
        "floor measured just before each size's row; the bulk backorder in orders per "
        'second (of up to 10,000 eligible orders); "built in": how long '
        "bench/generate.py took to build that size in this run (empty: built earlier).",
        "",
    ]
    columns = ["built in", "import floor", *GROWTH]
    if args.only != "reads":
        columns += GROWTH_WRITES
    lines += [
        "| orders | " + " | ".join(columns) + " |",
        "|---:|" + "---:|" * len(columns),
    ]
    lines += [
        f"| {size:,} | " + " | ".join(map(_cell, columns, times)) + " |" for size, *times in growth
    ]
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--growth", type=lambda s: [int(x) for x in s.split(",") if x], default=[10_000, 100_000]
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/backorder-bench"))
    parser.add_argument("--out", type=Path, default=Path("docs/BENCHMARKS.md"))
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument(
        "--only",
        choices=["all", "reads"],
        default="all",
        help="'reads': only the searches, the log's filters and check, with the growth table",
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "BACKORDER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="PostgreSQL server for the bulk backorder's team-mode column ('' to skip)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows, growth = measure(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(args, rows, growth))
    if args.json:
        print(json.dumps([r.__dict__ | {"ratio": r.ratio} for r in rows], indent=1))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
