"""SPEC → the class or factory it names: parsing, importing the user's file
(by path or dotted name), checking constructor arguments, and the one-line
errors that point at the user's own file:line."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from types import ModuleType

from ..errors import CnnauditError, ModelExited, NeedsConfiguration, one_line
from .sandbox import exit_message
from .sites import display_path, is_library_file


def split_spec(spec: str) -> tuple[str, str]:
    """``"models/net.py:Net"`` → ``("models/net.py", "Net")``."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise CnnauditError(
            f"malformed SPEC {spec!r}: expected path/to/file.py:Name or package.module:Name"
        )
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*", name):
        raise CnnauditError(f"malformed SPEC {spec!r}: {name!r} is not a Python name")
    return target, name


def is_path_target(target: str) -> bool:
    return target.endswith(".py") or os.sep in target or "/" in target


def parse_model_args(pairs: list[str] | tuple[str, ...]) -> dict:
    """``["num_classes=10", "width=0.5"]`` → ``{"num_classes": 10, "width": 0.5}``.

    Values are Python literals; a bare word that is not one (``mode=fast``) is
    taken as a string so users need not quote through their shell.
    """
    args: dict = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise CnnauditError(f"malformed --model-args {pair!r}: expected key=value")
        try:
            args[key] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            if re.fullmatch(r"[A-Za-z_][\w.\-]*", raw.strip()):
                args[key] = raw.strip()
            else:
                raise CnnauditError(
                    f"malformed --model-args {pair!r}: {raw!r} is not a Python literal"
                ) from None
    return args


def user_frame_location(exc: BaseException, path: str | None) -> tuple[str | None, int | None]:
    """The innermost traceback frame in ``path`` (or else in any non-library file)."""
    frames = traceback.extract_tb(exc.__traceback__)
    real = os.path.realpath(path) if path else None
    for frame in reversed(frames):
        if real and os.path.realpath(frame.filename) == real:
            return display_path(frame.filename), frame.lineno
    for frame in reversed(frames):
        if not is_library_file(frame.filename):
            return display_path(frame.filename), frame.lineno
    return None, None


def _import_failure(exc: BaseException, path: str | None, target: str,
                    what: str) -> CnnauditError:
    """The one-line error for an exception raised while importing user code:
    a syntax error at its file:line, anything else at the innermost line of
    ``path`` (or of any non-library file) in the traceback."""
    if isinstance(exc, KeyboardInterrupt):  # the user's own Ctrl-C stops the run
        raise exc
    if isinstance(exc, SyntaxError):
        return CnnauditError(f"syntax error: {exc.msg}",
                             display_path(exc.filename or path or target), exc.lineno)
    file, line = user_frame_location(exc, path)
    if isinstance(exc, SystemExit):
        return ModelExited(f"{what}: the code {exit_message(exc)} while being imported",
                           file or (target if path else None), line)
    return CnnauditError(f"{what}: {one_line(exc)}", file or (target if path else None), line)


def import_target(target: str) -> ModuleType:
    """Import a model file by path, or a module by dotted name."""
    if not is_path_target(target):
        # The working directory is importable, as for `python -m`: the console
        # script's own folder is what Python puts on sys.path otherwise.
        cwd = os.getcwd()
        if cwd not in sys.path:
            sys.path.append(cwd)
        try:
            return importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name and target.startswith(exc.name):
                raise CnnauditError(
                    f"cannot import {target!r}: no module named {exc.name!r} "
                    "(for a file, write path/to/file.py:Name)"
                ) from None
            raise CnnauditError(f"cannot import {target!r}: {one_line(exc)}") from None
        except BaseException as exc:  # whatever the user's code raises
            raise _import_failure(exc, None, target, f"importing {target} failed") from None

    path = os.path.abspath(target)
    if os.path.isdir(path):
        raise CnnauditError(f"{target} is a directory, not a model file (a SPEC is "
                            "path/to/file.py:Name)")
    if not os.path.isfile(path):
        raise CnnauditError(f"no such file: {target}")
    package_root, dotted = _package_name(path)
    if dotted is not None:
        # Inside a package: import it by its dotted name so that its relative
        # imports (from .blocks import conv_bn) work as they do for its users.
        added = package_root not in sys.path
        if added:
            sys.path.insert(0, package_root)
        try:
            return importlib.import_module(dotted)
        except BaseException as exc:  # whatever the user's code raises
            raise _import_failure(exc, path, target, "importing the model file failed") from None
        finally:
            if added:
                sys.path.remove(package_root)
    module_name = "_cnnaudit_model_" + re.sub(r"\W", "_", os.path.splitext(path)[0])
    stat = os.stat(path)
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = sys.modules.get(module_name)
    if cached is not None and getattr(cached, "__cnnaudit_stamp__", None) == stamp:
        return cached  # unchanged since imported (a file edited since is imported again)
    directory = os.path.dirname(path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    # The model's own folder is importable, as when the user runs it as a script.
    added = directory not in sys.path
    if added:
        sys.path.insert(0, directory)
    module.__cnnaudit_stamp__ = stamp
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # whatever the user's code raises
        del sys.modules[module_name]
        raise _import_failure(exc, path, target, "importing the model file failed") from None
    finally:
        if added:
            sys.path.remove(directory)
    return module


def _package_name(path: str) -> tuple[str | None, str | None]:
    """(folder to put on sys.path, dotted module name) when ``path`` sits in a
    package (its folder has an ``__init__.py``), else (None, None)."""
    directory, filename = os.path.split(path)
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None, None
    parts = [os.path.splitext(filename)[0]]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    if parts[-1] == "__init__":
        parts.pop()
    return directory, ".".join(parts)


def module_classes(module: ModuleType) -> list[str]:
    from torch import nn

    return sorted(
        name
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and issubclass(obj, nn.Module)
        and getattr(obj, "__module__", None) == module.__name__
    )


def resolve(spec: str):
    """SPEC → (the class or factory it names, the module it lives in)."""
    target, name = split_spec(spec)
    module = import_target(target)
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            classes = module_classes(module)
            where = target
            have = (
                f"; it defines these nn.Module classes: {', '.join(classes)}"
                if classes
                else "; it defines no nn.Module class"
            )
            raise CnnauditError(f"{where} has no attribute {name!r}{have}")
        obj = getattr(obj, part)
    return obj, module


def check_arguments(obj, name: str, model_args: dict) -> None:
    """Name what the constructor needs before calling it, rather than letting a
    TypeError from deep inside it speak."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(**model_args)
    except TypeError:
        params = signature.parameters.values()
        missing = [
            p.name
            for p in params
            if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.name not in model_args
        ]
        accepted = {p.name for p in params}
        takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in params)
        unknown = [k for k in model_args if k not in accepted and not takes_kwargs]
        if unknown:
            raise CnnauditError(
                f"{name}() has no argument {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join(p.name for p in params) or 'nothing'}"
            ) from None
        if missing:
            example = " ".join(f"--model-args {m}=..." for m in missing)
            raise NeedsConfiguration(
                f"{name}() needs arguments: {', '.join(missing)}; pass them with {example}"
            ) from None



def format_args(model_args: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in model_args.items())
