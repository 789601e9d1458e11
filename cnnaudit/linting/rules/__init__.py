"""The rule catalog. One module per rule; each registers itself with ``@rule``
where it is defined, and its module docstring is its documentation (the only
source for ``cnnaudit explain``, ``docs/rules/`` and SARIF descriptions).

Importing this package imports no torch: rules import it inside their checks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import CnnauditError


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # "error" | "warning" | "suggestion"
    check: Callable  # check(ctx) -> Iterable[Hit]
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0].strip() if self.doc else ""

    def section(self, title: str) -> str:
        """One "## Title" section of the docs, without its heading."""
        lines, inside = [], False
        for line in self.doc.splitlines():
            if line.startswith("## "):
                inside = line[3:].strip().lower() == title.lower()
                continue
            if inside:
                lines.append(line)
        return "\n".join(lines).strip()


_REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, severity: str):
    """Register the decorated ``check(ctx)`` as rule ``code``; the docs are the
    docstring of the module that defines it."""

    def register(check):
        doc = inspect.cleandoc(sys.modules[check.__module__].__doc__ or "")
        if code in _REGISTRY and _REGISTRY[code].check is not check:
            raise RuntimeError(f"rule code {code} registered twice")
        _REGISTRY[code] = Rule(code, name, severity, check, doc)
        return check

    return register


def all_rules() -> list[Rule]:
    """Every rule, by code."""
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def get_rule(code_or_name: str) -> Rule:
    for item in all_rules():
        if code_or_name.upper() == item.code or code_or_name.lower() == item.name:
            return item
    raise CnnauditError(f"unknown rule {code_or_name!r}: see `cnnaudit rules` for the catalog")


def select_codes(selectors) -> set[str]:
    """Codes matched by codes (``CNA202``), prefixes (``CNA3``) or names
    (``bias-before-bn``); an unknown selector is an error naming it."""
    rules = all_rules()
    chosen: set[str] = set()
    for selector in selectors:
        text = selector.strip()
        if not text:
            continue
        matched = {r.code for r in rules
                   if r.code.startswith(text.upper()) or r.name == text.lower()}
        if not matched:
            raise CnnauditError(
                f"unknown rule selector {text!r}: use a code (CNA202), a prefix (CNA3) or a "
                "name (bias-before-bn)"
            )
        chosen |= matched
    return chosen
