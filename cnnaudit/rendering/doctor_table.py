"""The doctor's report as text: one line per check (its status and the
figure that decided it), then the findings in lint's text format; and the
LR range test's curve as a picture."""

from __future__ import annotations

from .lint_text import render_text as findings_text

_MARK = {"pass": "pass", "finding": "FINDING", "not applicable": "n/a", "skipped": "skipped",
         "failed": "FAILED"}


def render_doctor(report, verbose: bool = False, tablefmt: str = "simple") -> str:
    from tabulate import tabulate

    header = (f"{report.model}{f' ({report.spec})' if report.spec else ''} on {report.device}; "
              f"data: {report.data}; loss: {report.loss}; "
              f"{report.options['optimizer']} lr {report.options['lr']:g}"
              f"{', ' + report.options['amp'] if report.options.get('amp') else ''}"
              f"{' (quick)' if report.options.get('quick') else ''}")
    rows = [[c.code, c.name, _MARK.get(c.status, c.status), c.summary] for c in report.checks]
    table = tabulate(rows, headers=["check", "name", "status", "measured"], tablefmt=tablefmt,
                     disable_numparse=True)
    parts = [header, "", table, ""]
    parts.append(findings_text([report], verbose=verbose))
    parts.append(f"({report.seconds:.1f} s)")
    return "\n".join(parts)


def plot_lr_range(report, path: str) -> None:
    """Loss against learning rate (log scale), the suggestion and the
    divergence point marked, and the configured rate."""
    from ..errors import CnnauditError

    curve = report.lr_curve
    if not curve or not curve["lrs"]:
        raise CnnauditError("--plot: the LR range test (CNA507) did not run")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise CnnauditError("--plot needs matplotlib: pip install 'cnnaudit[plot]'") from None
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(curve["lrs"], curve["losses"], color="#1f77b4", label="loss (smoothed)")
    axis.set_xscale("log")
    # The last points of a diverging run dwarf the rest: show up to twice the start.
    low, start = min(curve["losses"]), curve["losses"][0]
    axis.set_ylim(low - 0.05 * abs(low), max(start * 2, low + 1e-3))
    axis.set_xlabel("learning rate")
    axis.set_ylabel("training loss")
    if curve.get("suggestion"):
        axis.axvline(curve["suggestion"], color="#2ca02c", linestyle="--",
                     label=f"suggested {curve['suggestion']:.2g}")
    if curve.get("divergence"):
        axis.axvline(curve["divergence"], color="#d62728", linestyle=":",
                     label=f"diverges {curve['divergence']:.2g}")
    axis.axvline(report.options["lr"], color="#7f7f7f", linestyle="-.",
                 label=f"configured {report.options['lr']:g}")
    axis.set_title(f"LR range test: {report.model} ({report.options['optimizer']})")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
