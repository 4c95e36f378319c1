"""Database errors are recognised by their codes (PostgreSQL's SQLSTATE, SQLite's result
code), which mean the same whatever language the server speaks: here the words are
German, so only the code can say what happened."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from backorder_cli.storage.database import locate
from backorder_cli.storage.errors import explain

SERVER = "postgresql+psycopg://ann:s3cret@10.0.0.5/orders"
SHOWN = "postgresql+psycopg://ann:***@10.0.0.5/orders"


class ServerError(Exception):
    """What psycopg raises: the server's (localised) words and the SQLSTATE."""

    def __init__(self, words: str, sqlstate: str, **diag: str) -> None:
        super().__init__(words)
        self.sqlstate = sqlstate
        self.diag = SimpleNamespace(**({"table_name": None, "constraint_name": None} | diag))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            ServerError("Passwort-Authentifizierung für Benutzer »ann« fehlgeschlagen", "28P01"),
            f"the server refused user 'ann' for {SHOWN}: wrong user or password",
        ),
        (
            ServerError("Datenbank »orders« existiert nicht", "3D000"),
            f"database 'orders' does not exist on the server of {SHOWN}",
        ),
        (
            ServerError("Verklemmung (Deadlock) entdeckt", "40P01"),
            f"database is busy: another user is changing {SHOWN} - try again",
        ),
        (
            ServerError("konnte Zugriff nicht serialisieren", "40001"),
            f"database is busy: another user is changing {SHOWN} - try again",
        ),
        (
            ServerError("Verbindung zum Server verloren", "08006"),
            f"cannot reach the database server of {SHOWN}",
        ),
        (
            ServerError(
                "doppelter Schlüsselwert verletzt Unique-Constraint",
                "23505",
                table_name="products",
                constraint_name="ix_products_sku",
            ),
            f"another user saved a product with the same SKU in {SHOWN} at the same moment",
        ),
        (
            ServerError(
                "doppelter Schlüsselwert verletzt Unique-Constraint",
                "23505",
                table_name="customers",
                constraint_name="customers_name_key_key",
            ),
            f"another user saved a customer with the same name in {SHOWN} at the same moment",
        ),
    ],
    ids=[
        "password",
        "no-database",
        "deadlock",
        "serialization",
        "connection",
        "duplicate",
        "same-customer",
    ],
)
def test_a_server_error_is_named_by_its_sqlstate_in_any_language(
    error: ServerError, expected: str
) -> None:
    wrapper = IntegrityError if error.sqlstate == "23505" else OperationalError
    problem = explain(wrapper("statement", {}, error), locate(SERVER))
    assert problem.message.startswith(expected), problem.message
    assert "s3cret" not in problem.message


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (5, "database is busy: another process is writing to"),
        (517, "database is busy: another process is writing to"),  # SQLITE_BUSY_SNAPSHOT
        (26, "is not a backorder database"),
        (11, "is not a backorder database"),
        (8, "is read-only"),
        (14, "cannot open database"),
    ],
)
def test_a_sqlite_error_is_named_by_its_result_code(
    tmp_path: Path, code: int, expected: str
) -> None:
    error = sqlite3.OperationalError("Fehler: etwas ging schief")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]  # set as the driver sets it
    problem = explain(OperationalError("statement", {}, error), locate(str(tmp_path / "x.db")))
    assert expected in problem.message, problem.message
