"""The probe's comparison table, and its loss curves as a PNG."""

from __future__ import annotations

from ..units import format_bytes, format_count

HEADERS = ("variant", "params", "MACs", "step ms (median ± IQR)", "step time [95% CI]",
           "samples/s", "peak mem", "estimate", "final loss", "accuracy", "Δ points [95% CI]",
           "verdict")


def _speed(claims: dict) -> str:
    """The paired step-time change against the original: −15 % [−18 %, −12 %]."""
    ratio = (claims.get("speed") or {}).get("ratio")
    if not ratio:
        return "--"
    return (f"{_percent(ratio['median'] - 1)} [{_percent(ratio['low'] - 1)}, "
            f"{_percent(ratio['high'] - 1)}]")


def _percent(change: float) -> str:
    """+12%, −3%, and 0% rather than a signed zero."""
    text = f"{change:+.0%}"
    return "0%" if text in ("+0%", "-0%") else text.replace("-", "−")


def _mean_accuracy(data: dict) -> str:
    if data["accuracy"] is None:
        return "--"
    if data["accuracy_spread"] is None:
        return f"{data['accuracy']:.1f} %"
    return f"{data['accuracy']:.1f} ± {data['accuracy_spread']:.1f} %"


def _accuracy(claims: dict) -> str:
    claim = claims.get("accuracy") or {}
    if "difference" not in claim:
        return "--"
    return (f"{claim['difference']:+.1f} [{claim['low']:+.1f}, "
            f"{claim['high']:+.1f}]").replace("-", "−")


def _change(value, base) -> str:
    if value is None or not base:
        return ""
    return f" ({(value - base) / base:+.0%})"


def render_probe(report, tablefmt: str = "simple") -> str:
    from tabulate import tabulate

    rows = []
    original = report.variants[0].to_dict() if report.variants else None
    for variant in report.variants:
        data = variant.to_dict()
        timing = data["step_time_ms"]
        rows.append([
            data["name"] + (f" (batch {data['batch_size']})"
                            if data["batch_size"] != report.batch_size else ""),
            format_count(data["params"]) + ("" if variant is report.variants[0]
                                            else _change(data["params"], original["params"])),
            format_count(data["macs"]) + ("" if variant is report.variants[0]
                                          else _change(data["macs"], original["macs"])),
            f"{timing['median']:.2f} ± {timing['iqr']:.2f}" if timing else "--",
            _speed(data["claims"]),
            f"{data['samples_per_s']:,.0f}" if data["samples_per_s"] else "--",
            (format_bytes(data["peak_memory_bytes"]) + f" ({data['peak_memory_phase']})")
            if data["peak_memory_bytes"] else "--",
            (format_bytes(data["estimated_memory_bytes"])
             + (f" ({data['memory_ratio']:.2f}×)" if data["memory_ratio"] else ""))
            if data["estimated_memory_bytes"] else "--",
            f"{data['final_loss']:.4f}" if data["final_loss"] is not None else "--",
            _mean_accuracy(data),
            _accuracy(data["claims"]),
            data["verdict"] + (f" ({data['note']})" if data["note"] else ""),
        ])
    lines = [
        f"{report.model} on {report.device_name}: {report.steps} steps (+{report.warmup} "
        f"warm-up) at batch {report.batch_size}, {report.options['optimizer']} lr "
        f"{report.options['lr']}, data: {report.data}",
        "",
        tabulate(rows, headers=HEADERS, tablefmt=tablefmt, disable_numparse=True),
    ]
    if report.ddp:
        lines += ["", _ddp_line(report.ddp)]
    for variant in report.variants:
        lines += _inconclusive_notes(variant, report.options.get("seeds", 1))
        lines += _lost_accuracy_notes(variant, report)
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _inconclusive_notes(variant, seeds: int = 1) -> list[str]:
    """What would settle a claim the measurements leave open."""
    notes = []
    speed = variant.claims.get("speed", {})
    if speed.get("outcome") == "inconclusive" and speed.get("too_few_rounds"):
        notes.append(f"note: {variant.name}: {speed['ratio']['rounds']} timed round(s) are too "
                     f"few for a speed verdict; at least {speed['steps_to_resolve']:,} timed "
                     "steps (--steps) give one")
    elif speed.get("outcome") == "inconclusive":
        more = (f"; about {speed['steps_to_resolve']:,} steps would likely resolve it"
                if speed.get("steps_to_resolve") else "")
        notes.append(f"note: {variant.name}: the step-time interval spans the "
                     f"{1 - speed['threshold']:.0%} speed-up the claim needs{more}")
    accuracy = variant.claims.get("accuracy", {})
    if accuracy.get("outcome") == "inconclusive":
        examples = (f"{accuracy['examples']} held-out examples" if seeds == 1 else
                    f"{accuracy['examples']} held-out predictions ({seeds} seeds)")
        notes.append(f"note: {variant.name}: the accuracy interval spans the tolerated loss: "
                     f"{examples} cannot tell a loss that small from none "
                     "(more data: --data, or more --seeds)")
    return notes


def _lost_accuracy_notes(variant, report) -> list[str]:
    """Global pooling refuted on accuracy (CNA301 alone): the reductions
    composed (earlier downsampling and 3×3 depth before the pooling) may hold
    it, and `cnnaudit shrink` trains them to see."""
    accuracy = variant.claims.get("accuracy", {})
    if accuracy.get("outcome") != "refuted" or variant.applied != ["CNA301"]:
        return []
    original = report.variants[0].params
    budget = int(float(f"{original / 3:.2g}"))  # a third, two significant digits
    spec = report.spec or report.model
    if ".py:" in spec:
        from ..load import display_path

        path, _, name = spec.rpartition(":")
        spec = f"{display_path(path)}:{name}"
    return [f"note: {variant.name} loses {-accuracy['difference']:.1f} points: pooling alone "
            f"forgets the layout the head read; `cnnaudit shrink {spec} --max-params {budget}` "
            "composes it with earlier downsampling and 3×3 depth, and trains the candidates "
            "against the original (docs/shrink.md)"]


def _ddp_line(ddp: dict) -> str:
    parts = [f"DDP over {ddp['nproc']} processes ({ddp['backend']}), batch "
             f"{ddp['batch_size_per_process']} per process:"]
    for item in ddp["variants"]:
        parts.append(f"{item['name']} {item['step_time_ms']['median']:.2f} ms/step, "
                     f"{item['samples_per_s']:,.0f} samples/s, "
                     f"{item['scaling']:.2f}× the single process")
    return " ".join(parts[:1]) + "\n  " + "\n  ".join(parts[1:])


def plot_losses(report, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        from ..errors import CnnauditError

        raise CnnauditError("--plot needs matplotlib: pip install 'cnnaudit[plot]'") from None
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for variant in report.variants:
        if variant.losses:
            axis.plot(range(report.warmup, report.warmup + len(variant.losses)), variant.losses,
                      label=variant.name, linewidth=1)
    axis.set_xlabel("step")
    axis.set_ylabel("training loss")
    axis.set_title(f"{report.model}: {report.data}")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
