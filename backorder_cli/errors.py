"""The tool's one error family.

Every refusal the services make is a `BackorderError`; the CLI turns it into
`Error: <message>` on stderr and exit code 1 in one place (`cli.BackorderGroup`).
A message says what was wrong and, after " - ", what to do about it.

Every refusal also has a `code`: a stable, machine-readable name of its reason
(`already_backordered`, `not_found`, `busy`, ...) that JSON results carry next to the
English message, so a script can tell "already done" from a failure without reading
words that may change. The codes are listed in the README; a new reason gets a new code.
"""

# The codes of a refusal that means the work was already done: what a rerun of an
# interrupted bulk command meets for the orders it finished before.
ALREADY_DONE = frozenset({"already_backordered", "already_undone", "nothing_to_invoice"})


class BackorderError(Exception):
    """A refusal the user can act on: the message names the problem and the fix."""

    code = "error"  # the default of a refusal without a more precise reason

    def __init__(
        self, message: str, *, details: list[str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # A stable name of the reason, for scripts (README: "Result codes").
        self.code = code or type(self).code
        # Extra lines shown under the message, e.g. every problem in an import file.
        self.details = details or []


class NotFound(BackorderError):
    """An order, product or database that does not exist."""

    code = "not_found"


class NotAllowed(BackorderError):
    """The rules forbid the change in the current state."""

    code = "not_allowed"


class InvalidInput(BackorderError):
    """A value the user typed or a file they gave is malformed."""

    code = "invalid_input"


class DatabaseProblem(BackorderError):
    """The database cannot be opened or used: missing, busy, damaged, too new."""

    code = "database"


class TransactionConflict(DatabaseProblem):
    """The server rolled the transaction back to break a deadlock or a serialization
    conflict with another user's (PostgreSQL 40P01, 40001): nothing of it was written,
    and running it again is safe (a bulk run's group does so: `services.groups`)."""
