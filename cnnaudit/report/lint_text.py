"""Lint findings as text (``path:line:col: CODE [severity] layer: message``,
as flake8 and ruff print them) and as GitHub workflow annotations."""

from __future__ import annotations

from ..units import format_count

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "suggestion": "notice"}


def _location(finding) -> str:
    if not finding.file:
        return "<unknown>"
    return f"{finding.file}:{finding.line or 0}:{finding.col or 1}"


def finding_line(finding) -> str:
    layer = f"{finding.layer}: " if finding.layer else ""
    return f"{_location(finding)}: {finding.code} [{finding.severity}] {layer}{finding.message}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def count_line(reports) -> str:
    totals = {"error": 0, "warning": 0, "suggestion": 0}
    suppressed = over_cap = baselined = cached = 0
    for report in reports:
        for severity, n in report.counts().items():
            totals[severity] += n
        suppressed += report.suppressed
        over_cap += report.suggestions_over_cap
        baselined += getattr(report, "baselined", 0)
        cached += bool(getattr(report, "cached", False))
    found = sum(totals.values())
    models = ", ".join(r.model for r in reports) or "no model"
    parts = [f"{_plural(totals[s], s)}" for s in ("error", "warning", "suggestion") if totals[s]]
    text = f"Found {_plural(found, 'finding')}" + (f" ({', '.join(parts)})" if parts else "")
    text += f" in {models}."
    if suppressed:
        text += f" {suppressed} suppressed."
    if baselined:
        text += f" {baselined} in the baseline."
    if cached:
        text += f" {cached} of {len(reports)} from the cache (nothing they depend on changed)."
    if over_cap:
        text += f" {over_cap} more suggestion{'s' if over_cap > 1 else ''} over the cap " \
                "(--max-suggestions 0 shows all)."
    return text


def render_text(reports, verbose: bool = False) -> str:
    lines = []
    for report in reports:
        for finding in report.findings:
            lines.append(finding_line(finding))
            if verbose and finding.fix:
                lines.append(f"    fix: {finding.fix}")
            if verbose and finding.savings is not None:
                s = finding.savings
                lines.append(f"    saves {format_count(s.params_saved)} parameters, "
                             f"{format_count(s.macs_saved)} MACs per sample")
            if verbose and finding.probe:
                lines.append(f"    verify: {finding.probe}")
    lines.append(count_line(reports))
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports) -> str:
    """``::error file=…,line=…,col=…,title=CODE::message`` per finding."""
    lines = []
    for report in reports:
        for f in report.findings:
            props = []
            if f.file:
                props.append(f"file={_escape_property(f.file)}")
            if f.line:
                props.append(f"line={f.line}")
            if f.col:
                props.append(f"col={f.col}")
            props.append(f"title={f.code}")
            layer = f"{f.layer}: " if f.layer else ""
            lines.append(f"::{_GITHUB_LEVEL[f.severity]} {','.join(props)}::"
                         f"{_escape_data(layer + f.message)}")
    return "\n".join(lines)
