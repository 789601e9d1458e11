"""Which variants to train: the original, one per applicable suggestion (the
largest savings first), and one with all of them; each rewrite checked by
tracing against the finding's predicted parameters and MACs."""

from __future__ import annotations

from ..errors import CnnauditError
from .results import ProbeOptions, Variant
from .rewrites import REWRITES, apply_findings

PROBE_CODES = tuple(REWRITES)  # the suggestions module surgery can apply


def probe_codes(apply: str) -> set[str]:
    from ..linting.rules import select_codes

    if apply == "all":
        return set(PROBE_CODES)
    codes = select_codes([c for c in apply.split(",") if c.strip()])
    unknown = codes - set(PROBE_CODES)
    if unknown:
        raise CnnauditError(f"--apply {','.join(sorted(unknown))}: the probe can apply "
                            f"{', '.join(PROBE_CODES)}")
    return codes


def plan_variants(loaded, shapes, options: ProbeOptions, notes: list[str]):
    """(variants, the original's summary): the original and one variant per
    applicable suggestion (plus one with all of them), each checked against the
    finding's prediction."""
    import torch

    from ..linting import lint

    report = lint(loaded.model, shapes, select=sorted(probe_codes(options.apply)),
                  max_suggestions=0, device="meta")
    findings = [f for f in report.findings if f.rewrite and f.savings is not None]
    findings.sort(key=lambda f: (-f.savings.params_saved, -f.savings.macs_saved))
    if options.max_suggestions and len(findings) > options.max_suggestions:
        notes.append(f"note: probing the {options.max_suggestions} suggestions with the largest "
                     f"savings of {len(findings)} (--max-suggestions 0 probes all)")
        findings = findings[:options.max_suggestions]
    original, base = summarized_variant("original", [], loaded.model, shapes, options)
    variants = [original]
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


def summarized_variant(name: str, applied: list[str], model, shapes, options: ProbeOptions):
    """(a Variant of ``model`` with its parameters, MACs and memory estimate,
    its summary): what a planner hands the probe's training."""
    result = _summarize(model, shapes, options)
    variant = Variant(name, applied, model, result.totals.params, result.totals.macs,
                      batch_size=options.batch_size)
    _attach_estimate(variant, result)
    return variant, result


def _summarize(model, shapes, options):
    """One summary per variant: its counts, and its training-memory estimate at
    the probe's batch size, optimizer and precision."""
    from ..stats import summary
    from ..stats.memory import default_implementation

    device_type = options.device.split(":")[0]
    return summary(model, shapes, depth=0, batch_size=options.batch_size,
                   optimizer=options.optimizer, amp=options.amp,
                   optimizer_impl=default_implementation(device_type))


def _attach_estimate(variant, result) -> None:
    memory = result.training_memory
    if memory is not None:
        variant.estimated_memory_bytes = memory.total_bytes
        variant.estimated_peak_phase = memory.peak_phase


def _check_prediction(variant, base, shapes, options, saved_params, saved_macs) -> None:
    """Same input and output shapes; parameters and MACs as predicted."""
    result = _summarize(variant.model, shapes, options)
    variant.params, variant.macs = result.totals.params, result.totals.macs
    _attach_estimate(variant, result)
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
