"""The doctor's checks. One module per check; each registers itself with
``@check`` where it is defined, and its module docstring is its
documentation (``cnnaudit explain CNA501``, ``docs/rules/``, SARIF), as a
lint rule's is. A check is ``run(session) -> Outcome``: what it measured,
and its findings.

Importing this package imports no torch.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from dataclasses import dataclass, field

from ...linting.rules import Rule

_REGISTRY: dict[str, Rule] = {}


@dataclass
class Outcome:
    """What one check measured: ``status`` pass / finding / not applicable,
    a one-line ``summary`` with the deciding figure, the exact ``figures``,
    and its findings (``Hit``-like dicts the runner places)."""

    status: str
    summary: str
    figures: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)  # list[Diagnosis]


@dataclass
class Diagnosis:
    """One finding of a check, before the runner gives it lint's shape:
    the layer (module name) it blames, or an explicit site."""

    message: str
    layer: str | None = None  # a module name of the model, or None for the whole model
    site: object | None = None  # a load.Site where the layer's own line is not the place
    fix: str | None = None
    severity: str | None = None  # overrides the check's default


def check(code: str, name: str, severity: str):
    """Register ``run(session) -> Outcome`` as doctor check ``code``."""

    def register(run):
        doc = inspect.cleandoc(sys.modules[run.__module__].__doc__ or "")
        if code in _REGISTRY and _REGISTRY[code].check is not run:
            raise RuntimeError(f"doctor check {code} registered twice")
        _REGISTRY[code] = Rule(code, name, severity, run, doc)
        return run

    return register


def all_checks() -> list[Rule]:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def select_checks(select=(), ignore=()) -> list[Rule]:
    """The checks ``select`` (all when empty) names minus those ``ignore``
    names: codes, prefixes (``CNA50``) or names; unknown ones are errors."""
    from ...errors import CnnauditError

    checks = all_checks()

    def matching(selectors) -> set[str]:
        chosen = set()
        for selector in selectors:
            text = selector.strip()
            if not text:
                continue
            matched = {c.code for c in checks
                       if c.code.startswith(text.upper()) or c.name == text.lower()}
            if not matched:
                raise CnnauditError(f"unknown doctor check {text!r}: use a code (CNA501), a "
                                    "prefix (CNA50) or a name (loss-at-init); see cnnaudit rules")
            chosen |= matched
        return chosen

    chosen = matching(select) if any(s.strip() for s in select) else {c.code for c in checks}
    chosen -= matching(ignore)
    return [c for c in checks if c.code in chosen]
