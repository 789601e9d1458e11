"""Stage 5b, fixing: ``cnnaudit lint --fix``. Source edits the rules propose
(``Finding.edit``) made with a concrete syntax tree (libcst: formatting and
comments kept), each verified by linting the edited copy before anything is
written.

Reads lint results; imported by the CLI only.
"""

from .edits import FixError, apply_edit
from .session import FixOutcome, fix_model, fix_reports

__all__ = ["FixError", "FixOutcome", "apply_edit", "fix_model", "fix_reports"]
