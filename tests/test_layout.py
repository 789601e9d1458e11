"""The package layout is a checked contract: the tree reads as the pipeline
(load → trace → pipeline → stats → linting → fixing → training → probing → diagnosing →
shrinking → viewing → rendering → cli), imports only run down the floors, and only public
names cross a package boundary."""

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "cnnaudit"
# Floors, lowest first. A module may import its own floor or any lower one.
FLOORS = ["errors", "units", "_version", "display", "load", "trace", "pipeline", "stats",
          "linting", "fixing", "training", "probing", "diagnosing", "shrinking", "viewing",
          "rendering", "cli", "api"]
BASE = {"errors", "units", "_version", "display"}


def floor_of(module: str) -> str:
    """``cnnaudit.trace.recorder`` → ``trace``; the package itself is the API."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return "api"
    return parts[1]


def rank(floor: str) -> int:
    return 0 if floor in BASE else FLOORS.index(floor)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str | None = None, text: str | None = None):
    """(imported module, names, line) for every import in ``path``, relative ones resolved."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(text if text is not None else path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            if node.module is None:  # from . import counting: the names are modules
                for alias in names:
                    yield f"{target}.{alias}", [], node.lineno
            else:
                yield target, names, node.lineno


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "evidence" not in p.parts)


def cnnaudit_imports():
    for path in SOURCES:
        for target, names, line in imports(path):
            if target == "cnnaudit" or target.startswith("cnnaudit."):
                yield path, module_name(path), target, names, line


def test_the_tree_is_the_pipeline():
    stages = sorted(p.name for p in PACKAGE.iterdir()
                    if p.is_dir() and (p / "__init__.py").exists())
    assert stages == sorted(["load", "trace", "stats", "linting", "fixing", "training", "probing",
                             "diagnosing", "shrinking", "viewing", "rendering", "cli"])
    assert (PACKAGE / "pipeline.py").is_file()


def test_imports_only_run_down_the_floors():
    upward = []
    for path, source, target, _names, line in cnnaudit_imports():
        if rank(floor_of(target)) > rank(floor_of(source)):
            upward.append(f"{path.relative_to(ROOT)}:{line}: {floor_of(source)} imports "
                          f"{target} ({floor_of(target)})")
    assert not upward, "\n".join(upward)


def test_only_public_names_cross_packages():
    private = []
    for path, source, target, names, line in cnnaudit_imports():
        if floor_of(target) == floor_of(source):
            continue
        hidden = [n for n in names if n.startswith("_") and n != "__version__"]
        hidden += [part for part in target.split(".")[1:] if part.startswith("_")
                   and part != "_version"]
        if hidden:
            private.append(f"{path.relative_to(ROOT)}:{line}: {', '.join(hidden)} from {target}")
    assert not private, "\n".join(private)


def test_nothing_inside_imports_the_api_or_the_cli():
    offenders = [f"{p.relative_to(ROOT)}:{line}: {target}"
                 for p, source, target, _n, line in cnnaudit_imports()
                 if floor_of(source) not in ("api", "cli")
                 and (target == "cnnaudit" or floor_of(target) == "cli")]
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("bad, floor", [("from ..cli import main", "trace"),
                                        ("from ..probing.rewrites import x", "linting")])
def test_the_check_sees_an_upward_import(bad, floor):
    # The contract test itself must be able to fail: a module of ``floor`` with that import.
    module = PACKAGE / floor / "example.py"
    ((target, _names, _line),) = imports(module, f"cnnaudit.{floor}.example", bad)
    assert rank(floor_of(target)) > rank(floor)


def test_the_api_functions_are_not_shadowed_by_stage_packages():
    import importlib

    import cnnaudit

    for stage in ("load", "trace", "stats", "linting", "training", "probing", "diagnosing",
                  "shrinking", "viewing", "rendering", "cli"):
        importlib.import_module(f"cnnaudit.{stage}")
    for name in ("summary", "lint", "probe", "doctor", "report", "shrink", "render",
                 "register_mac_formula"):
        assert callable(getattr(cnnaudit, name)) and getattr(cnnaudit, name).__module__ == \
            "cnnaudit", name


def test_one_version():
    import tomllib

    from cnnaudit import __version__

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    written = [p for p in SOURCES if "__version__ = " in p.read_text()]
    assert [p.name for p in written] == ["_version.py"]
    assert __version__.count(".") == 2


def test_every_stage_is_cnnaudits_own_code_not_the_users():
    # Frames in any stage package are internal: findings never point into cnnaudit.
    from cnnaudit.load.sites import is_internal_file, is_library_file

    for path in SOURCES:
        assert is_library_file(str(path)), path
        assert is_internal_file(str(path)), path
