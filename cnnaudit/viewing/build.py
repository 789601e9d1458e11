"""``cnnaudit report``'s data: one load and one trace serve the summary (every
level, with the training-memory timeline) and lint; the graph as the page
draws it; and the results of earlier probe or doctor runs.

``ModelView.to_dict()`` is what the page embeds, once, as JSON: every figure
the page shows is read from it, and its ``summary`` and ``lint`` are exactly
``cnnaudit summary/lint --format json``'s (at ``--depth -1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..display import displayed, render
from ..errors import CnnauditError
from ..linting import LintOptions, LintReport, lint_traced
from ..pipeline import input_shapes, load_model, trace_model
from ..stats import Summary, summarize
from ..stats.summary import DEFAULT_TRAINING_BATCH, check_options
from .earlier_runs import read_run
from .graph_view import default_depth, graph_view

SCHEMA_VERSION = 1


@displayed
@dataclass
class ModelView:
    summary: Summary
    lint: LintReport
    graph: dict  # graph_view(): nodes with their hierarchy, edges with shapes
    depth: int  # how deep the drawing opens
    probe: dict | None = None
    doctor: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def model(self) -> str:
        return self.summary.model

    def save(self, path) -> None:
        """Write the page: one self-contained HTML file."""
        from pathlib import Path

        Path(path).write_text(self.html(), encoding="utf-8")

    def html(self) -> str:
        """The page as text (what ``save`` writes and the CLI's ``-o`` holds)."""
        return render(self, "page")

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "model": self.summary.model,
            "depth": self.depth,
            "summary": self.summary.to_dict(),
            "lint": self.lint.to_dict(),
            "graph": self.graph,
            "probe": self.probe,
            "doctor": self.doctor,
            "notes": list(self.notes),
        }


def build_view(model, input_size=None, *, model_args: dict | None = None,
               depth: int | None = None, batch_size: int | None = None,
               optimizer: str | None = None, amp: str | None = None,
               lint_options: LintOptions | None = None, probe: str | None = None,
               doctor: str | None = None) -> ModelView:
    """Everything the report shows of ``model`` (an ``nn.Module`` or a SPEC).
    ``depth``: how deep the graph opens (default: the deepest level that stays
    readable); ``batch_size``/``optimizer``/``amp``: the memory timeline's
    training setup (32, adam, float32); ``probe``/``doctor``: JSON files of
    earlier runs to show."""
    if depth is not None and depth < 1:
        raise CnnauditError(f"--depth must be 1 or more for the graph, not {depth}")
    check_options(device="meta", counter="native", amp=amp, dtype=None, optimizer=optimizer,
                  batch_size=batch_size)
    loaded = load_model(model, model_args, "meta")
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    # read before the work: a wrong file fails in a moment
    earlier = {kind: read_run(path, kind) for kind, path in (("probe", probe),
                                                              ("doctor", doctor)) if path}
    graph, loaded, device = trace_model(loaded, shapes, "meta", notes)
    summary = summarize(loaded, shapes, graph, device, list(notes), depth=None,
                        batch_size=batch_size or DEFAULT_TRAINING_BATCH,
                        optimizer=optimizer or "adam", amp=amp, memory_timeline=True)
    report = lint_traced(loaded, graph, shapes, device, list(notes),
                         lint_options or LintOptions())
    view = graph_view(graph)
    for kind, data in earlier.items():
        if data.get("model") and data["model"] != summary.model:
            notes.append(f"note: the {kind} results are of {data['model']}, not {summary.model}")
    return ModelView(summary=summary, lint=report, graph=view,
                     depth=depth if depth is not None else default_depth(view),
                     probe=earlier.get("probe"), doctor=earlier.get("doctor"), notes=notes)
