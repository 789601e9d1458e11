"""``cnnaudit probe``: train the original model and each suggested variant for
the same steps on the same data, and measure what each suggestion gains or costs.

After the practice of timm's ``benchmark.py`` and ``torch.utils.benchmark``:
warm-up steps excluded; on CUDA each step timed with CUDA events; median and
IQR of step time; variants interleaved in rounds so that drift (clocks,
thermals, other jobs) hits them alike; peak memory per variant measured after
a reset, in isolation, next to the summary's estimate.
"""

from __future__ import annotations

import copy
import math
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field

from .errors import CnnauditError
from .rewrites import REWRITES

SCHEMA_VERSION = 1
PROBE_CODES = tuple(REWRITES)  # the suggestions module surgery can apply
IQR_WARNING = 0.10


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
    losses: list[float] = field(default_factory=list)
    peak_memory_bytes: int | None = None
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
            "peak_memory_bytes": self.peak_memory_bytes,
            "estimated_memory_bytes": self.estimated_memory_bytes,
            "memory_ratio": (self.peak_memory_bytes / self.estimated_memory_bytes
                             if self.peak_memory_bytes and self.estimated_memory_bytes else None),
            "final_loss": statistics.fmean(finite) if finite else None,
            "accuracy": self.accuracy,
            "status": self.status,
            "verdict": self.verdict,
            "note": self.note,
            "loss_curve": list(self.losses),
        }


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
        }
        if self.ddp is not None:
            data["ddp"] = self.ddp
        return data

    def __repr__(self) -> str:
        from .report.probe_table import render_probe

        return render_probe(self)

    __str__ = __repr__


# ---------------------------------------------------------------- preparation


def _codes(apply: str) -> set[str]:
    from .rules import select_codes

    if apply == "all":
        return set(PROBE_CODES)
    codes = select_codes([c for c in apply.split(",") if c.strip()])
    unknown = codes - set(PROBE_CODES)
    if unknown:
        raise CnnauditError(f"--apply {','.join(sorted(unknown))}: the probe can apply "
                            f"{', '.join(PROBE_CODES)}")
    return codes


def _first_tensor(output):
    if isinstance(output, (tuple, list)):
        return _first_tensor(output[0])
    if isinstance(output, dict):
        return _first_tensor(next(iter(output.values())))
    return output


def plan_variants(loaded, shapes, options: ProbeOptions, notes: list[str]):
    """(variants, the original's summary): the original and one variant per
    applicable suggestion (plus one with all of them), each checked against the
    finding's prediction."""
    import torch

    from .linting import lint
    from .rewrites import apply_findings

    report = lint(loaded.model, shapes, select=sorted(_codes(options.apply)),
                  max_suggestions=0, device="meta")
    findings = [f for f in report.findings if f.rewrite and f.savings is not None]
    findings.sort(key=lambda f: (-f.savings.params_saved, -f.savings.macs_saved))
    if options.max_suggestions and len(findings) > options.max_suggestions:
        notes.append(f"note: probing the {options.max_suggestions} suggestions with the largest "
                     f"savings of {len(findings)} (--max-suggestions 0 probes all)")
        findings = findings[:options.max_suggestions]
    base = _summarize(loaded.model, shapes, options)
    variants = [Variant("original", [], loaded.model, base.totals.params, base.totals.macs,
                        _estimate(base), options.batch_size)]
    chosen = []
    for finding in findings:
        torch.manual_seed(options.seed)  # new layers start from the same weights in every run
        try:
            model = apply_findings(loaded.model, [finding])
        except CnnauditError as exc:
            notes.append(f"note: {finding.code} on {finding.layer} not applied: {exc.message}")
            continue
        name = f"{finding.code} {finding.layer}"
        variant = Variant(name, [finding.code], model, batch_size=options.batch_size)
        _check_prediction(variant, base, shapes, options, finding.savings.params_saved,
                          finding.savings.macs_saved)
        variants.append(variant)
        chosen.append(finding)
    if len(chosen) > 1:
        torch.manual_seed(options.seed)
        everything = apply_findings(loaded.model, chosen)
        applied_layers, saved_params, saved_macs, codes = set(), 0, 0, []
        for finding in chosen:
            if finding.rewrite["layer"] not in applied_layers:
                applied_layers.add(finding.rewrite["layer"])
                saved_params += finding.savings.params_saved
                saved_macs += finding.savings.macs_saved
                codes.append(finding.code)
        variant = Variant("all", sorted(set(codes)), everything, batch_size=options.batch_size)
        _check_prediction(variant, base, shapes, options, saved_params, saved_macs)
        variants.append(variant)
    return variants, base


def _summarize(model, shapes, options):
    """One summary per variant: its counts, and its training-memory estimate at
    the probe's batch size, optimizer and precision."""
    from .summarize import summary

    return summary(model, shapes, depth=0, batch_size=options.batch_size,
                   optimizer=options.optimizer, amp=options.amp)


def _estimate(result) -> int | None:
    return result.training_memory.total_bytes if result.training_memory else None


def _check_prediction(variant, base, shapes, options, saved_params, saved_macs) -> None:
    """Same input and output shapes; parameters and MACs as predicted."""
    result = _summarize(variant.model, shapes, options)
    variant.params, variant.macs = result.totals.params, result.totals.macs
    variant.estimated_memory_bytes = _estimate(result)
    problems = []
    if result.failure is not None:
        problems.append(f"forward fails: {result.failure['message']}")
    elif [t.shape for t in result.graph.outputs] != [t.shape for t in base.graph.outputs]:
        problems.append("output shape changed")
    if variant.params != base.totals.params - saved_params:
        problems.append(f"{variant.params:,} parameters, predicted "
                        f"{base.totals.params - saved_params:,}")
    if variant.macs != base.totals.macs - saved_macs:
        problems.append(f"{variant.macs:,} MACs, predicted {base.totals.macs - saved_macs:,}")
    if problems:
        variant.status, variant.note = "failed", "rewrite check: " + "; ".join(problems)


def number_of_classes(base) -> int:
    """The classifier's width: its (first) output must be [batch, classes]."""
    out = base.graph.outputs[0].shape if base.graph.outputs else None
    if not out or len(out) != 2:
        raise CnnauditError("the probe trains classifiers: the model's (first) output must be "
                            f"[batch, classes], not {list(out) if out else None}")
    return out[1]


# ---------------------------------------------------------------- training


def _make_optimizer(torch, model, name, lr):
    params = [p for p in model.parameters() if p.requires_grad]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    raise CnnauditError(f"unknown optimizer {name!r}: choose sgd, momentum, adam or adamw")


class _Trainer:
    """Runs steps of one variant; every variant uses the same batch sequence."""

    def __init__(self, torch, data, options: ProbeOptions, device):
        self.torch = torch
        self.data = data
        self.options = options
        self.device = device
        self.cuda = device.type == "cuda"
        self.amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(options.amp)
        generator = torch.Generator().manual_seed(options.seed)
        total = options.warmup + options.steps
        need = total * options.batch_size
        n = len(data.train_x)
        order = torch.cat([torch.randperm(n, generator=generator)
                           for _ in range(need // n + 1)])
        self.order = order.to(device)

    def batch(self, step: int, batch_size: int):
        start = step * self.options.batch_size  # the same samples whatever the variant's batch
        index = self.order[start:start + batch_size]
        return self.layout(self.data.train_x[index]), self.data.train_y[index]

    def layout(self, x):
        """Inputs in the model's memory format (NHWC with --channels-last)."""
        if self.options.channels_last and x.dim() == 4:
            return x.contiguous(memory_format=self.torch.channels_last)
        return x

    def prepare(self, variant: Variant) -> None:
        torch = self.torch
        model = variant.model.to(self.device)
        if self.options.channels_last:
            model = model.to(memory_format=torch.channels_last)
        model.train()
        variant.model = model
        variant.optimizer = _make_optimizer(torch, model, self.options.optimizer, self.options.lr)
        if self.options.amp == "fp16":
            variant.scaler = torch.amp.GradScaler(self.device.type)
        variant.runner = torch.compile(model) if self.options.compile else model

    def step(self, variant: Variant, step: int) -> tuple[float, float]:
        """One training step: (seconds, loss)."""
        torch = self.torch
        x, y = self.batch(step, variant.batch_size)
        runner = variant.runner or variant.model
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        else:
            began = time.perf_counter()
        variant.optimizer.zero_grad(set_to_none=True)
        with torch.autocast(self.device.type, dtype=self.amp_dtype,
                            enabled=self.amp_dtype is not None):
            loss = torch.nn.functional.cross_entropy(_first_tensor(runner(x)), y)
        if variant.scaler is not None:
            variant.scaler.scale(loss).backward()
            variant.scaler.step(variant.optimizer)
            variant.scaler.update()
        else:
            loss.backward()
            variant.optimizer.step()
        if self.cuda:
            end.record()
            end.synchronize()  # reading the events needs them done; outside the timed span
            seconds = start.elapsed_time(end) / 1000
        else:
            seconds = time.perf_counter() - began
        return seconds, float(loss.detach())

    def evaluate(self, variant: Variant) -> float:
        torch = self.torch
        model = variant.model
        model.eval()
        correct = 0
        with torch.no_grad(), torch.autocast(self.device.type, dtype=self.amp_dtype,
                                             enabled=self.amp_dtype is not None):
            for start in range(0, len(self.data.test_x), 256):
                logits = _first_tensor(model(self.layout(self.data.test_x[start:start + 256])))
                correct += int((logits.argmax(-1) == self.data.test_y[start:start + 256]).sum())
        model.train()
        return 100.0 * correct / len(self.data.test_x)


def _is_oom(torch, exc: BaseException) -> bool:
    oom = getattr(torch.cuda, "OutOfMemoryError", ())
    return isinstance(exc, oom) or "out of memory" in str(exc).lower()


def _measure_memory(torch, trainer: _Trainer, variant: Variant) -> None:
    """Peak allocated bytes of two steps of ``variant`` alone on the device
    (the second step has the optimizer's state), after a reset; out of
    memory halves the batch and retries."""
    if not trainer.cuda or variant.status != "ok":
        return
    while True:
        probe = copy.copy(variant)
        probe.model = copy.deepcopy(variant.model)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        try:
            trainer.prepare(probe)
            for step in range(2):
                trainer.step(probe, step)
            torch.cuda.synchronize()
            variant.peak_memory_bytes = torch.cuda.max_memory_allocated() - before
            return
        except Exception as exc:
            if not _is_oom(torch, exc) or variant.batch_size <= 1:
                raise
            variant.batch_size //= 2
            variant.note = f"out of memory: batch reduced to {variant.batch_size}"
        finally:
            del probe
            torch.cuda.empty_cache()


def _verdicts(variants, options: ProbeOptions) -> None:
    original = variants[0]
    base = original.step_time_ms()
    original.verdict = "baseline"
    for variant in variants[1:]:
        if variant.status != "ok":
            variant.verdict = variant.status
            continue
        timing = variant.step_time_ms()
        if (original.accuracy is not None and variant.accuracy is not None
                and original.accuracy - variant.accuracy > options.accuracy_tolerance):
            variant.verdict = "hurts accuracy"
        elif base and timing and timing["median"] < base["median"] * (1 - options.speed_tolerance):
            variant.verdict = "confirmed"
        else:
            variant.verdict = "no speed-up on this device"


def probe(model, input_size=None, *, model_args: dict | None = None,
          options: ProbeOptions | None = None, **overrides) -> ProbeReport:
    """Train ``model`` (an ``nn.Module``, left untouched, or a SPEC) and its
    suggested variants; returns a ProbeReport whose ``to_dict()`` is the JSON."""
    import torch

    from .data import load_data
    from .loader import from_module, load
    from .summarize import input_shapes

    options = options or ProbeOptions()
    for key, value in overrides.items():
        if not hasattr(options, key):
            raise CnnauditError(f"unknown probe option {key!r}")
        setattr(options, key, value)
    if options.steps < 1 or options.batch_size < 1 or options.warmup < 0:
        raise CnnauditError("--steps and --batch-size must be at least 1, --warmup at least 0")
    device = torch.device(options.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise CnnauditError("--device cuda: no CUDA device is available here")
    if options.amp == "fp16" and device.type != "cuda":
        raise CnnauditError("--amp fp16 needs --device cuda (use bf16 on the CPU)")

    torch.manual_seed(options.seed)
    if isinstance(model, str):
        loaded = load(model, model_args, device="cpu")
    else:
        loaded = from_module(copy.deepcopy(model))  # the user's model is never trained
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    if len(shapes) != 1:
        raise CnnauditError("the probe trains single-input models")

    variants, base = plan_variants(loaded, shapes, options, notes)
    classes = number_of_classes(base)
    data = load_data(options.data, shapes[0], classes, options.seed).to(device)
    if data.num_classes > classes:
        raise CnnauditError(f"--data {data.name} has {data.num_classes} classes, the model "
                            f"outputs {classes}; build it for {data.num_classes} "
                            "(for example --model-args num_classes=...)")
    trainer = _Trainer(torch, data, options, device)
    warnings: list[str] = []
    interrupted = False
    progress = _progress(options, len(variants))
    try:
        for variant in variants:
            _measure_memory(torch, trainer, variant)
            if variant.status == "ok":
                trainer.prepare(variant)
        _train_interleaved(torch, trainer, variants, options, progress)
        for variant in variants:
            if variant.status == "ok":
                variant.accuracy = trainer.evaluate(variant)
    except KeyboardInterrupt:
        interrupted = True
        warnings.append("interrupted: the table holds what was measured until then")
    finally:
        if progress is not None:
            progress.close()
    _verdicts(variants, options)
    for variant in variants:
        timing = variant.step_time_ms()
        if timing and timing["median"] and timing["iqr"] / timing["median"] > IQR_WARNING:
            warnings.append(f"{variant.name}: step times vary (IQR {timing['iqr']:.2f} ms is "
                            f"{timing['iqr'] / timing['median']:.0%} of the median); "
                            "more --steps or a quieter machine give firmer numbers")
    return ProbeReport(
        model=loaded.label, spec=loaded.spec, device=str(device),
        device_name=_device_name(torch, device), steps=options.steps, warmup=options.warmup,
        batch_size=options.batch_size, data=data.description, options=asdict(options),
        variants=variants, warnings=warnings, notes=notes, interrupted=interrupted,
    )


def _train_interleaved(torch, trainer, variants, options, progress) -> None:
    """Rounds of ``round_steps`` steps per variant, in turn, until every
    variant has done warm-up + steps; warm-up steps are not timed."""
    total = options.warmup + options.steps
    done = {id(v): 0 for v in variants}
    while any(done[id(v)] < total and v.status == "ok" for v in variants):
        for variant in variants:
            if variant.status != "ok":
                continue
            for _ in range(options.round_steps):
                step = done[id(variant)]
                if step >= total:
                    break
                try:
                    seconds, loss = trainer.step(variant, step)
                except Exception as exc:
                    if _is_oom(torch, exc):
                        variant.status, variant.note = "out of memory", str(exc).splitlines()[0]
                        torch.cuda.empty_cache()
                        break
                    raise
                done[id(variant)] += 1
                if progress is not None:
                    progress.update(1)
                if not math.isfinite(loss):
                    variant.losses.append(loss)
                    variant.status = "diverged"
                    variant.note = f"loss became {loss} at step {step}"
                    break
                if step >= options.warmup:
                    variant.step_times.append(seconds)
                    variant.losses.append(loss)


def _progress(options, count):
    if not options.progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=count * (options.warmup + options.steps), unit="step", file=sys.stderr,
                desc="probe", leave=False)


def _device_name(torch, device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import platform

    return f"CPU ({platform.machine()}, {torch.get_num_threads()} threads)"
