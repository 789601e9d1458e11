"""``cnnaudit shrink``: read the model, plan candidates within the budget,
train the original and every candidate with the probe's training core (the same
data, batches, seeds and paired comparisons), and keep the smallest candidate
whose held-out accuracy the paired interval shows kept within the tolerance.
"""

from __future__ import annotations

import time
from dataclasses import asdict, fields

from ..errors import CnnauditError
from ..training import load_for_training
from .changes import describe_changes
from .plans import candidate_plans, smallest_plan
from .reading import read_architecture
from .results import Candidate, ShrinkOptions, ShrinkReport
from .source import build, class_source

OUTPUTS = {"log_softmax": "log-probabilities (log_softmax)", "softmax": "probabilities (softmax)",
           "logits": "logits"}


def resolve_options(options: ShrinkOptions | None, overrides: dict) -> ShrinkOptions:
    options = options or ShrinkOptions()
    names = {f.name for f in fields(ShrinkOptions)}
    for key, value in overrides.items():
        if key not in names:
            raise CnnauditError(f"unknown shrink option {key!r}")
        setattr(options, key, value)
    if not isinstance(options.max_params, int) or options.max_params < 1:
        raise CnnauditError("--max-params must be a positive number of parameters")
    if options.max_macs is not None and options.max_macs < 1:
        raise CnnauditError("--max-macs must be a positive number of MACs")
    if options.families is not None:
        from .plans import CANDIDATES

        options.families = tuple(options.families)
        unknown = sorted(set(options.families) - set(CANDIDATES))
        if unknown or not options.families:
            raise CnnauditError(f"unknown --families {', '.join(unknown) or '(none)'}: choose "
                                f"from {', '.join(CANDIDATES)}")
    if options.tolerance < 0:
        raise CnnauditError("--tolerance is the accuracy (points) a candidate may lose: 0 or more")
    return options


def shrink(model, input_size=None, *, model_args: dict | None = None,
           options: ShrinkOptions | None = None, **overrides) -> ShrinkReport:
    """Compose the cheatsheet's reductions into candidates within the budget,
    train them against ``model`` (an ``nn.Module``, left untouched, or a SPEC)
    and return a ShrinkReport; ``report.source`` is the module to write (None
    when no candidate kept the accuracy)."""
    from ..probing import ProbeOptions, train_variants
    from ..probing import resolve_options as probe_options

    started = time.perf_counter()
    options = resolve_options(options, overrides)
    steps, seeds = options.effective()
    training = probe_options(ProbeOptions(
        device=options.device, steps=steps, seeds=seeds, batch_size=options.batch_size,
        lr=options.lr, optimizer=options.optimizer, data=options.data, seed=options.seed,
        amp=options.amp, accuracy_tolerance=options.tolerance, progress=options.progress,
        max_suggestions=0, warmup=min(10, steps // 10), label="shrink"), {})
    arch, original, field_side, notes = _read(model, model_args, input_size)
    shape = arch.input_shape
    _check_budget(arch, original, options)
    plans = candidate_plans(shape, arch.classes, options.max_params, options.max_macs,
                            flat_head=arch.flattened is not None, only=options.families)
    if not plans:
        macs = f" and --max-macs {options.max_macs:,}" if options.max_macs else ""
        families = f" of --families {','.join(options.families)}" if options.families else ""
        raise CnnauditError(f"no candidate{families} fits --max-params {options.max_params:,}"
                            f"{macs} at {_shape(shape)}: raise the budget")
    class_name = f"Small{arch.name}" if arch.name.isidentifier() else "SmallNet"
    candidates = []
    for plan in plans:
        changes = describe_changes(plan, arch, field_side)
        doc = _docstring(arch, options, plan.summary, changes, None, plan.name)
        candidates.append(Candidate(plan.name, plan.family, plan.summary, changes, plan.params,
                                    plan.macs, plan.receptive_field,
                                    class_source(plan, class_name, shape, arch.output, doc),
                                    class_name))

    def planner(loaded, shapes, run_options, plan_notes):
        import torch

        from ..probing import summarized_variant

        first, base = summarized_variant("original", [], loaded.model, shapes, run_options)
        variants = [first]
        for candidate in candidates:
            torch.manual_seed(run_options.seed)  # the same start in every run of a seed
            module = build(candidate.source, candidate.class_name, candidate.name)
            variant, _ = summarized_variant(candidate.name, [candidate.family], module, shapes,
                                            run_options)
            variants.append(variant)
        return variants, base

    trained = train_variants(model, [shape], model_args=model_args, options=training,
                             planner=planner)
    by_name = {variant.name: variant for variant in trained.variants}
    for candidate in candidates:
        variant = by_name[candidate.name]
        candidate.measured = variant.to_dict()
        claim = variant.claims.get("accuracy", {})
        candidate.difference = {k: claim[k] for k in ("difference", "low", "high", "p_value",
                                                      "examples") if k in claim} or None
        candidate.verdict = _verdict(variant, claim)
        # the plan's counts against the built model's, as cnnaudit's summary counts them
        if (candidate.params, candidate.macs) != (variant.params, variant.macs):
            raise CnnauditError(f"internal error: {candidate.name} counted {candidate.params:,} "
                                f"parameters and {candidate.macs:,} MACs but has "
                                f"{variant.params:,} and {variant.macs:,}")
    kept = [c for c in candidates if c.verdict == "kept"]
    chosen = min(kept, key=lambda c: (c.params, c.macs)) if kept else None
    report = ShrinkReport(
        model=arch.name, spec=trained.spec, options=asdict(options), data=trained.data,
        device=trained.device_name, original=by_name["original"].to_dict(),
        candidates=candidates, chosen=chosen.name if chosen else None, steps=steps, seeds=seeds,
        notes=notes + trained.notes, warnings=_warnings(trained.warnings))
    if chosen is not None:
        doc = _docstring(arch, options, chosen.summary, chosen.changes, report, chosen.name)
        plan = next(p for p in plans if p.name == chosen.name)
        report.source = class_source(plan, chosen.class_name, shape, arch.output, doc)
    else:
        report.advice = _advice(report, options)
    report.seconds = time.perf_counter() - started
    return report


def _warnings(warnings: list[str]) -> list[str]:
    """The probe's warnings, one line for all the step-time spreads (shrink
    judges accuracy; its step times are shown, not judged)."""
    spread = [w for w in warnings if "step times vary" in w]
    kept = [w for w in warnings if w not in spread]
    if spread:
        kept.append(f"step times vary by more than a tenth for {len(spread)} of the networks "
                    "(a busy machine): the step-time column is rough")
    return kept


def _read(model, model_args, input_size):
    """(architecture, original parameters, the final map's receptive field, notes)."""
    from ..stats import summary

    loaded, notes, shape = load_for_training(model, model_args, input_size, "shrink")
    result = summary(loaded, [shape], depth=None)
    arch = read_architecture(result.graph, loaded.label)
    field = result.receptive["size"] if result.receptive else None
    return arch, result.totals.params, field, notes


def _check_budget(arch, original: int, options: ShrinkOptions) -> None:
    shape = arch.input_shape
    if options.max_params >= original:
        raise CnnauditError(f"--max-params {options.max_params:,} is not below the original's "
                            f"{original:,} parameters: there is nothing to shrink")
    floor = smallest_plan(shape, arch.classes)
    if options.max_params < floor:
        raise CnnauditError(
            f"--max-params {options.max_params:,} is below the smallest network shrink composes "
            f"for {_shape(shape)} → {arch.classes} classes ({floor:,} parameters: a 4-channel "
            f"stem, its downsamplings and a Linear to {arch.classes} classes); give it at least "
            f"{floor:,}")


def _shape(shape) -> str:
    return "×".join(map(str, shape))


def _verdict(variant, claim: dict) -> str:
    if variant.status != "ok":
        return f"not measured ({variant.status})"
    return {"confirmed": "kept", "refuted": "lost", "inconclusive": "inconclusive"}.get(
        claim.get("outcome"), "not measured")


def _docstring(arch, options, summary: str, changes, report, name: str) -> str:
    budget = f"{options.max_params:,} parameters" + (
        f" and {options.max_macs:,} MACs" if options.max_macs else "")
    lines = [f"{arch.name} shrunk to a budget of {budget} by `cnnaudit shrink` "
             f"(candidate {name}: {summary}).", "", "Changes from the original:"]
    lines += [f"- {change}" for change in changes]
    lines += ["", f"Input {_shape(arch.input_shape)}; output {arch.classes} "
              f"{OUTPUTS[arch.output]} per sample, as the original."]
    if report is not None:
        candidate = report.candidate(name)
        original = report.original
        measured = candidate.measured
        diff = candidate.difference or {}
        steps, seeds = options.effective()
        plural = "s" if seeds > 1 else ""
        lines += ["", f"Measured by `cnnaudit shrink` ({steps} steps at batch "
                  f"{options.batch_size}, {options.optimizer} lr {options.lr:g}, {seeds} "
                  f"seed{plural}, on {report.data}; {report.device}):",
                  f"- parameters {candidate.params:,} (original {original['params']:,}), MACs "
                  f"per sample {candidate.macs:,} (original {original['macs']:,})",
                  f"- held-out accuracy {_percent(measured['accuracy'])} (original "
                  f"{_percent(original['accuracy'])}); paired difference "
                  f"{diff.get('difference', 0):+.1f} points, 95 % interval "
                  f"[{diff.get('low', 0):+.1f}, {diff.get('high', 0):+.1f}]: kept within "
                  f"{options.tolerance:g} point{'s' if options.tolerance != 1 else ''}"]
        if measured.get("step_time_ms") and original.get("step_time_ms"):
            lines.append(f"- step time {measured['step_time_ms']['median']:.2f} ms (original "
                         f"{original['step_time_ms']['median']:.2f} ms) on that machine")
        if report.spec:
            lines.append(f"- original: {report.spec}")
    return "\n".join(lines)


def _percent(value) -> str:
    """The probe's accuracies are percentages already."""
    return f"{value:.1f} %" if value is not None else "not measured"


def _advice(report: ShrinkReport, options: ShrinkOptions) -> list[str]:
    """What would help when no candidate kept the accuracy."""
    steps, seeds = options.effective()
    advice = []
    verdicts = [c.verdict for c in report.candidates]
    if "inconclusive" in verdicts:
        advice.append(f"the paired interval could not tell a loss within {options.tolerance:g} "
                      f"point from a larger one: more --seeds (now {seeds}) or more held-out "
                      "data (--data) narrow it")
    if "lost" in verdicts:
        advice.append(f"small networks learn more slowly than the original: more --steps (now "
                      f"{steps}) or more data (--data) may close the gap")
    measured = [c for c in report.candidates if c.difference]
    if measured:
        best = max(measured, key=lambda c: c.difference["difference"])
        advice.append(f"the best trade-off found: {best.name}, {best.params:,} parameters, "
                      f"{best.difference['difference']:+.1f} points "
                      f"[{best.difference['low']:+.1f}, {best.difference['high']:+.1f}]; a larger "
                      f"--max-params (now {options.max_params:,}) leaves room for wider layers")
    return advice
