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
EXIT_INTERRUPTED = 130


def decide_exit(*, usage_errors: int = 0, failing: bool = False, exit_zero: bool = False,
                interrupted: bool = False) -> int:
    """The one place exit codes are decided: 130 when interrupted; 2 when any
    input could not be loaded or analysed; 1 when a result fails its level (a
    finding at or above --fail-on, a summary whose forward crashed) unless
    --exit-zero; else 0."""
    if interrupted:
        return EXIT_INTERRUPTED
    if usage_errors:
        return EXIT_USAGE
    if failing and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


class CnnauditError(Exception):
    """A problem with the user's input, reported as one line with exit code 2."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def user_line(self) -> str:
        """What the command line prints: ``file:line: message`` when it points
        into the user's code, else ``cnnaudit: error: message``."""
        return str(self) if self.file else f"cnnaudit: error: {self}"

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message


class NeedsConfiguration(CnnauditError):
    """The model is fine but cannot be built or traced alone: its constructor
    needs arguments, or its input size cannot be inferred. In file mode such a
    class is skipped with a note (``--strict`` makes it an error); every other
    load or trace problem is an error."""


class InputSizeError(CnnauditError, TypeError):
    """An ``input_size`` that is not a shape (``summary(model, 28)``): a
    TypeError to Python callers, a one-line usage error on the command line."""


class ModelExited(CnnauditError):
    """The user's code called ``sys.exit``/``os._exit`` while being analysed."""


def one_line(exc: BaseException, with_type: bool = True) -> str:
    """An exception as one line: its type and the first non-empty line of its text."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0].strip() if lines else ""
    if not with_type:
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
