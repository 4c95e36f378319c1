"""`backorder statement` and `backorder notice` on the command line: formats, the
email's sender, refusals with their exit codes, hostile text, nothing written."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from backorder_cli.cli import app
from backorder_cli.storage.database import Database
from tests.conftest import snapshot
from tests.integration.test_letters import build_company, set_contact

Run = Callable[..., Result]


@pytest.fixture
def shop(db: Database, target: str) -> Run:
    build_company(db)
    set_contact(db)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(app, ["--db", target, *args], env=env)

    return run


@pytest.mark.sqlite_only
def test_the_notice_as_an_email_from_the_option_or_the_environment(shop: Run) -> None:
    by_option = shop("notice", "2006", "-f", "eml", "--from", "orders@example.com")
    assert by_option.exit_code == 0, by_option.stderr
    parsed = email.message_from_string(by_option.stdout, policy=email.policy.default)
    assert str(parsed["To"]) == "Nordlys ApS <indkob@nordlys.dk>"
    assert str(parsed["From"]) == "orders@example.com"
    assert parsed["Date"] is not None and parsed["Message-ID"].endswith("@example.com>")
    by_env = shop("notice", "2006", "-f", "eml", env={"BACKORDER_MAIL_FROM": "Shop <s@shop.dk>"})
    assert by_env.exit_code == 0, by_env.stderr
    parsed = email.message_from_string(by_env.stdout, policy=email.policy.default)
    assert str(parsed["From"]) == "Shop <s@shop.dk>"


@pytest.mark.sqlite_only
def test_an_email_without_a_sender_or_with_a_bad_one_is_a_usage_error(
    shop: Run, target: str
) -> None:
    before = snapshot(target)
    none = shop("notice", "2006", "-f", "eml", env={"BACKORDER_MAIL_FROM": ""})
    assert none.exit_code == 2 and none.stdout == ""
    assert none.stderr == (
        "Error: Invalid value for '--from': an email needs a sender - pass --from "
        "orders@example.com or set $BACKORDER_MAIL_FROM\n"
    )
    bad = shop("notice", "2006", "-f", "eml", "--from", "a@b.c\nBcc: x@y.z")
    assert bad.exit_code == 2 and "is not an email address" in bad.stderr
    alone = shop("notice", "2006", "--from", "a@b.c")
    assert alone.exit_code == 2 and "only goes with --format eml" in alone.stderr
    assert snapshot(target) == before


def test_refusals_exit_1_with_what_to_do(shop: Run, target: str) -> None:
    before = snapshot(target)
    no_email = shop("notice", "2003", "-f", "eml", "--from", "orders@example.com")
    assert no_email.exit_code == 1 and no_email.stdout == ""
    assert no_email.stderr.startswith("Error: order #2003 has nothing delivered yet")
    unknown = shop("statement", "Nobody")
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: no customer 'Nobody' - see `backorder customers list`\n"
    wrong = shop("statement", "Nordlys ApS", "-f", "pdf")
    assert wrong.exit_code == 2 and "'pdf' is not one of text, json, markdown, html" in wrong.stderr
    assert snapshot(target) == before


def test_every_format_prints_the_letter(shop: Run) -> None:
    for fmt in ("text", "markdown", "html"):
        result = shop("notice", "2001", "-f", fmt, "--date", "2026-11-26")
        assert result.exit_code == 0, result.stderr
        assert "2026-12-05" in result.stdout and "date to be confirmed" in result.stdout
    for fmt in ("text", "json", "markdown", "html"):
        result = shop("statement", "nordlys aps", "-f", fmt)
        assert result.exit_code == 0, result.stderr
        assert "50.67" in result.stdout


EVIL = "Evil\u202e\x1b[31m <script>x</script> [red]*r*[/red]\n# h"


@pytest.mark.sqlite_only
def test_hostile_text_from_the_database_in_every_format(shop: Run, target: str) -> None:
    """Names, reference and address as another tool could store them (an escape
    sequence, a bidi override, markup of three kinds, a line break): escaped in every
    format for people, kept exactly in JSON."""
    import json

    from tests.conftest import sqlite_connect

    with sqlite_connect(target) as conn:
        conn.execute(
            "UPDATE customers SET name = ?, address = ? WHERE name_key = 'nordlys aps'",
            (EVIL, EVIL),
        )
        conn.execute(
            "UPDATE orders SET customer = ?, reference = ?, address = ? "
            "WHERE number IN (2001, 2002, 2006)",
            (EVIL, EVIL, EVIL),
        )
        conn.execute("UPDATE order_lines SET name = ?", (EVIL,))
    runs = [("notice", "2006", "-f", f) for f in ("text", "markdown", "html")]
    runs += [("statement", "nordlys aps", "-f", f) for f in ("text", "markdown", "html")]
    runs.append(("notice", "2006", "-f", "eml", "--from", "s@example.com"))
    for args in runs:
        result = shop(*args)
        assert result.exit_code == 0, (args, result.stderr)
        out = result.stdout
        assert "\x1b" not in out and "\u202e" not in out, args
        fmt = args[3]
        if fmt == "text":  # as typed, but nothing a terminal acts on; no Rich markup read
            assert "Evil\\u202e\\x1b[31m <script>x</script> [red]*r*[/red]\\n# h" in out
        elif fmt == "markdown":
            assert "<script>" not in out and "*r*" not in out and "\n# h" not in out
            assert "\\<script\\>x\\</script\\> \\[red\\]\\*r\\*\\[/red\\]" in out
        elif fmt == "html":
            assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt;" in out
        else:
            parsed = email.message_from_string(out, policy=email.policy.default)
            page = parsed.get_body(("html",))
            assert page is not None and "<script>" not in page.get_content()
            assert parsed["h"] is None and "\n" not in str(parsed["Subject"])
    as_json = shop("statement", "nordlys aps", "-f", "json")
    document = json.loads(as_json.stdout)
    assert document["customer"]["name"] == EVIL  # JSON keeps the exact text
    assert document["cases"][0]["reference"] == EVIL
    assert "\u202e" not in as_json.stdout  # written as \u202e: safe on a terminal too
