"""Database errors in the tool's words: one line, what to do, never a password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from ..errors import DatabaseProblem
from .urls import scrub

if TYPE_CHECKING:
    from .database import Location


def explain(exc: DatabaseError, location: Location) -> DatabaseProblem:
    """Turn a driver error into a message a user can act on, with no secret of the URL
    (the URL is named by `display`; the driver's own text is scrubbed)."""
    text = scrub(str(exc.orig) if exc.orig is not None else str(exc), location)
    where = location.display
    server = _explain_server(text, location)
    if server is not None:
        return server
    if "locked" in text or "busy" in text:
        return DatabaseProblem(
            f"database is busy: another process is writing to {where} - try again"
        )
    if "not a database" in text or "malformed" in text:
        return DatabaseProblem(
            f"{where} is not a backorder database (not SQLite, or damaged) - "
            "check --db, or create a new one with `backorder init`"
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseProblem(
            f"database {where} is read-only - give yourself write access to it and its folder"
        )
    if "unable to open" in text:
        return DatabaseProblem(f"cannot open database {where} - check the path and permissions")
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DatabaseProblem(f"database error on {where}: {first_line}")


def _explain_server(text: str, location: Location) -> DatabaseProblem | None:
    """A database server's refusals (PostgreSQL's wording), in words a user can act on.
    The URL is named without its password; the server's text never contains it."""
    if location.path is not None:
        return None
    url = make_url(location.url)
    where = location.display
    lowered = text.lower()
    if "password authentication failed" in lowered or (
        "role" in lowered and "does not exist" in lowered
    ):
        return DatabaseProblem(
            f"the server refused user {url.username or '(none)'!r} for {where}: wrong user or "
            "password - check the URL (or ~/.pgpass)"
        )
    if "database" in lowered and "does not exist" in lowered:
        return DatabaseProblem(
            f"database {url.database!r} does not exist on the server of {where} - "
            f"create it with `createdb {url.database}` and then `backorder init`"
        )
    if (
        "connection refused" in lowered
        or "could not translate host name" in lowered
        or "failed to resolve host" in lowered
        or "timeout expired" in lowered
        or "no route to host" in lowered
        or "connection failed" in lowered
        or "could not connect" in lowered
    ):
        return DatabaseProblem(
            f"cannot reach the database server of {where} - check that it is running "
            "and that host and port are right"
        )
    if "deadlock detected" in lowered or "could not serialize" in lowered:
        return DatabaseProblem(f"database is busy: another user is changing {where} - try again")
    if "duplicate key value violates unique constraint" in lowered:
        # Every command looks for an existing SKU or number before it writes; on a server
        # another user's transaction can commit the same one in between.
        what = (
            "a product with the same SKU"
            if "product" in lowered
            else "an invoice with the same number"
            if "invoice" in lowered
            else "an order with the same number"
            if "order" in lowered
            else "the same thing"
        )
        return DatabaseProblem(
            f"another user saved {what} in {where} at the same moment - nothing was changed; "
            "run the command again to see where things stand"
        )
    return None
