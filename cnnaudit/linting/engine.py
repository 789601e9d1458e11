"""``cnnaudit.lint``: pipeline (load → trace) → every selected rule →
suppressions → ranked findings, in a ``LintReport``."""

from __future__ import annotations

import os
from dataclasses import replace

from ..errors import CnnauditError
from ..load import LoadedModel, display_path, is_library_file
from ..pipeline import input_shapes, load_model, trace_model
from .context import FAIL_ON, LintContext, LintOptions
from .findings import Finding, Hit, SourceEdit
from .locations import place_findings
from .results import LintReport


def _probe_command(report_spec: str | None, code: str, shapes, model_args: dict) -> str | None:
    if not report_spec:
        return None
    parts = ["cnnaudit probe", report_spec, "--device cuda", f"--apply {code}"]
    parts += [f"--input-size {','.join(map(str, s))}" for s in shapes]
    parts += [f"--model-args {k}={v!r}" for k, v in model_args.items()]
    return " ".join(parts)


def _to_finding(rule, hit: Hit) -> Finding:
    site = hit.site or (hit.node.site if hit.node is not None else None)
    layer = hit.layer if hit.layer is not None else (hit.node.name if hit.node else None)
    return Finding(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        layer=layer,
        file=display_path(site.file) if site else None,
        line=site.line if site else None,
        col=site.col if site else None,
        message=hit.message,
        savings=hit.savings,
        fix=hit.fix,
        rewrite=hit.rewrite,
        extra={"abs_file": site.file if site else None,
               "end_line": site.end_line if site else None},
        layer_type=hit.node.op if hit.node is not None else None,
        edit=_placed_edit(hit, site),
    )


def _placed_edit(hit: Hit, site) -> SourceEdit | None:
    """The hit's source edit with the file, line and column it applies at:
    the finding's own place, or the layer's call in forward (``at_call``)."""
    edit = hit.edit
    if edit is None:
        return None
    node = hit.node
    at_call = edit.at_call and node is not None
    place = node.call_site if at_call else site
    if place is None or place.col is None or node is None:
        return None
    # What the call at that place is named, to tell it from calls chained on
    # the same column: ``fc1`` for self.fc1(x), ``Conv2d``, ``dropout``, ``view``.
    callee = node.name.rsplit(".", 1)[-1] if at_call else (
        node.op if node.kind == "module" else node.op.rsplit(".", 1)[-1])
    return replace(edit, file=place.file, line=place.line, col=place.col, callee=callee)


def lint(
    model,
    input_size=None,
    *,
    model_args: dict | None = None,
    options: LintOptions | None = None,
    device: str = "meta",
    **option_overrides,
) -> LintReport:
    """Run the rule catalog on ``model`` (an ``nn.Module`` or a SPEC string).
    Options are a ``LintOptions`` or its fields as keywords."""
    options = options or LintOptions()
    for key, value in option_overrides.items():
        if not hasattr(options, key):
            raise CnnauditError(f"unknown lint option {key!r}")
        setattr(options, key, value)
    if options.fail_on not in FAIL_ON:
        raise CnnauditError(f"unknown --fail-on {options.fail_on!r}: choose {', '.join(FAIL_ON)}")

    loaded = load_model(model, model_args, device)
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    graph, loaded, device = trace_model(loaded, shapes, device, notes)
    return lint_traced(loaded, graph, shapes, device, notes, options)


def lint_traced(loaded: LoadedModel, graph, shapes, device: str, notes: list[str],
                options: LintOptions) -> LintReport:
    """The rule catalog on a model already loaded and traced (``lint``
    without its first steps: the report traces once for the summary and lint)."""
    from .rules import all_rules, select_codes

    selected = select_codes(options.select) if options.select else {r.code for r in all_rules()}
    selected -= select_codes(options.ignore)
    context = LintContext(loaded, graph, shapes, options)
    raw = [_to_finding(item, hit) for item in all_rules()
           if item.code in selected and item.code != "CNA002"
           for hit in item.check(context) or ()]
    findings, suppressed, unused = _apply_suppressions(raw, loaded, graph, context)
    if "CNA002" in selected:
        findings += _unused_suppression_findings(unused)

    place_findings(findings, loaded)
    findings, over_cap = _rank_and_cap(findings, options.max_suggestions)
    spec = loaded.spec
    for finding in findings:
        if finding.severity == "suggestion" and finding.savings is not None:
            finding.probe = _probe_command(spec, finding.code, shapes, loaded.model_args)
    findings.sort(key=lambda f: (f.file or "", f.line or 0, f.col or 0, f.code))
    return LintReport(
        model=loaded.label,
        spec=spec,
        input_shapes=shapes,
        device=device,
        findings=findings,
        suppressed=suppressed,
        suggestions_over_cap=over_cap,
        notes=notes,
        fail_on=options.fail_on,
        graph=graph,
    )


def _unused_suppression_findings(unused) -> list[Finding]:
    """CNA002 at each suppression comment that suppressed nothing (or names no code)."""
    from .rules import get_rule

    rule = get_rule("CNA002")
    findings = []
    for suppression, idle in unused:
        what = (
            "a bare `# cnnaudit: ignore` suppresses nothing: name the codes, "
            "e.g. `# cnnaudit: ignore[CNA202]`"
            if suppression.bare
            else f"unused suppression: {', '.join(idle)} matched no finding on this line"
        )
        findings.append(Finding(rule.code, rule.name, rule.severity, None,
                                display_path(suppression.file), suppression.line,
                                suppression.col, what))
    return findings


def _user_files(loaded: LoadedModel, findings: list[Finding]) -> set[str]:
    paths = {f.extra.get("abs_file") for f in findings if f.extra.get("abs_file")}
    paths |= {site.file for site in loaded.sites.values()}
    if loaded.spec and ".py:" in loaded.spec:
        paths.add(os.path.abspath(loaded.spec.rsplit(":", 1)[0]))
    return {p for p in paths if p and not is_library_file(p)}


def _model_lines(loaded, graph, context) -> set[tuple[str, int]]:
    """Every source line this model's layers and ops were built or called on."""
    sites = list(loaded.sites.values())
    for node in graph.nodes:
        sites += [node.call_site, node.defined_at]
    sites.append(context.model_site())
    lines = {(s.file, s.line) for s in sites if s is not None}
    return lines | {(s.file, s.end_line) for s in sites if s is not None and s.end_line}


def _apply_suppressions(findings, loaded, graph, context):
    from .suppressions import SuppressionIndex

    index = SuppressionIndex(_user_files(loaded, findings))
    kept, suppressed = [], 0
    for finding in findings:
        path = finding.extra.get("abs_file")
        lines = [finding.line, finding.extra.get("end_line")]
        if path and any(line and index.suppresses(path, line, finding.code, finding.name)
                        for line in lines):
            suppressed += 1
        else:
            kept.append(finding)
    # Only comments on this model's own lines: a file may hold several models.
    lines = _model_lines(loaded, graph, context)
    unused = [(item, idle) for item, idle in index.unused() if (item.file, item.line) in lines]
    return kept, suppressed, unused


def _rank_and_cap(findings: list[Finding], cap: int) -> tuple[list[Finding], int]:
    """Suggestions ranked by parameters, then MACs saved; at most ``cap`` kept."""
    suggestions = [f for f in findings if f.severity == "suggestion"]
    others = [f for f in findings if f.severity != "suggestion"]

    def savings_key(finding):
        s = finding.savings
        return (-(s.params_saved if s else 0), -(s.macs_saved if s else 0))

    suggestions.sort(key=savings_key)
    if cap and len(suggestions) > cap:
        return others + suggestions[:cap], len(suggestions) - cap
    return others + suggestions, 0
