"""``cnnaudit shrink``'s options and result: each candidate's plan, its counts,
what training measured against the original, and its verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..display import displayed
from ..errors import decide_exit

SCHEMA_VERSION = 1
VERDICTS = ("kept", "lost", "inconclusive", "not measured")


@dataclass
class ShrinkOptions:
    max_params: int = 0
    max_macs: int | None = None
    steps: int = 400
    seeds: int = 3
    tolerance: float = 1.0  # points of held-out accuracy a kept candidate may lose at most
    quick: bool = False  # --quick: one seed
    device: str = "cpu"
    data: str | None = None
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 64
    amp: str | None = None
    seed: int = 0
    progress: bool = True
    families: tuple[str, ...] | None = None  # only these candidates (plans.CANDIDATES)

    def effective(self) -> tuple[int, int]:
        """(steps, seeds) as run."""
        return (self.steps, 1) if self.quick else (self.steps, self.seeds)


@dataclass
class Candidate:
    name: str
    family: str
    summary: str  # what the family does, one line
    changes: list[str]
    params: int
    macs: int
    receptive_field: int
    source: str = field(repr=False)  # the module text (docstring without figures)
    class_name: str = "Net"
    measured: dict = field(default_factory=dict)  # the probe's Variant.to_dict()
    difference: dict | None = None  # paired accuracy Δ (points) with its 95 % interval
    verdict: str = "not measured"

    def to_dict(self, with_source: bool = True) -> dict:
        data = {key: value for key, value in asdict(self).items() if key != "source"}
        if with_source:
            data["source"] = self.source
        return data


@displayed
@dataclass
class ShrinkReport:
    model: str
    spec: str | None
    options: dict
    data: str
    device: str
    original: dict  # the probe's Variant.to_dict() of the original
    candidates: list[Candidate]
    chosen: str | None  # the smallest kept candidate's name
    steps: int = 0  # as run (ShrinkOptions.effective)
    seeds: int = 0
    written: str | None = None  # the file it was written to
    source: str | None = None  # the chosen candidate's module, with its figures
    advice: list[str] = field(default_factory=list)  # when nothing was kept
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when a candidate kept the accuracy (and was written), 1 when none did."""
        return decide_exit(failing=self.chosen is None)

    def candidate(self, name: str) -> Candidate | None:
        return next((c for c in self.candidates if c.name == name), None)

    def save(self, path) -> None:
        """Write the chosen candidate's module (nothing kept: an error)."""
        from pathlib import Path

        from ..errors import CnnauditError

        if self.source is None:
            raise CnnauditError("no candidate kept the accuracy: there is nothing to write")
        Path(path).write_text(self.source, encoding="utf-8")

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "options": dict(self.options),
            "data": self.data,
            "device": self.device,
            "steps": self.steps,
            "seeds": self.seeds,
            "original": self.original,
            "candidates": [c.to_dict(with_source=False) for c in self.candidates],
            "chosen": self.chosen,
            "written": self.written,
            "source": self.source,
            "advice": list(self.advice),
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 1),
        }
