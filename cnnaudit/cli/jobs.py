"""What ``cnnaudit lint`` does between parsing and rendering: turn SPECs and
files into jobs, answer each from the cache or by linting, and collect notes.

Kept free of torch at import: a run where every job is a cache hit, or where
the files define no model, never imports it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from ..errors import CnnauditError, NeedsConfiguration
from ..linting import LintOptions, LintReport
from .cache import ReadRecorder, ResultCache, cache_key
from .config import Config
from .discovery import (
    direct_imports,
    module_classes,
    parse_source,
    source_closure,
    spec_file,
    syntax_error,
)


@dataclass
class LintJob:
    spec: str
    input_sizes: list[tuple[int, ...]] | None
    model_args: dict
    from_file: bool  # discovered in a file: skip (with a note) what cannot be built
    sources: list[str] = field(default_factory=list)  # files whose change invalidates it


def is_file_target(target: str) -> bool:
    """A Python file to discover models in (not a SPEC's ``file.py:Name``)."""
    return target.endswith(".py") and ":" not in os.path.basename(target)


def _relative(path: str) -> str:
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    return absolute if relative.startswith("..") else relative


SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".cnnaudit_cache", "node_modules", ".tox",
             "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def _python_paths_below(folder: str):
    """The ``.py`` names below ``folder``, in order, hidden and tool folders
    skipped (what is behind a name is the caller's to check)."""
    for current, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders
                               if d not in SKIP_DIRS and not d.startswith("."))
        yield from (os.path.join(current, f) for f in sorted(files) if f.endswith(".py"))


def expand_directories(targets, notes: list[str]) -> list[str]:
    """A folder stands for the Python files below it (hidden and tool folders
    skipped); a link inside it that leads nowhere is skipped with a note."""
    expanded = []
    for target in targets:
        if not os.path.isdir(target):
            expanded.append(target)
            continue
        for path in _python_paths_below(target):
            if os.path.exists(path):
                expanded.append(path)
            else:
                notes.append(f"note: skipped {path}: a link to nothing ({os.readlink(path)})")
    return expanded


def python_files(root: str) -> list[str]:
    """Every Python file of the project below ``root`` (tool and hidden folders skipped)."""
    return [os.path.abspath(p) for p in _python_paths_below(root) if os.path.isfile(p)]


def importers_of(changed: set[str], root: str) -> list[str]:
    """The project files that import any of ``changed``, directly or through
    each other (by ``ast``, as Python resolves the names). A file is parsed only
    when its text names one of the modules looked for, so a commit in a large
    project costs a read of its files, not a parse of each."""
    files = python_files(root)
    texts: dict[str, str] = {}
    found: set[str] = set()
    frontier = set(changed)
    while frontier:
        names = {os.path.splitext(os.path.basename(p))[0] for p in frontier}
        names |= {os.path.basename(os.path.dirname(p)) for p in frontier
                  if p.endswith("__init__.py")}
        importers = set()
        for path in files:
            if path in found or path in changed:
                continue
            if path not in texts:
                try:
                    with open(path, "rb") as handle:
                        texts[path] = handle.read().decode("utf-8", "replace")
                except OSError:
                    texts[path] = ""
            if any(name in texts[path] for name in names) and \
                    direct_imports(path, root) & frontier:
                importers.add(path)
        found |= importers
        frontier = importers
    return sorted(found)


def _loadable(spec: str, base: str) -> tuple[str, str | None]:
    """(the SPEC as the loader in this working directory reads it, its file):
    a path SPEC is relative to ``base`` (the working directory for the command
    line, the pyproject's folder for configured models)."""
    target, _, name = spec.rpartition(":")
    if target.endswith(".py") or "/" in target:
        path = os.path.abspath(os.path.join(base, target))
        if not os.path.isfile(path):  # the loader says what it is instead
            return spec, None
        return f"{_relative(path)}:{name}", path
    return spec, spec_file(spec, base)


class _Planner:
    """Collects lint jobs, one per model however its SPEC was spelled."""

    def __init__(self, cli_sizes, cli_args: dict, config: Config) -> None:
        self.root = config.root or os.getcwd()
        self.config = config
        self.cli_sizes, self.cli_args = cli_sizes, cli_args
        self.jobs: dict[tuple, LintJob] = {}
        self.closures: dict[str, list[str]] = {}
        # configured model → (its loadable SPEC, its file)
        self.configured = {spec: _loadable(spec, self.root) for spec in config.models}

    def sources(self, path: str) -> list[str]:
        if path not in self.closures:
            self.closures[path] = source_closure(path, self.root)
        return self.closures[path]

    def add(self, spec: str, path: str | None, from_file: bool) -> None:
        name = spec.rpartition(":")[2]
        key = (path, name) if path else (spec,)
        if key in self.jobs:
            return
        model = self.config.models.get(spec)
        if model is None and path is not None:  # configured under another spelling
            model = next((self.config.models[configured]
                          for configured, (_, configured_path) in self.configured.items()
                          if configured_path == path and configured.rpartition(":")[2] == name),
                         None)
        sizes = self.cli_sizes or (model.input_sizes if model else None) or \
            self.config.input_sizes
        args = {**(model.model_args if model else {}), **self.cli_args}
        self.jobs[key] = LintJob(spec, sizes, args, from_file and model is None,
                                 self.sources(path) if path else [])

    def add_file(self, path: str) -> None:
        for name in module_classes(path):
            self.add(f"{_relative(path)}:{name}", path, True)


def plan_jobs(targets, cli_sizes, cli_args: dict, config: Config):
    """(jobs, notes, errors): SPECs run as given; FILEs (and folders of them)
    become the nn.Module classes they define, the configured models that import
    them, and the models of every other project file that imports them
    (transitively: staging only a helper lints the models built from it); a
    file that does not parse is an error."""
    notes: list[str] = []
    targets = expand_directories(targets, notes)
    errors: list[str] = []
    planner = _Planner(cli_sizes, cli_args, config)
    files = [t for t in targets if is_file_target(t)]
    for target in targets:
        if target not in files:
            planner.add(*_loadable(target, os.getcwd()), False)
    for target in files:
        if os.path.isdir(target):
            raise CnnauditError(f"{target} is a directory named like a Python file")
        if not os.path.isfile(target):
            raise CnnauditError(f"no such file: {target}")
        path = os.path.abspath(target)
        broken = syntax_error(path) if parse_source(path) is None else None
        if broken is not None:
            # A model file that does not parse must not pass the hook unseen;
            # the other files are still linted.
            errors.append(f"{target}:{broken.lineno}: syntax error: {broken.msg}")
            continue
        planner.add_file(path)
    changed = {os.path.abspath(f) for f in files}
    if changed:
        for loadable, path in planner.configured.values():
            if path and changed & set(planner.sources(path)):
                planner.add(loadable, path, False)
        for path in importers_of(changed, planner.root):
            planner.add_file(path)
    return list(planner.jobs.values()), notes, errors


@dataclass
class JobResults:
    reports: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: exit 2
    notes: list[str] = field(default_factory=list)
    skipped: int = 0  # classes found in files that cannot be built alone


def run_jobs(jobs, options: LintOptions, device: str, config: Config, use_cache: bool = True,
             strict: bool = False) -> JobResults:
    """Answer every job from the cache or by linting. A model that cannot be
    imported, built or traced is an error; only a class found in a file that
    needs configuration to be built (constructor arguments, an input size) is
    skipped with a note, and with ``strict`` that is an error too."""
    root = config.root or os.getcwd()
    cache = ResultCache(root, enabled=use_cache)
    results = JobResults()
    for job in jobs:
        settings = {"options": asdict(options), "device": device, "config": config.raw,
                    "input_sizes": job.input_sizes, "model_args": job.model_args,
                    "strict": strict}
        key = cache_key(spec=job.spec, sources=job.sources, settings=settings, root=root) \
            if job.sources else None
        cached = cache.get(key, root) if key else None
        if cached is not None and _take_cached(cached, options, results):
            continue
        recorder = ReadRecorder(root, cache.base)
        try:
            with recorder:
                report = _lint(job, options, device)
        except NeedsConfiguration as exc:
            if not job.from_file or strict:
                results.errors.append(_error_line(job, exc))
                continue
            skipped = (f"note: skipped {job.spec}: {exc.message}; configure it under "
                       f"[tool.cnnaudit.models.\"{job.spec}\"]")
            results.notes.append(skipped)
            results.skipped += 1
            if key:
                cache.put(key, {"skipped": skipped}, recorder.paths, root)
            continue
        except CnnauditError as exc:
            results.errors.append(_error_line(job, exc))
            continue
        results.reports.append(report)
        if key:
            cache.put(key, report.to_dict(), recorder.paths, root)
    return results


def _lint(job, options, device):
    from ..linting import lint

    return lint(job.spec, job.input_sizes, model_args=job.model_args,
                options=LintOptions(**asdict(options)), device=device)


def _error_line(job, exc: CnnauditError) -> str:
    """The error with the model it is about, named once."""
    if exc.file or str(exc).startswith(f"{job.spec}:"):
        return str(exc)
    return f"{job.spec}: {exc}"


def _take_cached(cached: dict, options, results: JobResults) -> bool:
    """Use a cached result; False when it cannot be read back (then lint again)."""
    if isinstance(cached.get("skipped"), str):
        results.notes.append(cached["skipped"])
        results.skipped += 1
        return True
    try:
        results.reports.append(LintReport.from_dict(cached, options.fail_on))
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
