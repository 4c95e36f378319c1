"""Fuzz every command: argument vectors for each command found in the Click tree (a new
command or option is fuzzed without touching this file), stdin, the user name, import
documents (JSON and CSV) and --db locations, run in-process with CliRunner on a copy of
the sample company (see tests/helpers/fuzz.py for what is generated). For every run:

- the exit code is 0, 1 or 2, and no exception escapes the error boundary;
- no "internal error" and no "Traceback"; usage errors in the tool's own words (no
  "Input should be ..." or "Value error, ..." from the parsing library);
- on exit 1 or 2 the database file is byte for byte what it was (except a bulk run that
  did some orders and says `N refused`: documented, one transaction per order); a command
  that only reads (or a --dry-run) never changes it;
- no raw control character (C0 but newline and tab, DEL, C1) nor bidi control in text for
  people: stderr always, stdout unless the format is json or csv (they keep text exactly);
  data is never parsed as Rich markup (a probe `[u]ZQX[/u]` never loses its tags);
- `backorder check` is clean afterwards (run when the file changed; once it fails, later
  steps of the same example are not blamed);
- a successful import exports (JSON or CSV) and imports back into an empty database with
  the same orders (and products).

The database file: the template is checkpointed and closed, so a copy has no -wal file.
After a command the tool has disposed its engine; SQLite checkpoints on the last close,
and the test then runs `PRAGMA wal_checkpoint(TRUNCATE)` on its own connection (closed at
once) before hashing the main file. Whatever was committed is therefore in the main file
when it is hashed, and a run that committed nothing leaves its bytes alone (frames of a
rolled back transaction are never checkpointed), so the hash is stable and byte-for-byte
means what it says; no logical dump is needed.

Failures are collected, not raised one at a time: a failing test lists every distinct
class it found (command, what went wrong) with the shortest example of each. Examples are
derandomized (the same every run, so CI is stable). BACKORDER_FUZZ_EXAMPLES (default 80)
sets the examples of the argument test; the import test runs half as many, the --db test
a fifth; the argument sweep gives each parameter max(2, N/100) hostile values and the
display sweep runs max(8, N/40) of its readers per value (all of them from N=5000, the long
run). The default takes about 30 s of CPU. One file, past 400 lines: every test shares the
one runner and its checks (Shop, Step, run_step, problems_of).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from backorder_cli.cli import app, orders_script
from tests.helpers import fuzz

EXAMPLES = int(os.environ.get("BACKORDER_FUZZ_EXAMPLES", "80"))
COMMANDS = fuzz.commands(app)
RUNNER = CliRunner()

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# ---------------------------------------------------------------- databases


def fingerprint(path: Path) -> str:
    """The main file's hash once everything committed is in it (see the docstring)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Memory-backed when the machine has it: every write is fsynced (synchronous=FULL), and
# thousands of runs would otherwise wait on the disk.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@pytest.fixture(scope="module")
def templates() -> Iterator[dict[str, Path]]:
    """The sample company and an empty database, each made once and closed."""
    folder = Path(tempfile.mkdtemp(prefix="backorder-fuzz-", dir=SCRATCH))
    paths = {"sample": folder / "sample.db", "empty": folder / "empty.db"}
    assert invoke(["init", "--sample"], paths["sample"]).exit_code == 0
    assert invoke(["init"], paths["empty"]).exit_code == 0
    for path in paths.values():
        fingerprint(path)
        assert invoke(["check"], path).exit_code == 0
        assert not path.with_name(path.name + "-wal").exists()
    yield paths
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Runs happen in a scratch folder: a hostile --db or file name lands there."""
    folder = Path(tempfile.mkdtemp(prefix="backorder-fuzz-run-", dir=SCRATCH))
    monkeypatch.chdir(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# color=True: Click strips CSI sequences from what it echoes when the output is not a
# terminal, so without it a raw `\x1b[2J` would be hidden from the checks here and still
# reach a real terminal. (The tool styles nothing through Click, so no ESC is legitimate.)
def invoke(
    argv: list[str],
    db: Path | str,
    *,
    stdin: str | bytes = "",
    logname: str = "fuzz",
    script: Any = app,
) -> Result:
    env = {"LOGNAME": logname, "USER": logname, "BACKORDER_DEBUG": None, "BACKORDER_DB": None}
    name = "orders" if script is orders_script else "backorder"
    return RUNNER.invoke(
        script, ["--db", str(db), *argv], input=stdin, env=env, prog_name=name, color=True
    )


# ---------------------------------------------------------------- findings


@dataclass
class Findings:
    """Distinct failure classes, each with its shortest example."""

    classes: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, command: str, problem: str, example: str) -> None:
        key = (command, problem)
        if key not in self.classes or len(example) < len(self.classes[key]):
            self.classes[key] = example

    def assert_none(self) -> None:
        if self.classes:
            lines = [
                f"{command}: {problem}\n    e.g. {example}"
                for (command, problem), example in sorted(self.classes.items())
            ]
            pytest.fail(
                f"{len(lines)} distinct failure classes:\n" + "\n".join(lines), pytrace=False
            )


def _normalise(message: str) -> str:
    """A message with its particulars (numbers, quoted values) blanked, to class it."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    message = re.sub(r"#?\d[\d.,]*", "N", message)
    return message[:120]


CONTROL_NAMES = {"\x1b": "ESC", "\x7f": "DEL", "\r": "CR", "\x00": "NUL", "\x07": "BEL"}


def _control_class(char: str) -> str:
    if char in CONTROL_NAMES:
        return CONTROL_NAMES[char]
    if "\x80" <= char <= "\x9f":
        return "C1"
    if char < " ":
        return "C0"
    return "bidi"


def _output_format(command: fuzz.Command, argv: list[str]) -> str:
    """The --format this run used (the last one given wins), else the command's default."""
    chosen: str | None = None
    for flag, value in itertools.pairwise(argv):
        if flag in ("--format", "-f"):
            chosen = value
    if chosen is None:
        for param in command.params:
            if param.name == "format_" and param.default is not None:
                chosen = str(getattr(param.default, "value", param.default))
    return chosen or "plain"


# Commands that never write (a --ship or a --dry-run decides for the others).
READ_ONLY = {"orders list", "orders show", "orders export", "products list", "settings show"}
READ_ONLY |= {"settings", "chain", "report", "log", "check"}
# One transaction per order: exit 1 when any was refused, after the others were done.
BULK = {"create", "invoice", "ready"}


def problems_of(
    result: Result,
    *,
    argv: list[str],
    changed: bool,
    machine_stdout: bool,
    read_only: bool = False,
    bulk: bool = False,
    given_before: tuple[str, ...] = (),
) -> list[str]:
    """Everything wrong with one run, as short class names."""
    found: list[str] = []
    out = result.stdout
    err = result.stderr
    both = out + err
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"exception escaped: {type(result.exception).__name__}")
    elif code not in (0, 1, 2):
        found.append(f"exit code {code}")
    internal = re.search(r"internal error \((\w+): ([^)]*)", both)
    if internal:
        found.append(f"internal error {internal[1]}: {_normalise(internal[2])}")
    elif "internal error" in both:
        found.append("internal error")
    if "Traceback" in both:
        found.append("Traceback in output")
    wording = re.search(r"Input should be[^,.'\n]*|Value error, [^']*'", err)
    if wording:
        found.append(f"library wording: {_normalise(wording[0])}")
    partly = bulk and code == 1 and re.search(r"\b\d+ refused$", err.strip())
    if code in (1, 2) and changed and not partly:  # a bulk run may do some and refuse some
        found.append(f"exit {code} but the database changed")
    elif changed and (read_only or "--dry-run" in argv):
        found.append("a command that only reads changed the database")
    streams = [("stderr", err)] + ([] if machine_stdout else [("stdout", out)])
    for name, stream in streams:
        raw = {_control_class(c) for c in stream if c in fuzz.FORBIDDEN}
        found += [f"raw {kind} in {name}" for kind in sorted(raw)]
    tagged, bare = fuzz.MARKUP_PROBE
    probed = any(tagged in a for a in [*argv, *given_before])
    if probed and both.count(bare) > both.count(tagged):  # some ZQX lost its tags
        found.append("data parsed as Rich markup")
    return found


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) < limit else text[:limit] + "…"


# ---------------------------------------------------------------- one step


@dataclass
class Step:
    command: fuzz.Command
    argv: list[str]
    stdin: str | bytes
    logname: str
    document: tuple[bytes, str] | None = None
    script: str = "backorder"


def suffix_for(body: bytes) -> str:
    """The file name's ending the content calls for."""
    return ".json" if body.lstrip(b"\xef\xbb\xbf").startswith((b"{", b"[")) else ".csv"


BY_PATH = {tuple(command.path): command for command in COMMANDS}


@st.composite
def step(draw: st.DrawFn, commands: list[fuzz.Command] = COMMANDS) -> Step:
    """A generic vector for any command, or (as often) one of the plausible recipes."""
    if commands is COMMANDS and draw(st.booleans()):
        argv = draw(fuzz.recipe())
        command = next(BY_PATH[tuple(argv[:n])] for n in (2, 1) if tuple(argv[:n]) in BY_PATH)
    else:
        command = draw(st.sampled_from(commands))
        argv = draw(fuzz.argv_for(command))
    document = None
    if "@DOCUMENT" in argv:
        body = draw(st.one_of(fuzz.json_file(), fuzz.csv_file()))
        suffix = suffix_for(body)
        suffix = draw(st.sampled_from([suffix] * 6 + [".txt", "/", ".missing"]))
        document = (body, suffix)
    script = "backorder"
    if command.path[0] == "orders" and draw(st.integers(0, 4)) == 0:
        script = "orders"  # the `orders` console script: the same commands, its own root
    return Step(command, argv, draw(fuzz.stdin), draw(fuzz.logname), document, script)


@st.composite
def story(draw: st.DrawFn) -> list[Step]:
    """A helpers.fuzz.story as steps, each with its own stdin and user name."""
    steps = []
    for argv in draw(fuzz.story()):
        command = next(BY_PATH[tuple(argv[:n])] for n in (2, 1) if tuple(argv[:n]) in BY_PATH)
        steps.append(Step(command, argv, draw(fuzz.stdin), draw(fuzz.logname)))
    return steps


@dataclass
class Shop:
    """One example's copy of the sample company, and what is known about it."""

    folder: Path
    db: Path
    fingerprint: str
    clean: bool = True  # `check` passed after the last change
    checking: bool = True  # run `check` after every change (else the caller does)
    done: list[Step] = field(default_factory=list)

    @classmethod
    def copy(cls, template: Path, folder: Path) -> Shop:
        folder.mkdir()
        db = folder / "shop.db"
        shutil.copy(template, db)
        return cls(folder, db, fingerprint(db))


def run_step(shop: Shop, item: Step, findings: Findings) -> Result:
    """Run one step on the shop's database and record everything that went wrong."""
    argv = list(item.argv)
    if item.document is not None:
        body, suffix = item.document
        path = shop.folder / f"doc{suffix}"
        if suffix == "/":
            path = shop.folder / "a-folder"
            path.mkdir(exist_ok=True)
        elif suffix != ".missing":
            path.write_bytes(body)
        argv = [str(path) if a == "@DOCUMENT" else a for a in argv]
    script = app
    if item.script == "orders":
        script, argv = orders_script, argv[1:]
    result = invoke(argv, shop.db, stdin=item.stdin, logname=item.logname, script=script)
    after = fingerprint(shop.db)
    changed, shop.fingerprint = after != shop.fingerprint, after
    example = f"{item.script} {short(argv)} stdin={short(item.stdin)} LOGNAME={short(item.logname)}"
    if item.document is not None:
        example += f" document={short(item.document[0][:300])}"
    if shop.done:
        before_this = [(p.argv, f"LOGNAME={p.logname!r}") for p in shop.done]
        example = f"after {short(before_this, 800)}: {example}"
    shop.done.append(item)
    name = item.command.name
    read_only = name in READ_ONLY or (name == "ready" and "--ship" not in argv)
    fmt = _output_format(item.command, item.argv)
    for problem in problems_of(
        result,
        argv=argv,
        changed=changed,
        machine_stdout=fmt in ("json", "csv"),
        read_only=read_only,
        bulk=name in BULK,
        given_before=tuple(a for p in shop.done for a in p.argv),  # stored data shows later
    ):
        findings.add(name, problem, example)
    if changed and shop.clean and shop.checking:  # once check fails, later steps are not to blame
        check = invoke(["check"], shop.db)
        if check.exit_code != 0:
            shop.clean = False
            first = (check.stdout + check.stderr).strip().splitlines()[:2]
            findings.add(name, f"check fails afterwards: {_normalise(' / '.join(first))}", example)
    return result


# ---------------------------------------------------------------- the tests


def test_the_command_tree_is_walked() -> None:
    """Every command is fuzzed: the walk finds the known ones (and any new one)."""
    names = {command.name for command in COMMANDS}
    assert {"create", "invoice", "ship", "import", "orders add", "products add"} <= names
    assert {"undo", "ready", "chain", "report", "log", "check", "settings set"} <= names
    assert len(names) == len(COMMANDS) >= 20


def test_the_checks_catch_what_they_look_for() -> None:
    """The checks can fail: a stand-in command that misbehaves in every way is caught."""
    import typer

    bad = typer.Typer()

    @bad.command()
    def misbehave(text: str, code: int) -> None:
        typer.echo(f"Customer {text}")
        typer.echo("Error: internal error (ValueError: x) - this is a bug", err=True)
        raise typer.Exit(code)

    result = RUNNER.invoke(bad, ["\x1b[2J\u202e\x9b", "1"], color=True)
    found = problems_of(result, argv=["\x1b[2J"], changed=True, machine_stdout=False)
    assert found == [
        "internal error ValueError: x",
        "exit 1 but the database changed",
        "raw C1 in stdout",
        "raw ESC in stdout",
        "raw bidi in stdout",
    ]
    probe = RUNNER.invoke(bad, ["ZQX", "0"])
    assert problems_of(
        probe, argv=["[u]ZQX[/u]"], changed=True, machine_stdout=False, read_only=True
    ) == [
        "internal error ValueError: x",
        "a command that only reads changed the database",
        "data parsed as Rich markup",
    ]


def test_every_command_survives_fuzzed_arguments(templates: dict[str, Path], workdir: Path) -> None:
    """One to three commands in a row on a copy of the sample company."""
    findings = Findings()
    counter = iter(range(10**9))

    @SETTINGS
    @given(steps=st.lists(step(), min_size=1, max_size=3) | story())
    def run(steps: list[Step]) -> None:
        shop = Shop.copy(templates["sample"], workdir / f"e{next(counter)}")
        for item in steps:
            run_step(shop, item, findings)
        shutil.rmtree(shop.folder, ignore_errors=True)

    run()
    findings.assert_none()


# The sweep: every hostile value in every parameter slot of a plausible command.
DEFAULTS = {"number": "2401", "numbers": "2401", "order": "2401", "items": "CABLE-15=1"}
DEFAULTS |= {"sku": "SWITCH-1", "quantity": "2", "stock": "2", "price": "1", "name": "Fuzz"}
DEFAULTS |= {"customer": "Hansen", "key": "inventory-value-on-invoicing", "value": "off"}
NOT_SWEPT = {"file", "version", *fuzz.SKIPPED_OPTIONS}


def _default(command: fuzz.Command, param: Any) -> str:
    if command.name == "products add" and param.name == "sku":
        return "FUZZ-1"  # a new one, so the command gets past its first check
    if param.name in DEFAULTS:
        return DEFAULTS[param.name]
    choices = getattr(fuzz._bare(param), "__members__", None)
    return next(iter(choices.values())).value if choices else "x"


def sweep_cases(per_slot: int) -> list[tuple[fuzz.Command, list[str]]]:
    """For each slot, `per_slot` hostile values (all of them in a long run), rotating
    through the list so that a short run still meets every value somewhere."""
    cases = []
    slots = [
        (command, param)
        for command in COMMANDS
        for param in command.params
        if not getattr(param, "is_flag", False) and param.name not in NOT_SWEPT
    ]
    for index, (command, slot) in enumerate(slots):
        for k in range(per_slot):
            value = fuzz.HOSTILE[(index * per_slot + k) % len(fuzz.HOSTILE)]
            options: list[str] = []
            arguments: list[str] = []
            for param in command.params:
                if param is slot:
                    given = value
                elif param.required and param.name not in NOT_SWEPT:
                    given = _default(command, param)
                else:
                    continue
                if param.param_type_name == "option":
                    options += [param.opts[0], given]
                else:
                    arguments.append(given)
            cases.append((command, [*command.path, *options, *arguments]))
    return cases


def test_every_hostile_value_in_every_slot(templates: dict[str, Path], workdir: Path) -> None:
    """A fixed sweep (no randomness): each parameter of each command gets hostile values
    in an otherwise plausible command; a long run gives every slot every value."""
    findings = Findings()
    per_slot = min(len(fuzz.HOSTILE), max(2, EXAMPLES * len(fuzz.HOSTILE) // 5000))
    for n, (command, argv) in enumerate(sweep_cases(per_slot)):
        shop = Shop.copy(templates["sample"], workdir / f"s{n}")
        run_step(shop, Step(command, argv, "", "fuzz"), findings)
        shutil.rmtree(shop.folder, ignore_errors=True)
    findings.assert_none()


def _command_of(argv: list[str]) -> fuzz.Command:
    return next(BY_PATH[tuple(argv[:n])] for n in (2, 1) if tuple(argv[:n]) in BY_PATH)


def test_hostile_text_is_never_shown_raw(templates: dict[str, Path], workdir: Path) -> None:
    """A fixed sweep: each escape, control, bidi or markup value is stored in every text
    field it can reach, then every command that shows stored text runs in the formats for
    people (a rotating share of them normally, all of them in a long run)."""
    findings = Findings()
    share = min(len(fuzz.DISPLAY_READERS), max(8, EXAMPLES * len(fuzz.DISPLAY_READERS) // 1000))
    for index, value in enumerate(fuzz.DISPLAY_HOSTILE):
        shop = Shop.copy(templates["sample"], workdir / f"d{index}")
        shop.checking = False  # once, after the setup: it takes a dozen writes
        for argv in fuzz.display_setup(value):
            run_step(shop, Step(_command_of(argv), argv, "", "fuzz"), findings)
        if invoke(["check"], shop.db).exit_code != 0:
            findings.add("(setup)", "check fails after storing hostile text", repr(value))
        for k in range(share):
            argv = fuzz.DISPLAY_READERS[(index * share + k) % len(fuzz.DISPLAY_READERS)]
            run_step(shop, Step(_command_of(argv), argv, "n\n", "fuzz"), findings)
        shutil.rmtree(shop.folder, ignore_errors=True)
    findings.assert_none()


IMPORT = next(command for command in COMMANDS if command.path == ["import"])


def _listing(db: Path) -> tuple[str, str]:
    orders = invoke(["orders", "list", "--all", "-f", "json"], db)
    products = invoke(["products", "list", "-f", "json"], db)
    return orders.stdout, products.stdout


def round_trip(
    db: Path, folder: Path, findings: Findings, example: str, empty: Path, fmt: str
) -> None:
    """Export --all (JSON or CSV) and import into an empty database: the same orders (and,
    for JSON, products) come back, and `check` is clean on the copy."""
    expected = _listing(db)
    exported = invoke(["orders", "export", "--all", "-f", fmt], db)
    if exported.exit_code != 0:
        findings.add("orders export", f"-f {fmt} fails: {_normalise(exported.stderr)}", example)
        return
    copy = folder / f"copy-{fmt}.db"
    shutil.copy(empty, copy)
    if fmt == "csv":  # CSV names no products: they come over first, as JSON
        catalogue = folder / "products.json"
        # `products list` adds what waiting orders claim and what is incoming: not import fields
        fields = ("sku", "name", "unit", "price", "stock")
        products = [{k: p[k] for k in fields} for p in json.loads(expected[1] or "[]")]
        catalogue.write_text(json.dumps({"products": products, "orders": []}))
        invoke(["import", str(catalogue)], copy)
    document = folder / f"export.{fmt}"
    document.write_text(exported.stdout, encoding="utf-8", errors="surrogateescape")
    imported = invoke(["import", str(document)], copy)
    if imported.exit_code != 0:
        message = _normalise((imported.stderr.splitlines() or [""])[-1])
        findings.add("orders export + import", f"-f {fmt} not read back: {message}", example)
        return
    got = _listing(copy)
    if got[0] != expected[0] or (fmt == "json" and got[1] != expected[1]):
        findings.add("orders export + import", f"-f {fmt}: different orders back", example)
    if invoke(["check"], copy).exit_code != 0:
        findings.add("orders export + import", f"-f {fmt}: check fails on the copy", example)


def test_import_survives_fuzzed_documents(templates: dict[str, Path], workdir: Path) -> None:
    """An import of a generated document (JSON or CSV, valid or mutated), then up to two
    commands; a successful import must survive an export and import round trip."""
    findings = Findings()
    counter = iter(range(10**9))

    @settings(SETTINGS, max_examples=max(EXAMPLES // 2, 1))
    @given(
        body=st.one_of(fuzz.json_file(), fuzz.csv_file()),
        wrong_name=fuzz.rarely(10),
        then=st.lists(step(), max_size=2),
        back=st.sampled_from([None, "json", "csv"]),
    )
    def run(body: bytes, wrong_name: bool, then: list[Step], back: str | None) -> None:
        shop = Shop.copy(templates["sample"], workdir / f"i{next(counter)}")
        suffix = suffix_for(body)
        if wrong_name:
            suffix = ".json" if suffix == ".csv" else ".csv"
        first = Step(IMPORT, ["import", "@DOCUMENT"], "", "fuzz", (body, suffix))
        imported = run_step(shop, first, findings)
        header = body.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().split(b",")
        if suffix == ".csv" and len(set(header)) < len(header) and imported.exit_code == 0:
            findings.add("import", "a duplicated CSV column was accepted", short(body[:300]))
        if imported.exit_code == 0 and shop.clean and back is not None:
            example = f"import {short(body[:400])} ({suffix})"
            round_trip(shop.db, shop.folder, findings, example, templates["empty"], back)
        for item in then:
            run_step(shop, item, findings)
        shutil.rmtree(shop.folder, ignore_errors=True)

    run()
    findings.assert_none()


DB_LOCATIONS = [
    "postgresql+psycopg://u@127.0.0.1:abc/db",
    "postgresql+psycopg://postgres:SECRETQ@127.0.0.1:5432/backorder_fuzz_missing",
    "postgresql+psycopg://postgres@127.0.0.1:5432/backorder_fuzz_missing?password=SECRETQ",
    "postgresql+psycopg://ann:SECRETQ@SECRETQ@127.0.0.1:1/db",
    "postgresql+psycopg://ann:SECRETQ@127.0.0.1:1/db",
    "mysql://ann:SECRETQ@127.0.0.1/db",
    "sqlite:///missing/folder/x.db",
    "",
    "\x1b[31mred.db",
    "caf\udce9.db",
    "a-folder",
    "[/red].db",
]


def test_hostile_database_locations(workdir: Path) -> None:
    """A bad --db never leaks a secret, crashes or prints raw control characters."""
    findings = Findings()
    (workdir / "a-folder").mkdir()
    quick = [c for c in COMMANDS if c.path[0] not in ("import",)]

    @settings(SETTINGS, max_examples=max(EXAMPLES // 5, len(DB_LOCATIONS)))
    @given(location=st.sampled_from(DB_LOCATIONS), item=step(quick))
    def run(location: str, item: Step) -> None:
        result = invoke(item.argv, location, stdin=item.stdin)
        example = f"--db {location!r} {short(item.argv)}"
        fmt = _output_format(item.command, item.argv)
        for problem in problems_of(
            result, argv=item.argv, changed=False, machine_stdout=fmt in ("json", "csv")
        ):
            findings.add(item.command.name, f"--db {problem}", example)
        if "SECRETQ" in result.stdout + result.stderr:
            findings.add(item.command.name, "--db password printed", example)

    run()
    findings.assert_none()
