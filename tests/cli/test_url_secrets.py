"""No part of a secret in a --db URL is ever printed: not the password of the user
part (however many @ it holds, percent-encoded or not), not a password, passfile or
sslpassword in the query, in any message: bad URL, unknown or missing driver, server
unreachable, refused, missing database, not a backorder database, driver errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from backorder_cli.cli import app
from backorder_cli.storage.urls import mask_url

# Fragments of every secret below: none may appear in any output.
FRAGMENTS = ["SECRETQ", "CRETQ", "hunter2", "secret99", "SEC%52", "%40RET", "Xpass", "passfileX"]
DOWN = "127.0.0.1:1"  # nothing listens there: refused at once
SERVER = "127.0.0.1:5432"  # the test server (trust auth: any password is accepted)

URLS = [
    f"postgresql+psycopg://u@{DOWN}/db?password=SECRETQ",
    f"postgresql+psycopg://ann:hunter2@secret99@{DOWN}/db",
    f"postgresql+psycopg://ann:hunter2@secret99@x/y@{DOWN}/db",
    f"postgresql+psycopg://ann:SECRETQ@{DOWN}/db",
    f"postgresql+psycopg://ann:SEC%40RETQ@{DOWN}/db",
    f"postgresql+psycopg://ann:SEC/RE?TQ@{DOWN}/db",
    f"postgresql+psycopg://u@{DOWN}/db?sslpassword=SECRETQ&passfile=/tmp/passfileX",
    f"postgresql+psycopg://u@{DOWN}/db?pass%77ord=SEC%52ETQ",
    f"postgresql+psycopg://u@{DOWN}/db?sslmode=disable&password=SECRETQ&password=Xpass",
    "postgresql+psycopg://ann:SECRETQ@h:abc/db",  # bad port
    "mysql+nosuchdriver://ann:SECRETQ@h/db?password=SECRETQ",  # unknown driver
    "postgresql+psycopg://ann:SECRETQ@/db?host=/no/such/socket&password=SECRETQ",
    f"postgresql+psycopg://postgres:SECRETQ@{SERVER}/no_such_db_x?password=SECRETQ",
    f"postgresql+psycopg://postgres:SECRETQ@{SERVER}/test?password=SECRETQ&bogus_option=1",
    f"postgresql+psycopg://nobody_here:SECRETQ@{SERVER}/test?sslpassword=SECRETQ",
    f"postgresql+psycopg://postgres:SECRETQ@{SERVER}/test?options=-csearch_path%3Dnone_here",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("command", [["orders", "list"], ["init"]])
def test_no_message_shows_any_part_of_a_secret(url: str, command: list[str]) -> None:
    result = CliRunner().invoke(app, ["--db", url, *command])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output and "internal error" not in result.output
    for fragment in FRAGMENTS:
        assert fragment not in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://u@h/db?password=SECRETQ",
            "postgresql+psycopg://u@h/db?password=***",
        ),
        (
            "postgresql+psycopg://ann:hunter2@secret99@host/db",
            "postgresql+psycopg://ann:***@host/db",
        ),
        ("postgresql://ann:SEC%40RETQ@h:5432/db", "postgresql://ann:***@h:5432/db"),
        (
            "postgresql://u@h/db?sslmode=require&Pass%77ord=x&sslpassword=y&passfile=z",
            "postgresql://u@h/db?sslmode=require&Pass%77ord=***&sslpassword=***&passfile=***",
        ),
        (
            "postgresql://u@h/db?options=-csearch_path%3Dt1",
            "postgresql://u@h/db?options=-csearch_path%3Dt1",
        ),
        # An @ in the query hides more than needed, never less.
        ("postgresql://h/db?user=ann@x", "postgresql://h:***@x"),
    ],
)
def test_a_url_is_shown_with_its_secrets_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_a_raw_at_in_the_password_is_refused_with_how_to_write_it() -> None:
    result = CliRunner().invoke(
        app, ["--db", "postgresql+psycopg://ann:hunter2@secret99@host/db", "orders", "list"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --db URL has an @ in its user name or password - write it there as %40 "
        "(and : / ? # as %3A %2F %3F %23)\n"
    )


def test_the_messages_of_a_working_server_database_show_no_secret(pg_target: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_target).set(password="SECRETQ")
    url = url.update_query_dict({"sslpassword": "SECRETQ"}).render_as_string(hide_password=False)
    for args in (["init"], ["init"], ["migrate"], ["check"], ["orders", "list"]):
        result = CliRunner().invoke(app, ["--db", url, *args])
        assert result.exit_code == 0, result.output
        assert "SECRETQ" not in result.output
    assert ":***@" in CliRunner().invoke(app, ["--db", url, "init"]).stderr
