"""Stage 4, linting: the rule catalog run on a traced graph. One module per rule
in ``rules/`` (its docstring is its documentation), graph predicates in
``patterns``, findings and their suppressions, baselines, and the engine that
runs them (``cnnaudit.lint``).

Imports stats, the pipeline, trace, load and the base modules; never probing,
report or cli. The probe's rewrites read the plans in ``plans`` from here.
"""

from .context import FAIL_ON, LintContext, LintOptions
from .engine import lint, lint_traced
from .findings import SEVERITIES, SEVERITY_RANK, Finding, Hit, Savings
from .results import LintReport

__all__ = ["FAIL_ON", "SEVERITIES", "SEVERITY_RANK", "Finding", "Hit", "LintContext",
           "LintOptions", "LintReport", "Savings", "lint", "lint_traced"]
