"""Stage 8, rendering — the design's "report" stage, named so that the package
does not shadow the API's ``cnnaudit.report`` function: tables, JSON, CSV,
markdown, SARIF, GitHub annotations, the rule catalog, the report's HTML page
and the notebook display. No analysis lives here, and no data object renders
itself: the CLI, ``cnnaudit.render`` and the display hooks (``cnnaudit.display``,
installed by the API) call these functions.

Reads results of stats, linting, probing, diagnosing and viewing; imported by
the CLI and the API only.
"""

from __future__ import annotations

import json

SUMMARY_FORMATS = ("table", "json", "csv", "markdown")
LINT_FORMATS = ("text", "json", "sarif", "github")
PROBE_FORMATS = ("table", "json")
DOCTOR_FORMATS = ("table", "json", "sarif", "github")


def render_text(result, verbose: bool = False) -> str:
    """The human-readable text of a Summary, LintReport, ProbeReport,
    DoctorReport or ShrinkReport."""
    kind = type(result).__name__
    if kind == "Summary":
        from .table import render_summary

        return render_summary(result)
    if kind == "LintReport":
        from .lint_text import render_text as lint_text

        return lint_text([result], verbose=verbose)
    if kind == "ProbeReport":
        from .probe_table import render_probe

        return render_probe(result)
    if kind == "DoctorReport":
        from .doctor_table import render_doctor

        return render_doctor(result, verbose=verbose)
    if kind == "ShrinkReport":
        from .shrink_table import render_shrink

        return render_shrink(result)
    raise TypeError("cnnaudit.render takes a Summary, LintReport, ProbeReport, DoctorReport or "
                    f"ShrinkReport, not {kind}")


def render_summary(summary, output_format: str, receptive: bool = False) -> str:
    """``receptive``: the receptive-field columns and line (``--rf``); JSON and
    CSV always carry them."""
    if output_format == "table":
        from .table import render_summary as table

        return table(summary, receptive)
    from .formats import RENDERERS

    if output_format == "markdown":
        return RENDERERS[output_format](summary, receptive)
    return RENDERERS[output_format](summary)


def render_lint(reports, output_format: str, verbose: bool, sort: str = "severity",
                statistics: bool = False) -> str:
    if output_format == "json":
        data = [r.to_dict() for r in reports]
        return json.dumps(data[0] if len(data) == 1 else data, indent=2)
    if output_format == "sarif":
        from .sarif import render_sarif

        return render_sarif(reports)
    from .lint_text import render_github, render_statistics
    from .lint_text import render_text as lint_text

    if output_format == "github":
        return render_github(reports)
    if statistics:
        return render_statistics(reports)
    return lint_text(reports, verbose=verbose, sort=sort)


def render_doctor(report, output_format: str, verbose: bool = False) -> str:
    """The doctor's report: its table with the findings, JSON, or lint's
    machine formats over its findings (SARIF with the doctor's checks as rules)."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2)
    if output_format == "sarif":
        from .sarif import render_sarif

        return render_sarif([report], doctor=True)
    if output_format == "github":
        from .lint_text import render_github

        return render_github([report])
    from .doctor_table import render_doctor as table

    return table(report, verbose=verbose)


def render_probe(report, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2)
    from .probe_table import render_probe as table

    return table(report)
