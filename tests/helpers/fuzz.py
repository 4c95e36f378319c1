"""What the fuzz suite feeds the CLI: argument vectors for every command, found by walking
the Click command tree (a new command or option is fuzzed without touching this file),
stdin, the environment, and import documents (JSON and CSV, valid and mutated).

Values come from two pools: plausible ones (the sample company's order numbers, SKUs,
statuses, dates), so that commands get past their first check and write, and hostile
ones: the input classes an outside attack used (issue 11), so that every parser meets
them. Strategies only; the checks live in tests/reliability/test_fuzz.py. It is long
because most of it is data (value pools, recipes, readers) that reads best in one place.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from hypothesis import strategies as st

# ---------------------------------------------------------------- value pools

# The sample company (sample_data/company.json): orders 2390-2401, the next is 2402;
# 3000-3002 are what generated import documents use, so a later command finds them.
ORDER_NUMBERS = [str(n) for n in range(2390, 2404)] + ["3000", "3001", "3002"]
SKUS = ["CABLE-25", "CABLE-15", "SOCKET-2", "SWITCH-1", "BOX-68", "BREAKER-16", "LED-9W", "TAPE-19"]
NEW_SKUS = ["FUZZ-1", "FUZZ-2"]
STATUSES = [
    "draft",
    "booked",
    "partially-shipped",
    "partially_shipped",
    "Partially Shipped",
    "shipped",
    "invoiced",
    "canceled",
]
DATES = ["2026-11-01", "2026-11-26", "2026-01-01", "2020-02-29", "0001-01-01", "9999-12-31"]
QUANTITIES = ["1", "2", "2.5", "12", "24", "150", "0.005", "0.001", "999999999999.999"]
PRICES = ["0", "0.80", "1.40", "8.90", "0.005", "0.0001", "999999999999.9999"]
TEXTS = ["Hansen", "søn", "SØN", "Nordic Electric ApS", "Byg-Huset A/S", "Renovation", "x"]

# Each hostile value names the defect class it stands for.
HOSTILE = [
    "",  # empty
    " ",
    "²",  # a digit to str.isdigit, not to int()
    "١٢",  # Arabic-Indic digits
    "#2401",
    "2_401",
    "99999999999999999999",  # past 2^63
    "9223372036854775807",  # 2^63 - 1
    "9223372036854775808",
    "-1",
    "-0",
    "0",
    "1,5",
    "1e3",
    "NaN",
    "inf",
    "0x10",
    "1.0001",
    "CABLE-25=",
    "CABLE-25=1,5",
    "BOX-68=999999999999.999@999999999999.9999",
    "BOX-68=1@-1",
    "=1",
    "\x00",
    "\x07",
    "EVIL\x1b[2J\x1b[31m",
    "\x1b]8;;http://x.y\x07link\x1b]8;;\x07",  # OSC 8 hyperlink
    "\x1b]0;title\x07",
    "a\x9bb",  # C1 CSI
    "a\x7fb",  # DEL
    "a\rb",
    "a\nb",
    "a\tb",
    "\u202eevil",  # bidi override
    "x\u2066y",
    "[/red]",
    "[link=http://x.y]m",
    "[u]ZQX[/u]",  # markup probe: ZQX must never appear without its tags
    "\udcff",  # invalid UTF-8 in argv (surrogateescape)
    "caf\udce9",
    '=HYPERLINK("http://evil")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "%' OR 1=1 --",
    "\uff23\uff21\uff22\uff2c\uff25-15",  # fullwidth CABLE-15
    "CABLE\u200b-15",  # zero-width space
    "C\u0410BLE-15",  # with a Cyrillic A
    " CABLE-15",
    "CABLE-15 ",
    "A" * 300,
    "é" * 5000,
]
MARKUP_PROBE = ("[u]ZQX[/u]", "ZQX")

# Raw characters that must never reach a human-format output: C0 but newline and tab,
# DEL, C1, and the bidi controls (embeddings, overrides, isolates, marks).
FORBIDDEN = {chr(c) for c in range(0x20)} - {"\n", "\t"}
FORBIDDEN |= {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}
FORBIDDEN |= {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}
FORBIDDEN |= {"\u200e", "\u200f", "\u061c"}

hostile = st.sampled_from(HOSTILE)


def _spoil(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A hostile value, alone or glued to a plausible one."""
    glued = st.builds(lambda a, b: a + b, valid, hostile) | st.builds(
        lambda a, b: a + b, hostile, valid
    )
    return hostile | glued


def rarely(one_in: int) -> st.SearchStrategy[bool]:
    """True about once in `one_in` draws; False is the simple case Hypothesis starts from."""
    return st.integers(1, one_in).map(lambda n: n == one_in)


@st.composite
def item(draw: st.DrawFn) -> str:
    """`SKU=QTY[@PRICE]`, the syntax of `orders add` and `ship`."""
    value = draw(st.sampled_from(SKUS + NEW_SKUS)) + "=" + draw(st.sampled_from(QUANTITIES))
    if draw(st.booleans()):
        value += "@" + draw(st.sampled_from(PRICES))
    return value


# Plausible values by parameter name: what the parameter means. Anything not named here
# is fuzzed by its type (see `_valid_for`), so new parameters are covered from the start.
BY_NAME: dict[str, st.SearchStrategy[str]] = {
    "number": st.sampled_from(ORDER_NUMBERS),
    "numbers": st.sampled_from(ORDER_NUMBERS) | st.just("-"),
    "order": st.sampled_from(ORDER_NUMBERS),
    "items": item(),
    "sku": st.sampled_from(SKUS + NEW_SKUS),
    "quantity": st.sampled_from(QUANTITIES),
    "stock": st.sampled_from(QUANTITIES),
    "price": st.sampled_from(PRICES),
    "status": st.sampled_from(STATUSES),
    "as_of": st.sampled_from(DATES),
    "since": st.sampled_from(DATES),
    "limit": st.sampled_from(["1", "3", "100"]),
    "key": st.just("inventory-value-on-invoicing"),
    "value": st.sampled_from(["on", "off"]),
}
TEXT = st.sampled_from(TEXTS) | st.text(max_size=20)

# Options that must not be fuzzed in-process: the root's write shell start-up files;
# `log --follow` never ends on its own (tests/cli/test_log_follow.py runs it for real).
SKIPPED_OPTIONS = {"install_completion", "show_completion", "follow"}


# ---------------------------------------------------------------- the command tree


@dataclass
class Command:
    path: list[str]
    params: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(self.path)


def commands(app: typer.Typer) -> list[Command]:
    """Every leaf command under `app`, with its parameters, by walking the Click tree."""
    found: list[Command] = []

    def walk(command: Any, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in sorted(subcommands.items()):
                walk(sub, [*path, name])
            if not getattr(command, "invoke_without_command", False):
                return
        if path:
            found.append(Command(path, list(command.params)))

    walk(typer.main.get_command(app), [])
    return found


def _bare(param: Any) -> Any:
    """The Python type a parameter takes, without Optional, Annotated or list."""
    descriptor = getattr(param, "type_descriptor", None)
    kind = getattr(descriptor, "annotation", str)
    while True:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if typing.get_origin(kind) is typing.Annotated or (args and len(args) == 1):
            kind = args[0] if args else str
        else:
            return kind


def _valid_for(param: Any) -> st.SearchStrategy[str]:
    name = param.name
    kind = _bare(param)
    if name == "file" or kind is Path:
        return st.just("@DOCUMENT")  # replaced by a generated import document's path
    if name in BY_NAME:
        return BY_NAME[name]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from([member.value for member in kind])
    if kind is int:
        low = param.min if param.min is not None else 0
        high = param.max if param.max is not None else 2**63
        return st.integers(low, min(high, 10**6)).map(str) | st.sampled_from([str(high)])
    return TEXT


@st.composite
def argv_for(draw: st.DrawFn, command: Command) -> list[str]:
    """One argument vector for `command`: some options (flags on or off), then the
    arguments. An example is all plausible values (so commands get far enough to write),
    one hostile value now and then, or many; now and then a required argument is left
    out or a stray token is added, so usage errors are fuzzed too."""
    spoil_one_in = draw(st.sampled_from([0, 6, 2]))

    def value(param: Any) -> str:
        valid = _valid_for(param)
        if spoil_one_in and draw(rarely(spoil_one_in)) and param.name != "file":
            return draw(_spoil(valid))
        return draw(valid)

    options: list[str] = []
    arguments: list[str] = []
    for param in command.params:
        if param.name in SKIPPED_OPTIONS:
            continue
        if param.param_type_name == "option":
            flag = param.opts[draw(st.integers(0, len(param.opts) - 1))]
            if getattr(param, "is_flag", False):
                if draw(st.booleans()):
                    options.append(flag)
                continue
            if param.name == "version" and not draw(rarely(20)):
                continue
            repeats = draw(st.integers(0, 3 if param.multiple else 1))
            if param.required and repeats == 0 and not draw(rarely(10)):
                repeats = 1
            for _ in range(repeats):
                options += [flag, value(param)]
        elif param.nargs == -1:
            count = draw(st.integers(1 if param.required else 0, 3))
            arguments += [value(param) for _ in range(count)]
        elif not (param.required and draw(rarely(20))):
            arguments += [value(param) for _ in range(max(param.nargs, 1))]
    if draw(rarely(15)):
        arguments.append(draw(st.sampled_from(["--nope", "extra", *HOSTILE[:5]])))
    return [*command.path, *options, *arguments]


# Plausible commands that get far (they write, then print what they wrote), with every
# text slot now and then hostile: stored data is what the output escaping is about. The
# generic vectors above cover every command; these make the deep paths frequent.
RECIPES = [
    ["create", "{number}", "--yes"],
    ["create", "{number}", "--yes", "--invoice"],
    ["create", "{number}", "--invoice"],  # would ask: no terminal, refused before planning
    ["create", "{number}", "--invoice", "--dry-run"],
    ["undo", "{number}", "--dry-run"],
    ["invoice", "{number}", "--dry-run"],
    ["create", "--all", "--yes", "--invoice", "--customer", "{text}"],
    ["ship", "{number}", "{shipment}"],
    ["ship", "{number}", "--available"],
    ["invoice", "{number}"],
    ["undo", "{number}", "--yes", "--reason", "{text}"],
    ["products", "receive", "{sku}", "{quantity}"],
    ["products", "add", "{sku}", "--name", "{text}", "--unit", "{text}", "--price", "{price}"],
    ["orders", "add", "-c", "{text}", "--comment", "{text}", "{item}", "{item}"],
    ["orders", "book", "{number}"],
    ["ready", "--ship", "--yes"],
    ["orders", "show", "{number}", "-f", "{format}"],
    ["orders", "list", "--all", "-f", "{format}", "--search", "{text}"],
    ["chain", "{number}", "-f", "{format}"],
    ["log", "-f", "{format}"],
    ["report", "--by", "{by}", "-f", "{format}"],
    ["products", "list", "-f", "{format}"],
    ["ready", "-f", "{format}"],
]


@st.composite
def recipe(draw: st.DrawFn) -> list[str]:
    template = draw(st.sampled_from(RECIPES))
    text = st.one_of(TEXT, _spoil(TEXT))
    slots: dict[str, st.SearchStrategy[str]] = {
        "number": st.sampled_from(ORDER_NUMBERS),
        "shipment": st.builds(
            lambda sku, qty: f"{sku}={qty}",
            st.sampled_from(SKUS),
            st.sampled_from(QUANTITIES[:5]),
        ),
        "item": item(),
        "sku": st.sampled_from(SKUS) | _spoil(st.sampled_from(SKUS + NEW_SKUS)),
        "quantity": st.sampled_from(QUANTITIES),
        "price": st.sampled_from(PRICES),
        "text": text,
        "format": st.sampled_from(["table", "plain", "ids", "json", "csv"]),
        "by": st.sampled_from(["sku", "customer", "age"]),
    }
    return [draw(slots[t[1:-1]]) if t.startswith("{") else t for t in template]


READERS = [
    ["orders", "show", "2402", "-f", "table"],
    ["orders", "show", "2402", "-f", "plain"],
    ["orders", "list", "-f", "table"],
    ["orders", "list", "-f", "plain", "--search", "FUZZ"],
    ["log", "-f", "table"],
    ["log", "--order", "2402", "-f", "plain"],
    ["ready", "-f", "table"],
    ["ready", "--ship", "--dry-run"],
    ["report", "--by", "sku", "-f", "table"],
    ["report", "--by", "customer", "-f", "plain"],
    ["chain", "2402", "-f", "table"],
    ["products", "list", "-f", "table"],
    ["orders", "export", "-f", "csv"],
    ["ship", "2402", "--available"],
    ["create", "2402", "--dry-run"],
    ["invoice", "--all", "--dry-run"],
    ["invoice", "--all", "--yes"],
]


@st.composite
def story(draw: st.DrawFn) -> list[list[str]]:
    """Hostile data stored through the front door, then shown: a new product with hostile
    text (or a hostile SKU), an order #2402 for it with a hostile customer and comment, a
    shipment, then the commands that print it (tables, plain, history, chain, report)."""
    text = st.one_of(_spoil(TEXT), TEXT)
    sku = draw(st.sampled_from(NEW_SKUS) | _spoil(st.sampled_from(NEW_SKUS)))
    steps = [
        [
            "products",
            "add",
            sku,
            "--name",
            draw(text),
            "--unit",
            draw(text),
            "--price",
            "1",
            "--stock",
            "5",
        ],
        ["orders", "add", "-c", draw(text), "--comment", draw(text), f"{sku}=2", "CABLE-25=1"],
    ]
    if draw(st.booleans()):
        steps += [["ship", "2402", f"{sku}=1"], ["invoice", "2402"]]
    if draw(st.booleans()):
        steps += [["create", "2402", "--yes"], ["undo", "2403", "--yes", "--reason", draw(text)]]
    steps += draw(st.lists(st.sampled_from(READERS), min_size=1, max_size=2))
    return steps


# What a terminal would act on, for the display sweep: escapes, C0, DEL, C1, bidi, markup.
DISPLAY_HOSTILE = [v for v in HOSTILE if FORBIDDEN & set(v) or "[" in v]


def display_setup(value: str) -> list[list[str]]:
    """Store `value` in every text field a command prints: product name, unit and SKU,
    customer, comment, undo reason; then ship, invoice, backorder and undo an order with
    it. A step the tool refuses (it may refuse the value) is simply refused."""
    sku = f"S{value}"
    return [
        ["products", "add", "FUZZ-1", "--name", f"Name {value}", "--price", "1", "--stock", "5"],
        [
            "products",
            "add",
            "FUZZ-2",
            "--name",
            "Plain",
            "--unit",
            value,
            "--price",
            "1",
            "--stock",
            "5",
        ],
        ["products", "add", sku, "--name", "Plain", "--price", "1", "--stock", "5"],
        ["orders", "add", "-c", f"Cust {value}", "--comment", f"Note {value}", "FUZZ-1=2"],
        ["orders", "add", "-c", "Plain", "FUZZ-1=2", "FUZZ-2=2", "CABLE-25=1"],
        ["orders", "add", "-c", "Plain", f"{sku}=2", "CABLE-25=1"],
        ["ship", "2403", "FUZZ-1=1", "FUZZ-2=1"],
        ["ship", "2404", f"{sku}=1"],
        ["invoice", "--all", "--yes"],
        ["create", "2403", "--yes"],
        ["create", "2404", "--yes"],
        ["undo", "2405", "--yes", "--reason", f"Why {value}"],
    ]


# Every command that shows stored text, in the formats for people.
DISPLAY_READERS = [
    ["orders", "list", "--all", "-f", "table"],
    ["orders", "list", "--all", "-f", "plain"],
    ["orders", "list", "--all", "-f", "ids"],
    *[["orders", "show", str(n), "-f", f] for n in (2402, 2403, 2404) for f in ("table", "plain")],
    ["log", "-f", "table"],
    ["log", "-f", "plain"],
    ["chain", "2403", "-f", "table"],
    ["chain", "2404", "-f", "plain"],
    ["ready", "-f", "table"],
    ["ready", "-f", "plain"],
    ["report", "--by", "sku", "-f", "table"],
    ["report", "--by", "customer", "-f", "table"],
    ["report", "--by", "customer", "-f", "plain"],
    ["products", "list", "-f", "table"],
    ["products", "list", "-f", "plain"],
    ["products", "list", "-f", "ids"],
    ["check"],
    ["create", "2402", "--dry-run"],
    ["undo", "2406", "--dry-run"],  # 2406: the backorder of 2404, not undone
    ["invoice", "2402", "2403", "--dry-run"],
    ["ready", "--ship", "--dry-run"],
]


STDIN = [
    "",
    "y\n",
    "yes\n",
    "n\n",
    "2401\n",
    "2401 2399 2398\n",
    "²\n",
    "١٢\n",
    "#2401\n",
    "99999999999999999999\n",
    "-1\n",
    "\x1b[2J\n",
    b"\xff\xfe2401\n",  # invalid UTF-8 on stdin
]
stdin = st.sampled_from(STDIN)

# Who the history says made a change comes from the environment.
LOGNAMES = ["ann", "\x1b]0;pwned\x07ann", "ann\u202e", "[/red]", "a\x9bb"]
logname = st.sampled_from(LOGNAMES)


# ---------------------------------------------------------------- import documents

JSON_LEAVES = st.one_of(
    st.sampled_from(
        [
            7,
            -1,
            0,
            2**63 - 1,
            2**63,
            10**30,
            1.5,
            1e308,
            True,
            None,
            [],
            {},
            {"a": 1},
            [1, 2],
        ]
    ),
    st.sampled_from(HOSTILE),
    st.sampled_from(["2.5", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "garbage"]),
)
CREATED = [
    "2026-11-20T08:05:00Z",
    "2026-11-20T08:05:00",
    "2026-11-20",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "garbage",
    "",
]


@st.composite
def line(draw: st.DrawFn, skus: list[str]) -> dict[str, Any]:
    quantity = draw(st.sampled_from([1, 2, 3, 5, 10, "2.5", "0.005", 150]))
    whole = float(quantity) >= 1 and float(quantity) == int(float(quantity))
    shipped = draw(st.integers(0, int(float(quantity)))) if whole else 0
    invoiced = draw(st.integers(0, shipped))
    canceled = draw(st.integers(0, int(float(quantity)) - shipped)) if whole else 0
    result: dict[str, Any] = {"sku": draw(st.sampled_from(skus)), "quantity": quantity}
    if draw(st.booleans()):
        result["unit_price"] = draw(st.sampled_from(["1.40", 8.9, "0.005", 0]))
    result |= {"shipped": shipped, "invoiced": invoiced, "canceled": canceled}
    return result


@st.composite
def order(draw: st.DrawFn, number: int, skus: list[str], numbers: list[int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "number": number,
        "customer": draw(
            st.sampled_from(TEXTS) | st.sampled_from(['=HYPERLINK("http://evil")', "-x", "@y"])
        ),
        "lines": draw(st.lists(line(skus), min_size=1, max_size=3, unique_by=lambda d: d["sku"])),
    }
    if draw(st.booleans()):
        result["comment"] = draw(st.sampled_from(["", "+cmd|' /C calc'!A0", "Phase 2", "\tx"]))
    if draw(rarely(4)):
        result["status"] = draw(st.sampled_from(["draft", "canceled", "booked", "invoiced"]))
    if draw(rarely(6)):
        result["backorder_of"] = draw(st.sampled_from([2401, 2398, 2391, *numbers]))
    if draw(st.booleans()):
        result["created_at"] = draw(st.sampled_from(CREATED[:2]) | st.sampled_from(CREATED))
    if draw(rarely(6)):
        result["archived"] = draw(st.booleans())
    return result


@st.composite
def document(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible import document: new products, orders 3000-3002 on old and new SKUs."""
    products = [
        {"sku": sku, "name": f"Fuzz {sku}", "unit": "pcs", "price": "1.95", "stock": 10}
        for sku in draw(st.lists(st.sampled_from(NEW_SKUS), unique=True, max_size=2))
    ]
    skus = [p["sku"] for p in products] + ["CABLE-15", "BOX-68", "SWITCH-1"]
    numbers = draw(st.lists(st.sampled_from([3000, 3001, 3002]), unique=True, max_size=3))
    orders = [draw(order(n, skus, numbers)) for n in numbers]
    result: dict[str, Any] = {"products": products, "orders": orders}
    if draw(rarely(5)):
        result["settings"] = {"inventory-value-on-invoicing": draw(st.sampled_from(["on", "off"]))}
    return result


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, sub in value.items():
            found += _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            found += _paths(sub, (*prefix, index))
    return found


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if new is _DELETE and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(value[head], rest, new)
        return copy
    copy_list = list(value)
    if new is _DELETE and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _replace(value[head], rest, new)
    return copy_list


_DELETE = object()


@st.composite
def mutated_document(draw: st.DrawFn) -> Any:
    """A document with 0-3 of its values replaced by wrong types, hostile text, huge
    numbers or nesting, or deleted."""
    doc: Any = draw(document())
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        path = draw(st.sampled_from(_paths(doc)))
        new = draw(st.one_of(JSON_LEAVES, st.just(_DELETE)))
        if new is _DELETE and not path:
            continue
        doc = _replace(doc, path, new)
    return doc


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_TWEAKS = [
    lambda body: "\ufeff" + body,  # a UTF-8 BOM
    lambda body: body[: len(body) // 2],  # cut off
    lambda body: '{"orders": ' + _deep(5000) + "}",  # nested 5,000 deep
    lambda body: body.replace('"customer": "', '"customer": "\\ud800', 1),  # a lone surrogate
    lambda body: "",
    lambda body: body.replace('"number": 30', '"number": 0030', 1),
    lambda body: body.replace('"number": 30', '"number": "3_0', 1),
    lambda body: body.replace('"number": 300', '"number": 1e3', 1),
]


@st.composite
def json_file(draw: st.DrawFn) -> bytes:
    """The JSON import format: a document, mutated or not, now and then made unreadable."""
    doc = draw(mutated_document())
    body = json.dumps(doc, ensure_ascii=draw(st.booleans()), default=str)
    tweak = draw(st.integers(-20, len(JSON_TWEAKS)))  # below 0: as it is
    if 0 <= tweak < len(JSON_TWEAKS):
        body = JSON_TWEAKS[tweak](body)
    data = body.encode("utf-8", "surrogatepass")
    if tweak == len(JSON_TWEAKS):
        data += b"\xff\xfe"  # invalid UTF-8
    return data


CSV_HEADER = ["order", "customer", "sku", "quantity", "unit_price", "comment", "shipped"]
CSV_HEADER += ["invoiced", "canceled", "status", "archived", "backorder_of", "created_at"]


@st.composite
def csv_file(draw: st.DrawFn) -> bytes:
    """The CSV import format, valid or broken: duplicate or missing columns, blank lines,
    a BOM, CRLF, huge fields, hostile cells."""
    doc = draw(document())
    header = list(draw(st.permutations(CSV_HEADER)))
    if draw(rarely(6)):
        header.append(draw(st.sampled_from(header)))  # a duplicated column
    if draw(rarely(6)):
        header.remove(draw(st.sampled_from(header)))  # a missing column
    rows = []
    for o in doc["orders"]:
        for ln in o["lines"]:
            record = {
                "order": o["number"],
                "customer": o["customer"],
                "comment": o.get("comment", ""),
                "status": o.get("status", ""),
                "archived": "" if o.get("archived") is None else str(o["archived"]).lower(),
                "backorder_of": o.get("backorder_of", ""),
                "created_at": o.get("created_at", ""),
                "sku": ln["sku"] if ln["sku"] not in NEW_SKUS else "LED-9W",
                "quantity": ln["quantity"],
                "unit_price": ln.get("unit_price", ""),
                "shipped": ln["shipped"],
                "invoiced": ln["invoiced"],
                "canceled": ln["canceled"],
            }
            rows.append([record.get(column, "") for column in header])
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        if not rows:
            break
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(header) - 1))
        rows[row][column] = draw(
            st.one_of(st.sampled_from(HOSTILE[:35]), st.just("9" * 30), st.just("x" * 140_000))
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if draw(rarely(7)):
            out.write("\n")  # a blank line
    body = out.getvalue()
    if draw(rarely(7)):
        body = "\ufeff" + body
    if draw(rarely(11)):
        body += '3001,"unterminated\n'
    return body.encode("utf-8", "surrogatepass")
