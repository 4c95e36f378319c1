"""Database errors in the tool's words: one line, what to do, never a password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from ..errors import DatabaseProblem, TransactionConflict
from .urls import scrub

if TYPE_CHECKING:
    from .database import Location


# SQLite's primary result codes (the low byte of an extended code), as Python 3.11+
# gives them on `sqlite3.Error.sqlite_errorcode`.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_CORRUPT, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 14, 26


def explain(exc: DatabaseError, location: Location) -> DatabaseProblem:
    """Turn a driver error into a message a user can act on, with no secret of the URL
    (the URL is named by `display`; the driver's own text is scrubbed).

    Errors are recognised by their codes, which mean the same in every server language:
    SQLite's result code, PostgreSQL's SQLSTATE. Only where a driver gives no code (a
    connection that failed before the server could answer with one, or an error made
    by hand in a test) are its words read instead.
    """
    orig = exc.orig
    text = scrub(str(orig) if orig is not None else str(exc), location)
    where = location.display
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        by_code = _explain_sqlstate(str(sqlstate), orig, location)
        if by_code is not None:
            return by_code
    elif location.path is None:
        server = _explain_server(text, location)
        if server is not None:
            return server
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    lowered = text.lower()
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or (
        primary is None and ("locked" in lowered or "busy" in lowered)
    ):
        return DatabaseProblem(
            f"database is busy: another process is writing to {where} - try again",
            code="busy",
        )
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT) or (
        primary is None and ("not a database" in lowered or "malformed" in lowered)
    ):
        return DatabaseProblem(
            f"{where} is not a backorder database (not SQLite, or damaged) - "
            "check --db, or create a new one with `backorder init`"
        )
    if primary == _SQLITE_READONLY or (
        primary is None and ("readonly" in lowered or "read-only" in lowered)
    ):
        return DatabaseProblem(
            f"database {where} is read-only - give yourself write access to it and its folder"
        )
    if primary == _SQLITE_CANTOPEN or (primary is None and "unable to open" in lowered):
        return DatabaseProblem(f"cannot open database {where} - check the path and permissions")
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DatabaseProblem(f"database error on {where}: {first_line}")


def _refused_user(location: Location) -> DatabaseProblem:
    return DatabaseProblem(
        f"the server refused user {make_url(location.url).username or '(none)'!r} for "
        f"{location.display}: wrong user or password - check the URL (or ~/.pgpass)"
    )


def _missing_database(location: Location) -> DatabaseProblem:
    name = make_url(location.url).database
    return DatabaseProblem(
        f"database {name!r} does not exist on the server of {location.display} - "
        f"create it with `createdb {name}` and then `backorder init`"
    )


def _unreachable(location: Location) -> DatabaseProblem:
    return DatabaseProblem(
        f"cannot reach the database server of {location.display} - check that it is "
        "running and that host and port are right"
    )


def _busy(location: Location, *, conflict: bool = False) -> DatabaseProblem:
    """`conflict`: the server rolled the transaction back to break a deadlock or a
    serialization conflict (`TransactionConflict`: safe to run again)."""
    kind = TransactionConflict if conflict else DatabaseProblem
    return kind(
        f"database is busy: another user is changing {location.display} - try again",
        code="busy",
    )


def _same_key(what_text: str, location: Location) -> DatabaseProblem:
    # Every command looks for an existing SKU or number before it writes; on a server
    # another user's transaction can commit the same one in between.
    lowered = what_text.lower()
    what = (
        "a product with the same SKU"
        if "product" in lowered
        else "an invoice with the same number"
        if "invoice" in lowered
        else "a customer with the same name"  # two new customers of one name (schema 8)
        if "customers" in lowered
        else "an order with the same number"
        if "order" in lowered
        else "the same thing"
    )
    return DatabaseProblem(
        f"another user saved {what} in {location.display} at the same moment - nothing was "
        "changed; run the command again to see where things stand",
        code="busy",
    )


def _explain_sqlstate(sqlstate: str, orig: object, location: Location) -> DatabaseProblem | None:
    """A server error by its SQLSTATE (PostgreSQL's codes: the same in every language)."""
    if sqlstate in ("28P01", "28000"):  # invalid password / authorization
        return _refused_user(location)
    if sqlstate == "3D000":  # invalid catalog name: no such database
        return _missing_database(location)
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return _unreachable(location)  # connection exceptions, server shutting down
    if sqlstate in ("40P01", "40001"):  # deadlock detected, serialization failure
        return _busy(location, conflict=True)
    if sqlstate == "23505":  # unique violation: the constraint names the table
        diag = getattr(orig, "diag", None)
        names = " ".join(
            str(getattr(diag, field, None) or "") for field in ("table_name", "constraint_name")
        )
        return _same_key(names, location)
    return None


def _explain_server(text: str, location: Location) -> DatabaseProblem | None:
    """A server error that came without a SQLSTATE: the connection failed before the
    server could send one (libpq then gives only words), so its words are read."""
    lowered = text.lower()
    if "password authentication failed" in lowered or (
        "role" in lowered and "does not exist" in lowered
    ):
        return _refused_user(location)
    if "database" in lowered and "does not exist" in lowered:
        return _missing_database(location)
    if (
        "connection refused" in lowered
        or "could not translate host name" in lowered
        or "failed to resolve host" in lowered
        or "timeout expired" in lowered
        or "no route to host" in lowered
        or "connection failed" in lowered
        or "could not connect" in lowered
    ):
        return _unreachable(location)
    if "deadlock detected" in lowered or "could not serialize" in lowered:
        return _busy(location, conflict=True)
    if "duplicate key value violates unique constraint" in lowered:
        return _same_key(lowered, location)
    return None
