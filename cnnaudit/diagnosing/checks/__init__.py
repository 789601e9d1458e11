"""The doctor's checks. One module per check; each registers itself with
``@check`` where it is defined, and its module docstring is its
documentation (``cnnaudit explain CNA501``, ``docs/rules/``, SARIF), as a
lint rule's is. A check is ``run(session) -> Outcome``: what it measured,
and its findings.

Importing this package imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...linting.rules import Registry, Rule


@dataclass
class Outcome:
    """What one check measured: ``status`` pass / finding / not applicable,
    a one-line ``summary`` with the deciding figure, the exact ``figures``,
    and its findings (``Diagnosis`` records the runner places)."""

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


REGISTRY = Registry(__name__, "doctor check",
                    "(CNA501), a prefix (CNA50) or a name (loss-at-init)")
check = REGISTRY.register  # @check("CNA501", "loss-at-init", "warning") on run(session)
all_checks = REGISTRY.all


def select_checks(select=(), ignore=()) -> list[Rule]:
    """The checks ``select`` names (all when empty) minus those ``ignore``
    names; unknown ones are errors."""
    chosen = REGISTRY.select(select) if any(s.strip() for s in select) \
        else {c.code for c in all_checks()}
    chosen -= REGISTRY.select(ignore)
    return [c for c in all_checks() if c.code in chosen]
