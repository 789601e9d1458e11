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


class Registry:
    """Rules that register themselves where they are defined: one module per
    rule in ``package``, imported on first use. Lint's rules are one
    registry; the doctor's checks (``diagnosing.checks``) another."""

    def __init__(self, package: str, kind: str, example: str):
        self.package = package  # the package whose modules define the rules
        self.kind = kind  # "rule", "doctor check": what error messages call one
        self.example = example  # "(CNA202), a prefix (CNA3) or a name (bias-before-bn)"
        self.rules: dict[str, Rule] = {}

    def register(self, code: str, name: str, severity: str):
        """Register the decorated check as ``code``; its docs are the
        docstring of the module that defines it."""

        def register(check):
            doc = inspect.cleandoc(sys.modules[check.__module__].__doc__ or "")
            if code in self.rules and self.rules[code].check is not check:
                raise RuntimeError(f"{self.kind} code {code} registered twice")
            self.rules[code] = Rule(code, name, severity, check, doc)
            return check

        return register

    def all(self) -> list[Rule]:
        """Every rule, by code."""
        package = sys.modules[self.package]
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self.package}.{module.name}")
        return [self.rules[code] for code in sorted(self.rules)]

    def get(self, code_or_name: str) -> Rule:
        for item in self.all():
            if code_or_name.upper() == item.code or code_or_name.lower() == item.name:
                return item
        raise CnnauditError(f"unknown {self.kind} {code_or_name!r}: see `cnnaudit rules` for "
                            "the catalog")

    def select(self, selectors) -> set[str]:
        """Codes matched by codes, prefixes or names; an unknown selector is an
        error naming it."""
        rules = self.all()
        chosen: set[str] = set()
        for selector in selectors:
            text = selector.strip()
            if not text:
                continue
            matched = {r.code for r in rules
                       if r.code.startswith(text.upper()) or r.name == text.lower()}
            if not matched:
                raise CnnauditError(f"unknown {self.kind} selector {text!r}: use a code "
                                    f"{self.example}")
            chosen |= matched
        return chosen


REGISTRY = Registry(__name__, "rule", "(CNA202), a prefix (CNA3) or a name (bias-before-bn)")
rule = REGISTRY.register
all_rules = REGISTRY.all
get_rule = REGISTRY.get
select_codes = REGISTRY.select
