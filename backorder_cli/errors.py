"""The tool's one error family.

Every refusal the services make is a `BackorderError`; the CLI turns it into
`Error: <message>` on stderr and exit code 1 in one place (`cli.BackorderGroup`).
A message says what was wrong and, after " - ", what to do about it.
"""


class BackorderError(Exception):
    """A refusal the user can act on: the message names the problem and the fix."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Extra lines shown under the message, e.g. every problem in an import file.
        self.details = details or []


class NotFound(BackorderError):
    """An order, product or database that does not exist."""


class NotAllowed(BackorderError):
    """The rules forbid the change in the current state."""


class InvalidInput(BackorderError):
    """A value the user typed or a file they gave is malformed."""


class DatabaseProblem(BackorderError):
    """The database cannot be opened or used: missing, busy, damaged, too new."""
