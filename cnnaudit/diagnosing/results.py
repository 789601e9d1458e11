"""The doctor's data: one ``CheckResult`` per check (its status and the
figures it measured) and the ``DoctorReport`` whose ``to_dict()`` is the
JSON output. Findings are lint's ``Finding``: every lint format renders them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..display import displayed
from ..errors import decide_exit
from ..linting import Finding
from ..linting.findings import any_at_or_above, severity_counts

# 1: the first doctor report.
SCHEMA_VERSION = 1
STATUSES = ("pass", "finding", "not applicable", "skipped", "failed")


@dataclass
class CheckResult:
    code: str
    name: str
    status: str  # one of STATUSES
    summary: str  # one line: the figure that decided it
    figures: dict = field(default_factory=dict)  # exact numbers, for JSON
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "status": self.status,
                "summary": self.summary, "figures": self.figures,
                "seconds": round(self.seconds, 3)}


@displayed
@dataclass
class DoctorReport:
    model: str
    spec: str | None
    device: str
    data: str
    loss: str  # the loss used and why ("auto: NLL, since the model ends in log_softmax")
    options: dict
    checks: list[CheckResult]
    findings: list[Finding]
    loss_function: str = "ce"  # ce | nll | bce | mse: what the checks trained with
    notes: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    seconds: float = 0.0
    lr_curve: dict | None = None  # the range test's lrs and losses (for --plot)
    # lint's report attributes, so that lint's renderers serve the doctor too
    suppressed: int = 0
    suggestions_over_cap: int = 0
    baselined: int = 0
    cached: bool = False

    def counts(self) -> dict[str, int]:
        return severity_counts(self.findings)

    @property
    def fails(self) -> bool:
        return any_at_or_above(self.findings, self.fail_on)

    def exit_code(self, exit_zero: bool = False) -> int:
        """As lint: 1 for a finding at or above ``fail_on`` (unless
        ``exit_zero``); 2 when a check could not run at all."""
        failed = any(c.status == "failed" for c in self.checks)
        return decide_exit(usage_errors=int(failed), failing=self.fails, exit_zero=exit_zero)

    def check(self, code: str) -> CheckResult | None:
        return next((c for c in self.checks if c.code == code), None)

    def to_dict(self) -> dict:
        data = {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "device": self.device,
            "data": self.data,
            "loss": {"function": self.loss_function, "reason": self.loss},
            "options": dict(self.options),
            "checks": [c.to_dict() for c in self.checks],
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
        }
        if self.lr_curve is not None:
            data["lr_range_test"] = self.lr_curve
        return data
