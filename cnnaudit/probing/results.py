"""The probe's data: its options, one ``Variant`` per model trained, and the
``ProbeReport`` whose ``to_dict()`` is the JSON output."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from ..display import displayed

# 2: verdicts from claims (speed, accuracy, memory) with their intervals.
# 3: memory measured on the CPU too, with the phase of each peak.
SCHEMA_VERSION = 3


@dataclass
class ProbeOptions:
    device: str = "cpu"
    apply: str = "all"  # "all" or "CODE[,CODE]"
    steps: int = 100
    warmup: int = 10
    batch_size: int = 64
    lr: float = 0.01
    optimizer: str = "adam"
    data: str | None = None
    seed: int = 0
    amp: str | None = None  # "bf16" | "fp16"
    channels_last: bool = False
    compile: bool = False
    round_steps: int = 10  # steps per variant per round
    max_suggestions: int = 5  # variants, the largest savings first (0: all)
    accuracy_tolerance: float = 1.0  # percentage points of held-out accuracy
    speed_tolerance: float = 0.05  # a speed-up must beat noise by this share
    progress: bool = True
    threads: int | None = None  # CPU: intra-op threads while training (None: the cores)
    seeds: int = 1  # whole runs, seeds seed, seed+1, ...: accuracy as mean ± spread
    label: str = "probe"  # the progress bar's name (shrink trains through the probe too)


@dataclass
class Variant:
    name: str
    applied: list[str]
    model: object = field(repr=False)
    params: int = 0
    macs: int = 0
    estimated_memory_bytes: int | None = None
    batch_size: int = 0
    step_times: list[float] = field(default_factory=list)  # seconds, measured steps
    # Wall seconds of the very first step (warm-up, never timed with the rest):
    # with --compile it holds the compilation, which the step time leaves out.
    first_step_seconds: float | None = None
    # Median seconds of the measured steps of each interleaved round (None for a
    # round with none, such as warm-up): what the paired comparison pairs.
    round_times: list = field(default_factory=list)
    correct: list | None = field(default=None, repr=False)  # per held-out example
    claims: dict = field(default_factory=dict)
    losses: list[float] = field(default_factory=list)
    seed_accuracies: list = field(default_factory=list)  # one per seed, with --seeds
    peak_memory_bytes: int | None = None
    peak_memory_phase: str | None = None  # forward | backward | step
    estimated_peak_phase: str | None = None
    accuracy: float | None = None
    status: str = "ok"  # ok | diverged | out of memory | failed | interrupted
    note: str | None = None
    optimizer: object = field(default=None, repr=False)
    scaler: object = field(default=None, repr=False)
    runner: object = field(default=None, repr=False)  # the model, or its torch.compile
    verdict: str = ""

    def step_time_ms(self) -> dict | None:
        if not self.step_times:
            return None
        ms = sorted(t * 1000 for t in self.step_times)
        quartiles = statistics.quantiles(ms, n=4) if len(ms) > 1 else [ms[0]] * 3
        return {"median": statistics.median(ms), "iqr": quartiles[2] - quartiles[0]}

    def to_dict(self) -> dict:
        timing = self.step_time_ms()
        final = self.losses[-max(1, len(self.losses) // 10):] if self.losses else []
        finite = [v for v in final if math.isfinite(v)]
        return {
            "name": self.name,
            "applied": list(self.applied),
            "params": self.params,
            "macs": self.macs,
            "batch_size": self.batch_size,
            "step_time_ms": timing,
            "samples_per_s": (self.batch_size / (timing["median"] / 1000)) if timing else None,
            "first_step_ms": (self.first_step_seconds * 1000
                              if self.first_step_seconds is not None else None),
            "peak_memory_bytes": self.peak_memory_bytes,
            "peak_memory_phase": self.peak_memory_phase,
            "estimated_memory_bytes": self.estimated_memory_bytes,
            "estimated_peak_phase": self.estimated_peak_phase,
            "memory_ratio": (self.peak_memory_bytes / self.estimated_memory_bytes
                             if self.peak_memory_bytes and self.estimated_memory_bytes else None),
            "final_loss": statistics.fmean(finite) if finite else None,
            "accuracy": self.accuracy,
            "accuracy_by_seed": list(self.seed_accuracies) or (
                [self.accuracy] if self.accuracy is not None else []),
            "accuracy_spread": (statistics.stdev(self.seed_accuracies)
                                if len(self.seed_accuracies) > 1 else None),
            "status": self.status,
            "verdict": self.verdict,
            "claims": self.claims,
            "note": self.note,
            "loss_curve": list(self.losses),
        }


@displayed
@dataclass
class ProbeReport:
    model: str
    spec: str | None
    device: str
    device_name: str
    steps: int
    warmup: int
    batch_size: int
    data: str
    options: dict
    variants: list[Variant]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    ddp: dict | None = None
    machine: dict = field(default_factory=dict)  # threads, load average before the run

    @property
    def baseline_failure(self) -> str | None:
        """Why the original could not be measured (then nothing can be judged
        against it), or None."""
        original = self.variants[0] if self.variants else None
        if original is None:
            return "no variant was trained"
        if original.status == "ok":
            return None
        return f"the original could not be measured ({original.status}: {original.note})"

    def exit_code(self) -> int:
        """130 when interrupted; 2 (inconclusive) when the original could not
        be measured; else 0 (``errors.decide_exit``)."""
        from ..errors import decide_exit

        return decide_exit(interrupted=self.interrupted,
                           usage_errors=int(self.baseline_failure is not None))

    def to_dict(self) -> dict:
        data = {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "device": self.device,
            "device_name": self.device_name,
            "steps": self.steps,
            "warmup": self.warmup,
            "batch_size": self.batch_size,
            "data": self.data,
            "options": self.options,
            "variants": [v.to_dict() for v in self.variants],
            "warnings": list(self.warnings),
            "interrupted": self.interrupted,
            "machine": dict(self.machine),
        }
        if self.ddp is not None:
            data["ddp"] = self.ddp
        return data
