"""``cnnaudit.lint``: load → trace → every selected rule → suppressions →
ranked findings, in a LintReport whose ``to_dict()`` is the JSON output."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from .errors import EXIT_FINDINGS, EXIT_OK, CnnauditError
from .findings import SEVERITY_RANK, Finding, Hit
from .graph import Graph
from .loader import LoadedModel
from .sites import Site, display_path, is_library_file

SCHEMA_VERSION = 1
FAIL_ON = ("error", "warning", "suggestion")


@dataclass
class LintOptions:
    select: list[str] | None = None  # codes, prefixes, names; None = all
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    max_suggestions: int = 5  # per model, ranked by savings; 0 = all
    # CNA301: a Linear on a flattened map holding at least this share of the parameters
    oversized_fc_share: float = 0.5
    # CNA302/303/304: suggest only when the layer shrinks by at least this share
    min_savings_share: float = 0.5
    # CNA303: only convolutions at least this wide (in and out channels)
    bottleneck_min_channels: int = 64
    # CNA208: lost real rows/columns must be at least this share of the extent
    truncation_min_share: float = 0.01
    # CNA401-403
    max_params: int | None = None
    max_macs: int | None = None
    max_memory: int | None = None
    memory_batch_size: int = 32
    optimizer: str = "adam"


class LintContext:
    """What a rule may read: the eval-mode graph, a training-mode graph on
    demand, the model, where its layers were built, and the options."""

    def __init__(self, loaded: LoadedModel, graph: Graph, input_shapes, options: LintOptions):
        self.loaded = loaded
        self.model = loaded.model
        self.graph = graph
        self.input_shapes = input_shapes
        self.options = options

    @cached_property
    def train_graph(self) -> Graph:
        """The same model traced in training mode, saving tensors for backward."""
        from .tracer import trace

        return trace(self.model, self.input_shapes, batch_size=self.graph.batch_size,
                     device=self.graph.device, training=True, record_saved=True,
                     sites=self.loaded.sites)

    def trace_at(self, input_shapes) -> Graph:
        from .tracer import trace

        return trace(self.model, input_shapes, batch_size=self.graph.batch_size,
                     device=self.graph.device, sites=self.loaded.sites)

    @cached_property
    def total_params(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def model_site(self) -> Site | None:
        """Where the model's class is defined (for findings about the whole model)."""
        import inspect

        try:
            path = inspect.getsourcefile(type(self.model))
            _, line = inspect.getsourcelines(type(self.model))
        except (OSError, TypeError):
            return None
        return Site(path, line, 1) if path else None


@dataclass
class LintReport:
    model: str
    spec: str | None
    input_shapes: list[tuple[int, ...]]
    device: str
    findings: list[Finding]
    suppressed: int = 0
    suggestions_over_cap: int = 0
    notes: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    graph: Graph | None = field(default=None, repr=False)
    cached: bool = False  # read back from .cnnaudit_cache
    baselined: int = 0  # findings dropped because the baseline has them

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "suggestion": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """The one place that decides: 1 if any finding is at or above ``fail_on``."""
        threshold = SEVERITY_RANK[self.fail_on]
        failing = any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)
        return EXIT_FINDINGS if failing else EXIT_OK

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "input_shape": list(self.input_shapes[0]) if self.input_shapes else None,
            "device": self.device,
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
            "suppressed": self.suppressed,
            "suggestions_over_cap": self.suggestions_over_cap,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict, fail_on: str = "warning") -> LintReport:
        """The inverse of ``to_dict`` (for results read back from the cache)."""
        shape = data.get("input_shape")
        return cls(
            model=data["model"], spec=data.get("spec"),
            input_shapes=[tuple(shape)] if shape else [], device=data.get("device", "meta"),
            findings=[Finding.from_dict(f) for f in data["findings"]],
            suppressed=data.get("suppressed", 0),
            suggestions_over_cap=data.get("suggestions_over_cap", 0),
            notes=list(data.get("notes", [])), fail_on=fail_on, cached=True,
        )

    def __repr__(self) -> str:
        from .report.lint_text import render_text

        return render_text([self])

    __str__ = __repr__


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
        extra={"abs_file": site.file if site else None},
    )


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
    from .rules import all_rules, select_codes
    from .summarize import _load, input_shapes, trace_model

    options = options or LintOptions()
    for key, value in option_overrides.items():
        if not hasattr(options, key):
            raise CnnauditError(f"unknown lint option {key!r}")
        setattr(options, key, value)
    if options.fail_on not in FAIL_ON:
        raise CnnauditError(f"unknown --fail-on {options.fail_on!r}: choose {', '.join(FAIL_ON)}")

    loaded = _load(model, model_args, device)
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    graph, loaded, device = trace_model(loaded, shapes, device, notes)

    selected = select_codes(options.select) if options.select else {r.code for r in all_rules()}
    selected -= select_codes(options.ignore)
    context = LintContext(loaded, graph, shapes, options)
    raw: list[Finding] = []
    for item in all_rules():
        if item.code not in selected or item.code == "CNA002":
            continue
        for hit in item.check(context) or ():
            raw.append(_to_finding(item, hit))

    findings, suppressed, unused = _apply_suppressions(raw, loaded, graph, context)
    if "CNA002" in selected:
        from .rules import get_rule

        unused_rule = get_rule("CNA002")
        for suppression, idle in unused:
            what = (
                "a bare `# cnnaudit: ignore` suppresses nothing: name the codes, "
                "e.g. `# cnnaudit: ignore[CNA202]`"
                if suppression.bare
                else f"unused suppression: {', '.join(idle)} matched no finding on this line"
            )
            findings.append(Finding(
                unused_rule.code, unused_rule.name, unused_rule.severity, None,
                display_path(suppression.file), suppression.line, suppression.col, what))

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
    return {(s.file, s.line) for s in sites if s is not None}


def _apply_suppressions(findings, loaded, graph, context):
    from .suppressions import SuppressionIndex

    index = SuppressionIndex(_user_files(loaded, findings))
    kept, suppressed = [], 0
    for finding in findings:
        path = finding.extra.get("abs_file")
        if path and index.suppresses(path, finding.line, finding.code, finding.name):
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
