"""Errors a user can act on, and the exit codes the command line returns.

Every failure that is the user's to fix (a bad SPEC, a syntax error in the model
file, a malformed option) is a ``CnnauditError``. The command line prints it as
one line, ``file:line: message`` when it points into the user's code, and exits
with ``EXIT_USAGE``. Anything else is a bug in cnnaudit and keeps its traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class CnnauditError(Exception):
    """A problem with the user's input, reported as one line with exit code 2."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message
