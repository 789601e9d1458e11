"""Lint findings as text (``path:line:col: CODE [severity] layer: message``,
as flake8 and ruff print them) and as GitHub workflow annotations."""

from __future__ import annotations

import copy

from ..units import format_count

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "suggestion": "notice"}


def _location(finding) -> str:
    if not finding.file:
        return "<unknown>"
    return f"{finding.file}:{finding.line or 0}:{finding.col or 1}"


def attribute_path(name: str) -> str:
    """``features.4.0`` → ``features[4][0]``: how the layer is reached in code."""
    parts = name.split(".")
    path = parts[0]
    for part in parts[1:]:
        path += f"[{part}]" if part.isdigit() else f".{part}"
    return path


def layer_label(finding) -> str:
    """The layer as a person finds it: ``features.4.0 (features[4][0], Conv2d)``
    for an indexed layer, ``relu_13 (F.relu)`` for a functional op (whose
    location is already its forward line)."""
    name, kind = finding.layer, finding.layer_type
    extra = []
    if any(part.isdigit() for part in name.split(".")):
        extra.append(attribute_path(name))
    if kind and (extra or "." in kind):  # an indexed layer's class, or a function
        extra.append(kind)
    return f"{name} ({', '.join(extra)})" if extra else name


def finding_line(finding) -> str:
    layer = f"{layer_label(finding)}: " if finding.layer else ""
    instance = (f" (this instance: {finding.instance['file']}:{finding.instance['line']})"
                if finding.instance else "")
    return (f"{_location(finding)}: {finding.code} [{finding.severity}] {layer}"
            f"{finding.message}{instance}")


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


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


SEVERITY_ORDER = {"error": 0, "warning": 1, "suggestion": 2}
MAX_NAMED = 2  # layers named in a group's "×N (a, b … z)"


def ordered(findings, sort: str = "severity") -> list:
    """Errors first (the model is broken: say so before 58 warnings), then
    warnings, then suggestions, each by file and line; ``sort="line"``: by
    file and line only."""
    def by_line(f):
        return (f.file or "", f.line or 0, f.col or 0, f.code)

    if sort == "line":
        return sorted(findings, key=by_line)
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), *by_line(f)))


def grouped(findings) -> list[tuple]:
    """(first finding, all of its group) — one group per code and source line:
    the 65 identical findings of one helper class's 65 instances. Order kept."""
    groups: dict[tuple, list] = {}
    for finding in findings:
        key = (finding.code, finding.file, finding.line) if finding.file else (id(finding),)
        groups.setdefault(key, []).append(finding)
    return [(members[0], members) for members in groups.values()]


def _repeats(members) -> str:
    if len(members) == 1:
        return ""
    names = [m.layer for m in members if m.layer]
    shown = ", ".join(names[:MAX_NAMED]) + (f" … {names[-1]}" if len(names) > MAX_NAMED else "")
    return f"  ×{len(members)} ({shown})" if names else f"  ×{len(members)}"


def render_statistics(reports) -> str:
    """One line per rule that fired: count, code, name, severity (ruff's
    ``--statistics``), most frequent first."""
    counts: dict[tuple, int] = {}
    for report in reports:
        for f in report.findings:
            key = (f.code, f.name, f.severity)
            counts[key] = counts.get(key, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    lines = [f"{n:>{width}}  {code}  {name} [{severity}]" for (code, name, severity), n in rows]
    lines.append(count_line(reports))
    return "\n".join(lines)


def render_text(reports, verbose: bool = False, sort: str = "severity") -> str:
    lines = []
    for report in reports:
        for finding, members in grouped(ordered(report.findings, sort)):
            if len(members) > 1:  # the instances are named by layer instead
                finding = copy.copy(finding)
                finding.instance = None
            lines.append(finding_line(finding) + _repeats(members))
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


def render_fix_summary(outcomes, written: bool) -> str:
    """The last line of ``lint --fix`` (``--diff``): fixes applied (or that
    would be), findings that remain, fixes refused, unsafe ones left."""
    applied = sum(len(o.applied) for o in outcomes)
    refused = sum(len(o.refused) for o in outcomes)
    unsafe = sum(len(o.unsafe) for o in outcomes)
    remaining = sum(len(o.report.findings) for o in outcomes if o.report is not None)
    files = len({o.file for o in outcomes if o.written})
    line = f"{'Applied' if written else 'Would apply'} {_plural(applied, 'fix', 'fixes')}"
    line += " (each verified)"
    if written:
        line += f" in {_plural(files, 'file')}"
    line += f"; {_plural(remaining, 'finding')} remain; {refused} refused"
    if unsafe:
        line += f"; {_plural(unsafe, 'unsafe fix', 'unsafe fixes')} left (--unsafe-fixes)"
    return line + "."
