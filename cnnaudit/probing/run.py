"""``cnnaudit probe``: train the original model and each suggested variant for
the same steps on the same data, and measure what each suggestion gains or costs.

After the practice of timm's ``benchmark.py`` and ``torch.utils.benchmark``:
warm-up steps excluded; on CUDA each step timed with CUDA events; median and
IQR of step time; variants interleaved in rounds so that drift (clocks,
thermals, other jobs) hits them alike; peak memory per variant measured after
a reset, in isolation, next to the summary's estimate.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import asdict, replace

from ..errors import CnnauditError
from ..training import check_lr, load_data, load_for_training, number_of_classes, resolve_device
from .plan import plan_variants
from .results import ProbeOptions, ProbeReport
from .train import Trainer, measure_memory, train_interleaved
from .verdicts import assign_verdicts, timing_warnings


def resolve_options(options: ProbeOptions | None, overrides: dict) -> ProbeOptions:
    """``options`` with keyword overrides applied, each checked."""
    options = options or ProbeOptions()
    for key, value in overrides.items():
        if not hasattr(options, key):
            raise CnnauditError(f"unknown probe option {key!r}")
        setattr(options, key, value)
    if options.steps < 1 or options.batch_size < 1 or options.warmup < 0:
        raise CnnauditError("--steps and --batch-size must be at least 1, --warmup at least 0")
    if options.threads is not None and options.threads < 1:
        raise CnnauditError("--threads must be at least 1")
    if options.seeds < 1:
        raise CnnauditError("--seeds must be at least 1")
    check_lr(options.lr)
    return options


def probe(model, input_size=None, *, model_args: dict | None = None,
          options: ProbeOptions | None = None, **overrides) -> ProbeReport:
    """Train ``model`` (an ``nn.Module``, left untouched, or a SPEC) and its
    suggested variants; returns a ProbeReport whose ``to_dict()`` is the JSON.
    The caller's random state is as it was afterwards."""
    return train_variants(model, input_size, model_args=model_args,
                          options=resolve_options(options, overrides), planner=plan_variants)


def train_variants(model, input_size, *, model_args: dict | None, options: ProbeOptions,
                   planner) -> ProbeReport:
    """The probe's measurement of the variants ``planner(loaded, shapes,
    options, notes) -> (variants, the original's summary)`` makes (the first
    is the original): the same data, batches, seeds and paired comparisons
    for each. ``cnnaudit shrink`` plans its candidates and trains them here."""
    import torch

    rng_state = torch.get_rng_state()
    try:
        return _probe(torch, model, input_size, model_args, options, planner)
    finally:
        torch.set_rng_state(rng_state)


def _probe(torch, model, input_size, model_args, options, planner) -> ProbeReport:
    device = resolve_device(torch, options.device, options.amp)

    runs = []
    for index in range(options.seeds):
        run_options = replace(options, seed=options.seed + index)
        runs.append(_run_once(torch, model, input_size, model_args, run_options, device,
                              planner, first=index == 0))
        if runs[-1]["interrupted"]:
            break
    loaded, notes, data, variants, warnings, machine = (
        runs[0][key] for key in ("loaded", "notes", "data", "variants", "warnings", "machine"))
    interrupted = any(run["interrupted"] for run in runs)
    if len(runs) > 1:
        merge_seeds(variants, [run["variants"] for run in runs[1:]])
        notes.append(f"note: {len(runs)} runs with seeds {options.seed}…"
                     f"{options.seed + len(runs) - 1} (data order and new layers' weights; "
                     "a SPEC's weights too): accuracy is their mean, the paired tests pool "
                     "every run's rounds and examples")
    if interrupted:
        warnings.append("interrupted: the table holds what was measured until then")
    assign_verdicts(variants, options, interrupted)
    warnings += timing_warnings(variants)
    return ProbeReport(
        model=loaded.label, spec=loaded.spec, device=str(device),
        device_name=_device_name(machine), steps=options.steps, warmup=options.warmup,
        batch_size=options.batch_size, data=data.description, options=asdict(options),
        variants=variants, warnings=warnings, notes=notes, interrupted=interrupted,
        machine=machine,
    )


def _run_once(torch, model, input_size, model_args, options, device, planner,
              first: bool) -> dict:
    """Load, plan and train every variant with ``options.seed``."""
    torch.manual_seed(options.seed)
    loaded, notes, shape = load_for_training(model, model_args, input_size, "the probe")
    shapes = [shape]

    variants, base = planner(loaded, shapes, options, notes)
    classes = number_of_classes(base, "the probe")
    data = load_data(options.data, shapes[0], classes, options.seed).to(device)
    if data.num_classes > classes:
        raise CnnauditError(f"--data {data.name} has {data.num_classes} classes, the model "
                            f"outputs {classes}; build it for {data.num_classes} "
                            "(for example --model-args num_classes=...)")
    warnings = check_training_setup(loaded.model, data, classes, options, base)
    machine = _machine(torch, device, options, warnings if first else [])
    threads_before = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(machine["threads"])
    try:
        interrupted = not _train_all(torch, Trainer(torch, data, options, device), variants,
                                     options, measure=first)
    finally:
        torch.set_num_threads(threads_before)
    return {"loaded": loaded, "notes": notes, "data": data, "variants": variants,
            "warnings": warnings, "machine": machine, "interrupted": interrupted}


def merge_seeds(variants, later_runs) -> None:
    """Fold the runs of the later seeds into the first run's variants: rounds
    and per-example results appended (pairs stay within a run), accuracy the
    mean over the seeds. A variant that failed in any run has that status."""
    for variant in variants:
        variant.seed_accuracies = [variant.accuracy]
    for run in later_runs:
        by_name = {v.name: v for v in run}
        for variant in variants:
            other = by_name.get(variant.name)
            if other is None or other.status != "ok":
                if variant.status == "ok":
                    variant.status = other.status if other is not None else "failed"
                    variant.note = (other.note if other is not None else
                                    "not planned again with another seed")
                continue
            variant.round_times += other.round_times
            variant.step_times += other.step_times
            if variant.correct is not None and other.correct is not None:
                variant.correct = variant.correct + other.correct
            variant.seed_accuracies.append(other.accuracy)
    for variant in variants:
        known = [a for a in variant.seed_accuracies if a is not None]
        variant.accuracy = sum(known) / len(known) if known else None


def check_training_setup(model, data, classes: int, options, summary=None) -> list[str]:
    """What would make training fail or its numbers meaningless, before any
    step runs: errors for the first, warnings (returned) for the second.
    ``summary``: the original's, whose layers say what each BatchNorm sees."""
    if not any(p.requires_grad for p in model.parameters()):
        raise CnnauditError("the model has no trainable parameters: there is nothing to probe")
    if len(data.train_x) < options.batch_size:
        raise CnnauditError(f"--batch-size {options.batch_size} is larger than the "
                            f"{len(data.train_x):,} training samples of --data {data.name}")
    if summary is not None and summary.graph is not None:
        check_batch_norm_batch(summary.graph, options.batch_size)
    warnings = []
    if classes < 2:
        warnings.append("the model has one output: every prediction is the same class, so "
                        "accuracy means nothing here")
    if len(set(data.train_y.tolist())) < 2:
        warnings.append(f"--data {data.name} has one class: accuracy means nothing here")
    return warnings


BATCH_NORMS = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "F.batch_norm")


def check_batch_norm_batch(graph, batch_size: int) -> None:
    """Training-mode BatchNorm needs more than one value per channel (the
    batch times the map's positions): torch raises a ValueError mid-step
    otherwise. Said before training, at the layer's line."""
    for node in graph.ops():
        if node.op not in BATCH_NORMS or not node.outputs or len(node.outputs[0].shape) < 2:
            continue
        values = batch_size * math.prod(node.outputs[0].shape[2:])
        if values <= 1:
            site = node.defined_at or node.call_site
            raise CnnauditError(
                f"{node.name} ({node.op}) sees {values} value per channel at --batch-size "
                f"{batch_size}: BatchNorm cannot train on one; use --batch-size 2 or more (a "
                "model that must train on single samples can use GroupNorm or LayerNorm there)",
                file=site.file if site else None, line=site.line if site else None)


def _train_all(torch, trainer, variants, options, measure: bool = True) -> bool:
    """Memory alone (``measure``), then interleaved training, then held-out
    accuracy. False when Ctrl-C stopped it (what was measured until then is kept)."""
    progress = _progress(options, len(variants))
    try:
        for variant in variants:
            if measure:
                measure_memory(torch, trainer, variant)
            if variant.status == "ok":
                trainer.prepare(variant)
        train_interleaved(torch, trainer, variants, options, progress)
        for variant in variants:
            if variant.status == "ok":
                variant.accuracy = trainer.evaluate(variant)
    except KeyboardInterrupt:
        return False
    finally:
        if progress is not None:
            progress.close()
    return True


def _progress(options, count):
    if not options.progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=count * (options.warmup + options.steps), unit="step", file=sys.stderr,
                desc=options.label, leave=False)


def available_cores() -> int:
    """Cores this process may run on (its affinity), not all the machine has."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _machine(torch, device, options, warnings: list[str]) -> dict:
    """What decides the timings beyond the model: threads and load on a CPU,
    the card, its capability and the software on CUDA."""
    cores = available_cores()
    facts = {"cores": cores, "torch": torch.__version__}
    if device.type == "cpu":
        facts["threads"] = options.threads or cores
        if hasattr(os, "getloadavg"):
            load = os.getloadavg()[0]
            facts["load_average"] = round(load, 2)
            if load > 0.5 * cores:
                warnings.append(f"the machine was busy before the run (load average "
                                f"{load:.1f} on {cores} cores): timings are noisier, and "
                                "verdicts more often inconclusive")
    else:
        facts.update(name=torch.cuda.get_device_name(device),
                     capability=".".join(map(str, torch.cuda.get_device_capability(device))),
                     cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                     cudnn_benchmark=torch.backends.cudnn.benchmark)
    return facts


def _device_name(machine: dict) -> str:
    if "name" in machine:  # a CUDA device
        return machine["name"]
    import platform

    return f"CPU ({platform.machine()}, {machine['threads']} threads)"
