"""SPEC → ``nn.Module``, built without allocating weights.

A SPEC is ``path/to/file.py:Name`` or ``package.module:Name``; Name is an
``nn.Module`` class or a factory returning one. By default parameters and
buffers are moved to the meta device as they are registered (accelerate's
``init_empty_weights`` idea), so constructors that compute with small tensors
(torchvision's RegNets call ``.tolist()``) still run, while any factory call
big enough to matter is born on meta (a 51 GB ``Linear`` never touches RAM).
Only when that fails is the model built for real on the CPU, and we say so.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType

from .errors import CnnauditError
from .sites import ConstructionRecorder, Site, display_path, is_library_file


@dataclass
class LoadedModel:
    """A model ready to trace, with what we know about where it came from."""

    model: object  # nn.Module
    label: str  # what reports call it: the SPEC's Name, or the class name
    spec: str | None = None
    model_args: dict = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)  # module name → construction site
    device: str = "meta"  # where parameters live: "meta" or "cpu"
    notes: list[str] = field(default_factory=list)  # one-line notices for the user

    def rebuild(self, device: str) -> LoadedModel:
        """The same SPEC built again on another device (for real-tensor tracing)."""
        if self.spec is None:
            raise ValueError("only a model loaded from a SPEC can be rebuilt")
        return load(self.spec, self.model_args, device=device)


# ---------------------------------------------------------------- SPEC parsing


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


def is_file_target(target: str) -> bool:
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


def _user_frame_location(exc: BaseException, path: str | None) -> tuple[str | None, int | None]:
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


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _import_failure(exc: BaseException, path: str | None, target: str,
                    what: str) -> CnnauditError:
    """The one-line error for an exception raised while importing user code:
    a syntax error at its file:line, anything else at the innermost line of
    ``path`` (or of any non-library file) in the traceback."""
    if isinstance(exc, SyntaxError):
        return CnnauditError(f"syntax error: {exc.msg}",
                             display_path(exc.filename or path or target), exc.lineno)
    file, line = _user_frame_location(exc, path)
    return CnnauditError(f"{what}: {_one_line(exc)}", file or (target if path else None), line)


def import_target(target: str) -> ModuleType:
    """Import a model file by path, or a module by dotted name."""
    if not is_file_target(target):
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
            raise CnnauditError(f"cannot import {target!r}: {_one_line(exc)}") from None
        except Exception as exc:
            raise _import_failure(exc, None, target, f"importing {target} failed") from None

    path = os.path.abspath(target)
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
        except Exception as exc:
            raise _import_failure(exc, path, target, "importing the model file failed") from None
        finally:
            if added:
                sys.path.remove(package_root)
    module_name = "_cnnaudit_model_" + re.sub(r"\W", "_", os.path.splitext(path)[0])
    if module_name in sys.modules:
        return sys.modules[module_name]
    directory = os.path.dirname(path)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    # The model's own folder is importable, as when the user runs it as a script.
    added = directory not in sys.path
    if added:
        sys.path.insert(0, directory)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
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


def _module_classes(module: ModuleType) -> list[str]:
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
            classes = _module_classes(module)
            where = target
            have = (
                f"; it defines these nn.Module classes: {', '.join(classes)}"
                if classes
                else "; it defines no nn.Module class"
            )
            raise CnnauditError(f"{where} has no attribute {name!r}{have}")
        obj = getattr(obj, part)
    return obj, module


def _check_arguments(obj, name: str, model_args: dict) -> None:
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
            raise CnnauditError(
                f"{name}() needs arguments: {', '.join(missing)}; pass them with {example}"
            ) from None


# ------------------------------------------------------------ meta construction

# Factories whose result we may create on meta when it is large.
_FACTORY_NAMES = ("empty", "zeros", "ones", "full", "rand", "randn", "randint", "empty_strided")
# Below this many elements a tensor is cheap to create for real, and real
# values keep constructors that compute with them (``.tolist()``) working.
BIG_TENSOR_ELEMENTS = 1 << 22


def _requested_numel(func, args) -> int:
    if not args:
        return 0
    size = args[0]
    if func.__name__ == "randint":  # randint(high, size) / randint(low, high, size)
        size = next((a for a in args if isinstance(a, (tuple, list))), ())
    elif isinstance(size, int):
        size = args if func.__name__ != "full" else ()
    numel = 1
    try:
        for dim in size:
            numel *= int(dim)
    except TypeError:
        return 0
    return numel


@contextmanager
def _parameters_on_meta():
    """Every registered parameter and buffer moves to meta as it is registered;
    large factory calls without a device are created there directly."""
    import torch
    from torch import nn
    from torch.overrides import TorchFunctionMode

    factories = {getattr(torch, n) for n in _FACTORY_NAMES}
    meta = torch.device("meta")

    class BigFactoriesOnMeta(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if (
                func in factories
                and kwargs.get("device") is None
                and _requested_numel(func, args) >= BIG_TENSOR_ELEMENTS
            ):
                kwargs["device"] = meta
            return func(*args, **kwargs)

    original_parameter = nn.Module.register_parameter
    original_buffer = nn.Module.register_buffer

    def register_parameter(module, name, param):
        original_parameter(module, name, param)
        param = module._parameters.get(name)
        if param is None or param.device.type == "meta":
            return
        if isinstance(param, nn.parameter.UninitializedParameter):
            return  # lazy modules size themselves on first call
        kwargs = dict(param.__dict__)
        kwargs["requires_grad"] = param.requires_grad
        module._parameters[name] = type(param)(param.to(meta), **kwargs)

    def register_buffer(module, name, tensor, persistent=True):
        original_buffer(module, name, tensor, persistent=persistent)
        buffer = module._buffers.get(name)
        if buffer is not None and buffer.device.type != "meta" and not isinstance(
            buffer, nn.parameter.UninitializedBuffer
        ):
            module._buffers[name] = buffer.to(meta)

    nn.Module.register_parameter = register_parameter
    nn.Module.register_buffer = register_buffer
    try:
        with BigFactoriesOnMeta():
            yield
    finally:
        nn.Module.register_parameter = original_parameter
        nn.Module.register_buffer = original_buffer


def _construct(obj, model_args: dict):
    return obj(**model_args)


def load(spec: str, model_args: dict | None = None, device: str = "meta") -> LoadedModel:
    """Build the model named by ``spec``.

    ``device="meta"`` (the default) allocates no weights; if the constructor
    cannot run that way the model is built on the CPU and ``notes`` says so.
    """
    from torch import nn

    model_args = dict(model_args or {})
    obj, module = resolve(spec)
    _, name = split_spec(spec)
    if inspect.isclass(obj) and not issubclass(obj, nn.Module):
        raise CnnauditError(f"{spec}: {name} is a class but not an nn.Module subclass")
    if not callable(obj):
        if isinstance(obj, nn.Module):  # a ready instance at module level
            return LoadedModel(obj, name, spec, model_args, {}, _device_of(obj))
        raise CnnauditError(
            f"{spec}: {name} is a {type(obj).__name__}, not an nn.Module class or factory"
        )
    _check_arguments(obj, name, model_args)

    notes: list[str] = []
    source_path = getattr(module, "__file__", None)
    attempts = ["meta", "cpu"] if device == "meta" else [device]
    for attempt in attempts:
        recorder = ConstructionRecorder()
        try:
            with recorder:
                if attempt == "meta":
                    with _parameters_on_meta():
                        model = _construct(obj, model_args)
                else:
                    model = _construct(obj, model_args)
                    if attempt != "cpu" and isinstance(model, nn.Module):
                        model = model.to(attempt)
        except CnnauditError:
            raise
        except Exception as exc:
            if attempt == "meta":
                file, line = _user_frame_location(exc, source_path)
                where = f" at {file}:{line}" if file else ""
                notes.append(
                    f"note: {name} cannot be built on the meta device ({_one_line(exc)}{where}); "
                    "built with real weights on the CPU instead"
                )
                continue
            file, line = _user_frame_location(exc, source_path)
            raise CnnauditError(f"{name}({_format_args(model_args)}) raised {_one_line(exc)}",
                                file, line) from None
        if not isinstance(model, nn.Module):
            raise CnnauditError(
                f"{spec}: {name}({_format_args(model_args)}) returned a "
                f"{type(model).__name__}, not an nn.Module"
            )
        return LoadedModel(
            model=model,
            label=name,
            spec=spec,
            model_args=model_args,
            sites=recorder.sites_by_name(model),
            device=_device_of(model),
            notes=notes,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def from_module(model) -> LoadedModel:
    """Wrap a model the caller built: no construction sites are known, but the
    source of each submodule's ``self.name = ...`` assignment is looked up."""
    return LoadedModel(model, type(model).__name__, None, {}, assignment_sites(model),
                       _device_of(model))


def assignment_sites(model) -> dict[str, Site]:
    """For a ready model: each direct child's ``self.<name> = ...`` line in the
    source of its parent's class (best effort; unknown stays unknown)."""
    sites: dict[str, Site] = {}
    for parent_name, parent in model.named_modules():
        try:
            source_file = inspect.getsourcefile(type(parent))
            lines, start = inspect.getsourcelines(type(parent))
        except (OSError, TypeError):
            continue
        if not source_file or is_library_file(source_file):
            continue
        try:
            indent = min((len(t) - len(t.lstrip()) for t in lines if t.strip()), default=0)
            tree = ast.parse("".join(t[indent:] if t.strip() else t for t in lines))
        except SyntaxError:
            continue
        assigned: dict[str, ast.AST] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                            and target.value.id == "self"):
                        assigned.setdefault(target.attr, node.value)
        for child_name, _ in parent.named_children():
            value = assigned.get(child_name)
            if value is not None:
                full = f"{parent_name}.{child_name}" if parent_name else child_name
                sites[full] = Site(source_file, start + value.lineno - 1,
                                   value.col_offset + indent + 1)
    return sites


def _format_args(model_args: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in model_args.items())


def _device_of(model) -> str:
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device.type
    return "cpu"
