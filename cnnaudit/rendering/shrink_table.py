"""``cnnaudit shrink``'s table: the original, then each candidate with its
counts, what training measured and its verdict; the written file or, when
nothing was kept, what would help."""

from __future__ import annotations

from ..units import format_bytes, format_count

HEADERS = ["candidate", "params", "MACs", "RF", "step (ms)", "peak memory", "accuracy",
           "Δ accuracy [95 %]", "verdict"]


def _step(measured: dict) -> str:
    timing = measured.get("step_time_ms")
    return f"{timing['median']:.2f}" if timing else "--"


def _accuracy(measured: dict) -> str:
    value = measured.get("accuracy")
    if value is None:
        return "--"
    spread = measured.get("accuracy_spread")
    return f"{value:.1f} %" + (f" ± {spread:.1f}" if spread is not None else "")


def _change(value: int, base: int) -> str:
    return f" ({(value - base) / base:+.0%})" if base else ""


def render_shrink(report, tablefmt: str = "simple") -> str:
    from tabulate import tabulate

    original = report.original
    rows = [["original", f"{original['params']:,}", format_count(original["macs"]), "",
             _step(original), format_bytes(original["peak_memory_bytes"]),
             _accuracy(original), "", "baseline"]]
    for candidate in report.candidates:
        diff = candidate.difference
        rows.append([
            candidate.name + (" ←" if candidate.name == report.chosen else ""),
            f"{candidate.params:,}{_change(candidate.params, original['params'])}",
            format_count(candidate.macs) + _change(candidate.macs, original["macs"]),
            f"{candidate.receptive_field}",
            _step(candidate.measured),
            format_bytes(candidate.measured.get("peak_memory_bytes")),
            _accuracy(candidate.measured),
            (f"{diff['difference']:+.1f} [{diff['low']:+.1f}, {diff['high']:+.1f}]"
             if diff else "--"),
            candidate.verdict,
        ])
    options = report.options
    steps, seeds = report.steps, report.seeds
    budget = f"{options['max_params']:,} parameters" + (
        f", {options['max_macs']:,} MACs" if options.get("max_macs") else "")
    lines = [f"{report.model}: candidates within {budget}, trained {steps} steps × {seeds} "
             f"seed{'s' if seeds > 1 else ''} at batch {options['batch_size']} on "
             f"{report.data} ({report.device}); kept = the paired 95 % interval of Δ accuracy "
             f"above −{options['tolerance']:g} point", "",
             tabulate(rows, headers=HEADERS, tablefmt=tablefmt, disable_numparse=True), ""]
    for candidate in report.candidates:
        lines.append(f"{candidate.name}: {candidate.summary}")
    lines.append("")
    if report.chosen:
        chosen = report.candidate(report.chosen)
        where = f"written to {report.written}" if report.written else \
            "not written (no -o OUT.py)"
        lines.append(f"kept: {chosen.name}, {chosen.params:,} parameters "
                     f"({(chosen.params - original['params']) / original['params']:+.0%}); "
                     f"{where}")
        lines += [f"  - {change}" for change in chosen.changes]
    else:
        lines.append("no candidate kept the accuracy: nothing written")
        lines += [f"  - {advice}" for advice in report.advice]
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
