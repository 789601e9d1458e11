"""Fix one model: each proposed edit applied to the current source, the
edited copy linted, kept only when verified; then, with ``write``, the file
replaced atomically — unless it changed on disk since it was read.

Verified means, on the edited copy beside the original (so its own imports
still resolve): the model imports, builds and traces; the finding is gone;
no error or warning appears that was not there (no error, when the model
crashed before: the rules after the crash could not run, and what they find
now is the fixed model's, reported as findings); parameters change by exactly
what the rule predicted (``edit.expect``), and MACs too where it
predicts them. Positions for the next edit come from the verifying lint of
the copy, so an edit that adds a line (``import torch``) moves nothing wrong.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import CnnauditError, one_line
from ..load import is_library_file, split_spec
from ..load.source import SourceEncodingError, SourceFile, read_source, write_source
from .edits import FixError, apply_edit

BLOCKING = ("error", "warning")
# Each verified copy gets its own name: Python caches imported modules, so a
# second copy under the first one's name would lint the first one again.
_COPIES = itertools.count()


@dataclass
class FixOutcome:
    """What ``--fix`` did for one model."""

    spec: str
    file: str | None  # the model's source file
    applied: list[dict] = field(default_factory=list)  # {code, layer, line, safety}
    refused: list[dict] = field(default_factory=list)  # ... and "reason"
    unsafe: list[dict] = field(default_factory=list)  # left for --unsafe-fixes
    diff: str = ""
    written: bool = False
    report: object = None  # the lint of the final source (LintReport)

    def to_dict(self) -> dict:
        return {"spec": self.spec, "file": self.file, "applied": self.applied,
                "refused": self.refused, "unsafe": self.unsafe, "written": self.written}


def model_file(spec: str) -> Path | None:
    """The source file a SPEC's model is defined in, if it is the user's."""
    import importlib.util

    target, _ = split_spec(spec)
    if target.endswith(".py"):
        path = Path(target).resolve()
    else:
        found = importlib.util.find_spec(target)
        if found is None or not found.origin:
            return None
        path = Path(found.origin).resolve()
    return None if is_library_file(str(path)) else path


def fix_reports(reports, model_args_by_spec: dict, options, *, unsafe: bool = False,
                write: bool = True) -> list[FixOutcome]:
    """``fix_model`` for each report, with the arguments its model was built with."""
    return [fix_model(report.spec, report.input_shapes, model_args_by_spec.get(report.spec, {}),
                      options, report, unsafe=unsafe, write=write) for report in reports]


def fix_model(spec: str, input_sizes, model_args: dict, options, report, *,
              unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Apply, verify and (with ``write``) save the fixes of ``report``'s findings."""
    path = model_file(spec)
    outcome = FixOutcome(spec, str(path) if path else None, report=report)
    fixable = [f for f in report.findings if f.edit]
    if path is None:
        outcome.refused = [_entry(f, "the model is library code") for f in fixable]
        return outcome
    _, name = split_spec(spec)
    try:
        source = read_source(path)
    except CnnauditError as exc:
        outcome.refused = [_entry(f, exc.message) for f in fixable]
        return outcome
    original = source.text
    text, current = original, report
    # A layer name can carry several findings of one rule (three Linears built
    # in forward): a fix must lower their count; a refused one is not retried.
    blocked: set[tuple] = set()
    while True:
        todo = [f for f in current.findings if f.edit and (f.code, f.layer) not in blocked]
        if not todo:
            break
        finding = todo[0]
        verified, left = None, outcome.refused  # where a fix not made is listed
        if os.path.realpath(finding.edit.file) != str(path):
            reason = f"the edit is in {finding.file}, not in the model's file: fix it there by hand"
        elif finding.edit.safety != "safe" and not unsafe:
            left, reason = outcome.unsafe, finding.edit.reason
        else:
            try:
                edited = apply_edit(text, finding.edit)
                verified, reason = _verify(source, name, edited, input_sizes, model_args,
                                           options, current, finding)
            except FixError as exc:
                reason = str(exc)
            except SourceEncodingError as exc:
                reason = exc.message
        if verified is None:
            left.append(_entry(finding, reason))
            blocked.add((finding.code, finding.layer))
            continue
        outcome.applied.append(_entry(finding, finding.edit.reason))
        text, current = edited, verified
    outcome.report = current
    if text != original:
        shown = _shown(path).lstrip("/")
        outcome.diff = "".join(difflib.unified_diff(
            original.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"a/{shown}", tofile=f"b/{shown}"))
        if write:
            why_not = ("the file changed on disk since it was read" if source.changed_on_disk()
                       else "the file is read-only" if source.read_only else None)
            if why_not is None:
                try:
                    write_source(source, text)
                    outcome.written = True
                except CnnauditError as exc:
                    why_not = exc.message
            if not outcome.written:
                outcome.refused.extend(dict(a, reason=f"{why_not}: not written")
                                       for a in outcome.applied)
                outcome.applied = []
    return outcome


def _verify(source: SourceFile, name: str, edited: str, input_sizes, model_args, options,
            before, finding):
    """(the edited model's lint report, "") when the edit keeps every promise,
    else (None, why not)."""
    from ..linting import lint

    path = source.path
    copy_path = _copy_path(path, next(_COPIES))
    copy_path.write_bytes(source.encode(edited))  # as the file itself will be written
    try:
        verify_options = copy.copy(options)
        verify_options.max_suggestions = 0
        try:
            after = lint(f"{copy_path}:{name}", input_sizes, model_args=model_args,
                                  options=verify_options)
        except CnnauditError as exc:
            return None, f"the edited model does not build: {one_line(exc)}"
    finally:
        copy_path.unlink(missing_ok=True)
    key = (finding.code, finding.layer)
    count = sum((f.code, f.layer) == key for f in after.findings)
    if count >= sum((f.code, f.layer) == key for f in before.findings):
        return None, "the finding is still there after the edit"
    had = {(f.code, f.layer) for f in before.findings if f.severity in BLOCKING}
    # A model that crashed was checked only up to the crash: the warnings of
    # the rest are findings of the fixed model, not the fix's doing. New
    # errors always refuse it.
    crashed = before.graph is not None and before.graph.failure is not None
    blocking = ("error",) if crashed else BLOCKING
    new = sorted(f"{f.code} {f.layer}: {f.message}" for f in after.findings
                 if f.severity in blocking and (f.code, f.layer) not in had)
    if new:
        return None, f"the edit would bring {new[0]}"
    expect = finding.edit.expect
    params_before, params_after = _params(before), _params(after)
    if "params" in expect and params_after - params_before != expect["params"]:
        return None, (f"parameters would change by {params_after - params_before:+,}, not "
                      f"{expect['params']:+,} as predicted")
    if "macs" in expect and before.graph is not None and before.graph.failure is None:
        change = _macs(after) - _macs(before)
        if change != expect["macs"]:
            return None, f"MACs would change by {change:+,}, not {expect['macs']:+,}"
    return _as_original(after, copy_path, path), ""


def _params(report) -> int:
    root = report.graph.nodes[0].module if report.graph and report.graph.nodes else None
    return sum(p.numel() for p in root.parameters()) if root is not None else 0


def _macs(report) -> int:
    from ..stats.layers import per_sample_macs

    return per_sample_macs(report.graph.nodes, report.graph.batch_size)


def _copy_path(path: Path, number: int) -> Path:
    # Beside the original: the model's own imports of its neighbours resolve.
    return path.with_name(f"_cnnaudit_fix_{os.getpid()}_{number}_{path.name}")


def _as_original(report, copy_path: Path, path: Path):
    """The verifying lint of the copy, its findings (and their edits) placed
    in the original file: the next edit applies to the edited text there."""
    from ..load import display_path

    copy_name, shown = display_path(str(copy_path)), display_path(str(path))
    report = copy.copy(report)
    report.findings = [copy.copy(f) for f in report.findings]
    for finding in report.findings:
        if finding.file == copy_name:
            finding.file = shown
        if finding.edit and os.path.realpath(finding.edit.file) == str(copy_path):
            finding.edit = replace(finding.edit, file=str(path))
    return report


def _shown(path: Path) -> str:
    from ..load import display_path

    return display_path(str(path))


def _entry(finding, reason: str) -> dict:
    return {"code": finding.code, "layer": finding.layer, "file": finding.file,
            "line": finding.line, "safety": finding.edit.safety if finding.edit else None,
            "reason": reason}
