"""``LintReport``: one model's findings, the data behind every lint format
(``to_dict()`` is the JSON output; the cache stores it and reads it back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..display import displayed
from ..errors import decide_exit
from ..trace import Graph
from .findings import Finding, any_at_or_above, severity_counts

SCHEMA_VERSION = 1


@displayed
@dataclass
class LintReport:
    model: str
    spec: str | None
    input_shapes: list[tuple[int, ...]]
    device: str
    findings: list[Finding]
    suppressed: int = 0
    suggestions_over_cap: int = 0
    notes: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    graph: Graph | None = field(default=None, repr=False)
    cached: bool = False  # read back from .cnnaudit_cache
    baselined: int = 0  # findings dropped because the baseline has them

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    @property
    def fails(self) -> bool:
        """Is any finding at or above ``fail_on``? (The CLI turns this into exit 1.)"""
        return any_at_or_above(self.findings, self.fail_on)

    @property
    def exit_code(self) -> int:
        """What the CLI exits with for this report alone (``errors.decide_exit``)."""
        return decide_exit(failing=self.fails)

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "input_shape": list(self.input_shapes[0]) if self.input_shapes else None,
            "device": self.device,
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
            "suppressed": self.suppressed,
            "suggestions_over_cap": self.suggestions_over_cap,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict, fail_on: str = "warning") -> LintReport:
        """The inverse of ``to_dict`` (for results read back from the cache)."""
        shape = data.get("input_shape")
        return cls(
            model=data["model"], spec=data.get("spec"),
            input_shapes=[tuple(shape)] if shape else [], device=data.get("device", "meta"),
            findings=[Finding.from_dict(f) for f in data["findings"]],
            suppressed=data.get("suppressed", 0),
            suggestions_over_cap=data.get("suggestions_over_cap", 0),
            notes=list(data.get("notes", [])), fail_on=fail_on, cached=True,
        )
