"""What a notebook shows for cnnaudit's results: the tables the command line
prints, as HTML tables (``_repr_html_``), and the text tables for ``print``
and IPython's plain display. The report's page shows inline in a frame of its
own, so that its script and style touch nothing else in the notebook.
"""

from __future__ import annotations

from html import escape

STYLE = ("<style>.cnnaudit table{border-collapse:collapse;font-size:12px}"
         ".cnnaudit th,.cnnaudit td{padding:2px 8px;text-align:left;white-space:nowrap}"
         ".cnnaudit pre{margin:4px 0;font-size:12px}</style>")


def render_for_display(result, kind: str) -> str:
    """``kind`` "text" (print, IPython's plain display), "html" (Jupyter) or,
    for the report, "page" (the whole HTML file)."""
    name = type(result).__name__
    if name == "ModelView":
        if kind == "page":
            from .html import render_html

            return render_html(result.to_dict())
        return _view_text(result) if kind == "text" else _view_html(result)
    if kind == "text":
        from . import render_text

        return render_text(result)
    if name == "Summary":
        from .table import render_summary

        return _wrap(render_summary(result, tablefmt="html"))
    if name == "LintReport":
        return _wrap(_findings_html([result]))
    if name == "ProbeReport":
        from .probe_table import render_probe

        return _wrap(render_probe(result, tablefmt="html"))
    if name == "DoctorReport":
        from .doctor_table import render_doctor

        return _wrap(render_doctor(result, tablefmt="html"))
    if name == "ShrinkReport":
        from .shrink_table import render_shrink

        return _wrap(render_shrink(result, tablefmt="html"))
    raise TypeError(f"no display for {name}")


def _wrap(text: str) -> str:
    """The renderer's text with its tables as HTML: the lines around each
    table preformatted (they are aligned columns of figures)."""
    parts, rest = [], text
    while "<table>" in rest:
        before, rest = rest.split("<table>", 1)
        table, rest = rest.split("</table>", 1)
        parts += [_pre(before), f"<table>{table}</table>"]
    parts.append(_pre(rest))
    return STYLE + '<div class="cnnaudit">' + "".join(parts) + "</div>"


def _pre(text: str) -> str:
    text = text.strip("\n")
    return f"<pre>{escape(text)}</pre>" if text.strip() else ""


def _findings_html(reports) -> str:
    """Lint's findings as a table (the text form is one line per finding)."""
    from tabulate import tabulate

    from .lint_text import count_line, ordered

    findings = [f for report in reports for f in report.findings]
    rows = [[f.severity, f"{f.code} {f.name}", f.layer or "",
             f"{f.file}:{f.line}" if f.file else "", f.message, f.fix or ""]
            for f in ordered(findings)]
    header = f"{reports[0].model}: {count_line(reports)}"
    if not rows:
        return header
    table = tabulate(rows, headers=["severity", "rule", "layer", "where", "message", "fix"],
                     tablefmt="html", disable_numparse=True)
    return f"{header}\n{table}"


def _view_text(view) -> str:
    counts = view.lint.counts()
    found = ", ".join(f"{n} {severity}" for severity, n in counts.items() if n) or "no findings"
    return (f"cnnaudit report of {view.model}: {len(view.summary.layers)} layers, "
            f"{view.summary.totals.params:,} parameters, {found}; "
            f"shown inline in a notebook, written by .save('model.html')")


def _view_html(view) -> str:
    page = render_for_display(view, "page")
    return (f'<iframe srcdoc="{escape(page, quote=True)}" style="width:100%;height:900px;'
            f'border:1px solid #d0d7de" title="cnnaudit report of {escape(view.model)}">'
            "</iframe>")
