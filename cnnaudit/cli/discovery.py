"""Which models a set of files holds or affects, read with ``ast`` alone.

``cnnaudit lint FILE...`` (as pre-commit passes files) needs to know, without
importing torch, which ``nn.Module`` classes those files define and which
configured models import them; a file that defines no model is skipped in
microseconds. The same import graph gives the cache its key: a model's result
is reused while none of the project files it imports has changed.
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache

MODULE_BASES = {"Module", "nn.Module", "torch.nn.Module"}


@lru_cache(maxsize=1024)
def parse_source(path: str) -> ast.Module | None:
    """The file's syntax tree, read as Python reads it: from bytes, so a PEP 263
    coding line and a UTF-8 BOM are honoured."""
    try:
        with open(path, "rb") as handle:
            return ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_base_name(node.value)}.{node.attr}"
    return ""


def syntax_error(path: str) -> SyntaxError | None:
    """The syntax error that keeps ``path`` from being read, if any."""
    try:
        with open(path, "rb") as handle:
            ast.parse(handle.read(), filename=path)
    except SyntaxError as exc:  # also bytes that are not in the file's encoding
        return exc
    except ValueError as exc:  # null bytes
        return SyntaxError(str(exc), (path, 1, 0, ""))
    except OSError:
        return None
    return None


def module_classes(path: str) -> list[str]:
    """Top-level classes of ``path`` that derive from ``nn.Module``, directly or
    through another class of the same file (or a torchvision/timm-style base
    whose name ends in Module)."""
    tree = parse_source(path)
    if tree is None:
        return []
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for name, node in classes.items():
            if name in found:
                continue
            bases = {_base_name(b) for b in node.bases}
            if bases & MODULE_BASES or bases & set(found) or any(
                    b.endswith(".Module") for b in bases):
                found.append(name)
                changed = True
    order = list(classes)
    return sorted(found, key=order.index)


def _module_files(dotted: str, roots: list[str]) -> list[str]:
    parts = dotted.split(".")
    for root in roots:
        base = os.path.join(root, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return [os.path.abspath(candidate)]
    return []


@lru_cache(maxsize=4096)
def direct_imports(path: str, root: str) -> frozenset[str]:
    """Project files (under ``root``) that ``path`` imports."""
    tree = parse_source(path)
    if tree is None:
        return frozenset()
    here = os.path.dirname(os.path.abspath(path))
    roots = [here, root, os.path.join(root, "src")]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.update(_module_files(alias.name, roots))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package folder upward
                base = here
                for _ in range(node.level - 1):
                    base = os.path.dirname(base)
                prefix = node.module or ""
                search = [base]
            else:
                prefix, search = node.module or "", roots
            if prefix:
                found.update(_module_files(prefix, search))
            for alias in node.names:  # from pkg import module
                dotted = f"{prefix}.{alias.name}" if prefix else alias.name
                found.update(_module_files(dotted, search))
    root_abs = os.path.abspath(root) + os.sep
    return frozenset(f for f in found if f.startswith(root_abs) and f != os.path.abspath(path))


def source_closure(path: str, root: str) -> list[str]:
    """``path`` and every project file it imports, transitively, sorted."""
    seen: set[str] = set()
    stack = [os.path.abspath(path)]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(direct_imports(current, root) - seen)
    return sorted(seen)


def spec_file(spec: str, root: str) -> str | None:
    """The project file a SPEC names (``path.py:Name`` or ``pkg.mod:Name``), if any."""
    target = spec.rpartition(":")[0]
    if target.endswith(".py") or "/" in target:
        path = target if os.path.isabs(target) else os.path.join(root, target)
        return os.path.abspath(path) if os.path.isfile(path) else None
    files = _module_files(target, [root, os.path.join(root, "src")])
    return files[0] if files else None
