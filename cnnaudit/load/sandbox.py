"""What the user's code may not do to a run while it is imported, built or
traced: end the process, or write into our machine-readable stdout.

``sys.exit()`` raises ``SystemExit``, which the loader and the pipeline catch
and report as that model's error. ``os._exit()`` ends the process without
raising, so while user code runs it is replaced by a function that raises
``OsExitCalled`` (a ``SystemExit``) instead: detected, not survived in another
process, which would cost a process start and a second torch import per model.
Code that reaches the C ``_exit`` without ``os._exit`` is beyond this guard.
The model's ``print``s go to stderr, so ``--format json|sarif|github`` stays
parseable.
"""

from __future__ import annotations

import contextlib
import os
import sys


class OsExitCalled(SystemExit):
    """``os._exit(code)`` called by the user's code, turned into an exception."""


def _raise_instead(code=0):
    raise OsExitCalled(code)


@contextlib.contextmanager
def user_code():
    """Run the user's code with ``os._exit`` guarded and stdout sent to stderr."""
    real_exit = os._exit
    os._exit = _raise_instead
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        os._exit = real_exit


def exit_message(exc: SystemExit) -> str:
    """``called sys.exit(3)`` / ``called os._exit(3)``."""
    how = "os._exit" if isinstance(exc, OsExitCalled) else "sys.exit"
    code = "" if exc.code is None else repr(exc.code)
    return f"called {how}({code})"
