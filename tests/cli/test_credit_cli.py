"""`backorder credit`, `invoices list` and `invoices show` from the command line: exact
output, exit codes, the question, dry runs, refusals with the database unchanged, a
failed print after the commit, and `check` clean after every write."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
import rich.cells
from typer.testing import CliRunner, Result

from backorder_cli.cli import app

# pager imported here, before a test takes stdout for a terminal: it keeps the real test
from backorder_cli.cli.output import columns, pager  # noqa: F401
from backorder_cli.cli.output.invoices import invoices_table
from backorder_cli.services import invoices as invoices_service
from backorder_cli.storage.database import Database
from backorder_cli.storage.schema import init_database
from tests.cli.test_output_fails_after_commit import run_to_full_disk
from tests.conftest import snapshot
from tests.helpers.data import partially_shipped_company


def run(shop: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(app, ["--db", str(shop), *args], input=input)


def checked(shop: Path) -> None:
    result = run(shop, "check")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("No problems found"), result.output


# Invoice #5 of the sample: order #2399, 200.5 m CABLE-25 (390.98), 4 SWITCH-1 (35.60).


def test_credit_with_yes_prints_the_credit_note(shop: Path) -> None:
    result = run(shop, "credit", "5", "SWITCH-1=1", "--reason", "broken", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Credit note #7 for invoice #5: total -8.90 (order #2399 now partially shipped).\n"
    )
    assert result.stderr == ""
    checked(shop)


def test_credit_in_json_gives_the_credit_note_with_its_negative_lines(shop: Path) -> None:
    result = run(shop, "credit", "#5", "--yes", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "number": 7,
        "credit_of": 5,
        "order": 2399,
        "order_status": "partially_shipped",
        "reason": "",
        "total": -426.58,
        "lines": [
            {"sku": "CABLE-25", "quantity": -200.5, "amount": -390.98},
            {"sku": "SWITCH-1", "quantity": -4, "amount": -35.6},
        ],
    }
    checked(shop)


def test_the_question_shows_the_plan_and_no_changes_nothing(shop: Path, at_terminal: None) -> None:
    before = snapshot(shop)
    result = run(shop, "credit", "5", "CABLE-25=0.5", input="n\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Invoice #5 (order #2399, Aarhus Installations): credit note #7 gives back:" in (
        result.stderr
    )
    assert "0.98" in result.stderr  # the share of 390.98 for 0.5 of 200.5
    assert "Total of the credit note: -0.98" in result.stderr
    assert result.stderr.endswith("Continue? [y/N] Aborted: nothing was changed.\n")
    assert snapshot(shop) == before


def test_the_question_answered_yes_credits(shop: Path, at_terminal: None) -> None:
    result = run(shop, "credit", "5", "CABLE-25=0.5", input="y\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Credit note #7 for invoice #5: total -0.98 ")
    checked(shop)


def test_a_dry_run_shows_the_plan_and_changes_nothing(shop: Path) -> None:
    before = snapshot(shop)
    text = run(shop, "credit", "5", "--dry-run")
    assert text.exit_code == 0, text.output
    assert "credit note #7 gives back:" in text.stdout
    assert "Total of the credit note: -426.58" in text.stdout
    assert text.stderr == "Dry run: nothing was changed.\n"
    as_json = run(shop, "credit", "5", "SWITCH-1=2", "--dry-run", "-f", "json", "--reason", "r")
    assert json.loads(as_json.stdout) == {
        "number": 7,
        "credit_of": 5,
        "order": 2399,
        "reason": "r",
        "total": -17.8,
        "lines": [{"sku": "SWITCH-1", "quantity": -2, "amount": -17.8}],
    }
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["5", "SWITCH-1=5"],
            "Error: invoice #5 billed 4 x SWITCH-1 not yet credited, so 5 cannot be credited - "
            "credit at most 4",
        ),
        (
            ["5", "BOX-68=1"],
            "Error: BOX-68 is not on invoice #5 - see its lines with `backorder invoices show 5`",
        ),
        (
            ["99", "--yes"],
            "Error: invoice #99 not found - list invoices with `backorder invoices list`",
        ),
        (
            ["99", "--dry-run"],
            "Error: invoice #99 not found - list invoices with `backorder invoices list`",
        ),
    ],
)
def test_refusals_are_one_line_exit_1_and_change_nothing(
    shop: Path, args: list[str], message: str
) -> None:
    before = snapshot(shop)
    result = run(shop, "credit", *args, "--yes")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message + "\n")
    assert snapshot(shop) == before


def test_crediting_a_credit_note_or_twice_in_full_is_refused(shop: Path) -> None:
    assert run(shop, "credit", "5", "--yes").exit_code == 0
    before = snapshot(shop)
    again = run(shop, "credit", "5", "--yes")
    assert again.exit_code == 1
    assert again.stderr == (
        "Error: invoice #5 is credited in full already - see its credit notes with "
        "`backorder invoices list`\n"
    )
    note = run(shop, "credit", "7", "--yes")
    assert note.stderr == (
        "Error: #7 is a credit note (of invoice #5) - credit the invoice: `backorder credit 5`\n"
    )
    assert snapshot(shop) == before
    checked(shop)


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["x"], "INVOICE"),
        (["5", "CABLE-25=abc"], "'ITEMS'"),
        (["5", "CABLE-25=1@2"], "'ITEMS'"),
        (["5", "CABLE-25=1", "CABLE-25=2"], "'ITEMS'"),
        (["5", "--reason", "a\x1bb"], "--reason"),
        (["5", "-f", "xml"], "--format"),
    ],
)
def test_bad_values_are_usage_errors(shop: Path, args: list[str], where: str) -> None:
    before = snapshot(shop)
    result = run(shop, "credit", *args, "--yes")
    assert result.exit_code == 2, result.output
    assert where in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(shop) == before


def test_a_failed_print_after_the_credit_says_what_was_saved(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(shop)
    code, stderr = run_to_full_disk(monkeypatch, capsys, "--db", str(shop), "credit", "5", "-y")
    assert code == 1
    assert stderr.splitlines()[-1] == (
        f"Error: the change was saved (`backorder --db {shop} credit 5 -y`); only printing "
        "the result failed: No space left on device - do not run it again; see the result "
        "with `invoices list`"
    )
    assert "nothing was changed" not in stderr
    assert snapshot(shop) != before
    assert json.loads(run(shop, "invoices", "show", "7", "-f", "json").stdout)["credit_of"] == 5
    checked(shop)


def test_the_credit_is_in_the_orders_history_and_the_log(shop: Path) -> None:
    run(shop, "credit", "5", "SWITCH-1=1", "--reason", "broken", "--yes")
    shown = json.loads(run(shop, "orders", "show", "2399", "-f", "json").stdout)
    entry = shown["history"][-1]
    assert entry["event"] == "credited"
    assert entry["detail"] == "credit note #7 for invoice #5: 1 x SWITCH-1, total -8.90; broken"
    assert set(entry) == {"at", "user", "event", "detail"}  # when and who, stamped
    assert [(i["number"], i["total"], i["credit_of"]) for i in shown["invoices"]] == [
        (5, 426.58, None),
        (7, -8.9, 5),
    ]
    table = run(shop, "orders", "show", "2399", "-f", "table").stdout
    assert "Credit of" in table
    assert "credit note #7" in run(shop, "log").stdout


# ---------------------------------------------------------------- invoices list / show


def test_invoices_list_shows_credit_notes_in_every_format(shop: Path) -> None:
    run(shop, "credit", "5", "SWITCH-1=1", "--reason", "broken", "--yes")
    plain = run(shop, "invoices", "list", "--order", "2399", "-f", "plain").stdout.splitlines()
    assert plain[0] == "number\tkind\torder\tcustomer\tcredit_of\ttotal\tcreated_at\treason"
    assert [row.split("\t")[:6] + row.split("\t")[7:] for row in plain[1:]] == [
        ["7", "credit", "2399", "Aarhus Installations", "5", "-8.90", "broken"],
        ["5", "invoice", "2399", "Aarhus Installations", "", "426.58", ""],
    ]
    rows = list(csv.DictReader(io.StringIO(run(shop, "invoices", "list", "-f", "csv").stdout)))
    assert [r["number"] for r in rows] == ["7", "6", "5", "4", "3", "2", "1"]
    assert rows[0]["credit_of"] == "5" and rows[0]["total"] == "-8.90"
    listed = json.loads(run(shop, "invoices", "list", "--customer", "aarhus", "-f", "json").stdout)
    assert [(i["number"], i["kind"], i["total"]) for i in listed] == [
        (7, "credit", -8.9),
        (5, "invoice", 426.58),
    ]
    assert run(shop, "invoices", "list", "-f", "ids").stdout == "7\n6\n5\n4\n3\n2\n1\n"
    table = run(shop, "invoices", "list", "--order", "2399", "-f", "table")
    assert "#7" in table.stdout and "credit" in table.stdout and "-8.90" in table.stdout
    empty = run(shop, "invoices", "list", "--order", "2401", "--customer", "nobody")
    assert (empty.exit_code, empty.stdout) == (
        0,
        "number\tkind\torder\tcustomer\tcredit_of\ttotal\tcreated_at\treason\n",
    )


def test_invoices_list_as_json_is_this_exact_text(shop: Path) -> None:
    """The JSON listing's bytes: two-space indent, keys in field order, exact numbers
    (a credit note's negative total, a total's trailing zero dropped), times in UTC."""
    run(shop, "credit", "5", "SWITCH-1=1", "--reason", 'broken "x" \u202e', "--yes")
    out = run(shop, "invoices", "list", "--order", "2399", "-f", "json").stdout
    times = re.findall(r'"created_at": "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"', out)
    assert len(times) == 2
    assert out == (
        "[\n"
        "  {\n"
        '    "number": 7,\n'
        '    "kind": "credit",\n'
        '    "order": 2399,\n'
        '    "customer": "Aarhus Installations",\n'
        '    "credit_of": 5,\n'
        '    "total": -8.9,\n'
        f'    "created_at": "{times[0]}",\n'
        '    "reason": "broken \\"x\\" \\u202e"\n'
        "  },\n"
        "  {\n"
        '    "number": 5,\n'
        '    "kind": "invoice",\n'
        '    "order": 2399,\n'
        '    "customer": "Aarhus Installations",\n'
        '    "credit_of": null,\n'
        '    "total": 426.58,\n'
        f'    "created_at": "{times[1]}",\n'
        '    "reason": ""\n'
        "  }\n"
        "]\n"
    )


def test_invoices_show_gives_lines_amounts_and_the_net(shop: Path) -> None:
    run(shop, "credit", "5", "CABLE-25=0.5", "--yes")
    shown = json.loads(run(shop, "invoices", "show", "5", "-f", "json").stdout)
    assert shown["credit_notes"] == [7]
    assert shown["total"] == 426.58 and shown["net"] == 425.6
    assert [(ln["sku"], ln["quantity"], ln["amount"]) for ln in shown["lines"]] == [
        ("CABLE-25", 200.5, 390.98),
        ("SWITCH-1", 4, 35.6),
    ]
    note = json.loads(run(shop, "invoices", "show", "7", "-f", "json").stdout)
    assert (note["kind"], note["credit_of"], note["total"]) == ("credit", 5, -0.98)
    assert note["lines"][0]["quantity"] == -0.5
    rows = list(csv.DictReader(io.StringIO(run(shop, "invoices", "show", "7", "-f", "csv").stdout)))
    assert [(r["number"], r["sku"], r["quantity"], r["amount"]) for r in rows] == [
        ("7", "CABLE-25", "-0.5", "-0.98")
    ]
    table = run(shop, "invoices", "show", "5", "-f", "table").stdout
    assert "Invoice #5" in table and "Net" in table and "425.60" in table
    table = run(shop, "invoices", "show", "7", "-f", "table").stdout
    assert "Credit note #7" in table and "Credit of" in table
    ids = run(shop, "invoices", "show", "5", "-f", "ids")
    assert ids.exit_code == 2
    missing = run(shop, "invoices", "show", "70")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "Error: invoice #70 not found - list invoices with `backorder invoices list`\n",
    )


def test_invoices_list_on_thousands_of_invoices_in_every_format(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    document = tmp_path / "big.json"
    document.write_text(partially_shipped_company(3000))
    assert run(db, "init").exit_code == 0
    assert run(db, "import", str(document)).exit_code == 0
    for number in (1, 1500, 3000):
        assert run(db, "credit", str(number), "--yes").exit_code == 0
    expected = 3003
    plain = run(db, "invoices", "list", "-f", "plain").stdout.splitlines()
    assert len(plain) == expected + 1
    assert plain[1].split("\t")[:5] == ["3003", "credit", "13000", "Customer 2", "3000"]
    assert (
        len(list(csv.DictReader(io.StringIO(run(db, "invoices", "list", "-f", "csv").stdout))))
        == expected
    )
    listed = json.loads(run(db, "invoices", "list", "-f", "json").stdout)
    assert len(listed) == expected
    assert sum(1 for i in listed if i["kind"] == "credit") == 3
    assert len(run(db, "invoices", "list", "-f", "ids").stdout.splitlines()) == expected
    table = run(db, "invoices", "list", "-f", "table").stdout
    assert table.count("#") >= expected
    assert len(run(db, "invoices", "list", "--order", "11500", "-f", "ids").stdout.split()) == 2
    checked(db)


# ------------------------------------- invoices list: the newest 50, --limit, streaming

MANY = 3000  # invoices in the `many` database, one per order


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Thousands of invoiced orders (read only: tests on it do not write)."""
    db = tmp_path_factory.mktemp("many") / "many.db"
    document = db.with_suffix(".json")
    document.write_text(partially_shipped_company(MANY))
    assert run(db, "init").exit_code == 0
    assert run(db, "import", str(document)).exit_code == 0
    return db


def test_invoices_list_at_a_terminal_shows_the_newest_50_and_says_how_many_more(
    many: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command takes stdout for a terminal (the pager module keeps the real test).
    monkeypatch.setattr("backorder_cli.cli.output.text.is_terminal", lambda stream=None: True)
    monkeypatch.setenv("BACKORDER_PAGER", "")
    shown = run(many, "invoices", "list", "-f", "ids")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.split() == [str(n) for n in range(MANY, MANY - 50, -1)]
    assert shown.stderr == (
        f"Showing the newest 50 of {MANY:,} invoices; {MANY - 50:,} more - list them all "
        "with --limit 0, or pick a number with --limit N.\n"
    )
    table = run(many, "invoices", "list", "--no-pager", "-f", "table")
    assert table.exit_code == 0, table.output
    assert len(re.findall(r"^ *#\d+ ", table.stdout, flags=re.MULTILINE)) == 50
    assert table.stderr.startswith("Showing the newest 50 of 3,000 invoices")
    every = run(many, "invoices", "list", "--limit", "0", "-f", "ids")
    assert (len(every.stdout.split()), every.stderr) == (MANY, "")
    seven = run(many, "invoices", "list", "--limit", "7", "-f", "ids")
    assert (seven.stdout.split(), seven.stderr) == ([str(MANY - n) for n in range(7)], "")
    # Fewer than 50 match: all of them, and nothing to say.
    one = run(many, "invoices", "list", "--order", "11500", "-f", "ids")
    assert (one.stdout.split(), one.stderr) == (["1500"], "")


def test_piped_invoices_list_gives_every_invoice_unless_limited(many: Path) -> None:
    piped = run(many, "invoices", "list", "-f", "ids")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.split() == [str(n) for n in range(MANY, 0, -1)]
    assert piped.stderr == ""
    limited = run(many, "invoices", "list", "--limit", "2", "--customer", "customer 3", "-f", "csv")
    assert [r["customer"] for r in csv.DictReader(io.StringIO(limited.stdout))] == [
        "Customer 36",
        "Customer 35",
    ]


@pytest.mark.parametrize("value", ["-1", "x", "1.5", "99999999999999999999"])
def test_a_bad_limit_is_a_usage_error(shop: Path, value: str) -> None:
    result = run(shop, "invoices", "list", "--limit", value)
    assert result.exit_code == 2, result.output
    assert "the limit must be a whole number from 0 (no limit) to" in result.stderr
    assert "Traceback" not in result.output


def test_no_pager_is_accepted_by_list_and_show(shop: Path) -> None:
    for args in (["invoices", "list", "-f", "table"], ["invoices", "show", "5", "-f", "table"]):
        plain = run(shop, *args)
        unpaged = run(shop, *args, "--no-pager")
        assert (unpaged.exit_code, unpaged.stdout) == (0, plain.stdout), unpaged.output
    assert "#2399" in unpaged.stdout and "CABLE-25" in unpaged.stdout


def test_the_invoices_table_gets_its_rows_one_by_one_from_the_database(
    many: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _created = init_database(str(many))
    seen: list[str] = []

    def invoices() -> Iterator[object]:
        for n, invoice in enumerate(invoices_service.iter_invoices(db)):
            if n == 3 * columns.CHUNK:
                seen.append(capsys.readouterr().out)
            yield invoice

    assert invoices_table(invoices()) == MANY
    # When the fourth chunk was read, the first chunks were already out.
    assert seen[0].count("\n") >= columns.CHUNK
    assert "#3000" in seen[0] and "#1 " not in seen[0]


def _peak_listing(db: Database, limit: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """The peak memory (bytes) of the table of the newest `limit` invoices, printed to
    nowhere (a captured stdout would hold it all), with Rich's cache of text widths off
    (it holds up to 4096 strings, whatever the listing)."""
    with open(os.devnull, "w") as nowhere:
        monkeypatch.setattr(sys, "stdout", nowhere)
        monkeypatch.setattr(rich.cells, "cached_cell_len", rich.cells._cell_len)
        tracemalloc.start()
        try:
            assert invoices_table(invoices_service.iter_invoices(db, limit=limit)) == limit
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            monkeypatch.undo()


def test_listing_every_invoice_takes_no_more_memory_than_listing_half(
    many: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _created = init_database(str(many))
    _peak_listing(db, MANY, monkeypatch)  # warmed up: imports, compiled queries
    half = _peak_listing(db, MANY // 2, monkeypatch)
    every = _peak_listing(db, MANY, monkeypatch)
    # Streamed: twice the rows, the same peak (a chunk and a batch at a time); a list of
    # every invoice first takes about 1.7 times as much, a table built whole far more.
    assert every < 1.1 * half, (half, every)


def test_invoices_are_counted_as_they_are_listed(sample_db: Database) -> None:
    invoices_service.credit_invoice(sample_db, 5, reason="broken")
    for filters in ({}, {"order": 2399}, {"customer": "AARHUS"}, {"customer": "nobody"}):
        listed = list(invoices_service.iter_invoices(sample_db, **filters))  # type: ignore[arg-type]
        assert invoices_service.count_invoices(sample_db, **filters) == len(listed)  # type: ignore[arg-type]
    newest = invoices_service.iter_invoices(sample_db, limit=3)
    assert [i.number for i in newest] == [7, 6, 5]
    assert [i.number for i in invoices_service.iter_invoices(sample_db, order=2399)] == [7, 5]


def test_without_a_terminal_the_credit_refuses_before_planning(shop: Path) -> None:
    before = (shop).read_bytes()
    result = run(shop, "credit", "5", "CABLE-25=0.5", input="y\n")
    assert result.exit_code == 2, result.output
    assert "no terminal to confirm on - pass --yes" in result.stderr
    assert result.stdout == ""
    assert shop.read_bytes() == before
