"""Source locations: where a module was constructed, where an op was called.

Findings point at the user's ``nn.Conv2d(...)`` line, also when that call sits
inside an ``nn.Sequential(...)`` or a helper function. Python 3.11 keeps the
position of every bytecode instruction, so the frame that is executing the
constructor call knows the exact line and column of the call expression.
"""

from __future__ import annotations

import ast
import inspect
import os
import sys
import sysconfig
from dataclasses import dataclass, field
from functools import lru_cache
from types import FrameType


@dataclass(frozen=True)
class Site:
    file: str
    line: int
    col: int | None = None
    # The last line of the call expression (a call written over several lines
    # ends on its closing parenthesis, where a suppression comment may sit).
    end_line: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"


# The cnnaudit package (this file is cnnaudit/load/sites.py).
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


@lru_cache(maxsize=1)
def _library_roots() -> tuple[str, ...]:
    """Directories whose code is never "the user's": the standard library,
    installed packages, and torch and cnnaudit wherever they live."""
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    roots.add(PACKAGE_ROOT)  # cnnaudit itself
    torch_module = sys.modules.get("torch")
    if torch_module is not None and getattr(torch_module, "__file__", None):
        roots.add(os.path.dirname(os.path.realpath(torch_module.__file__)))
    return tuple(sorted(roots))


@lru_cache(maxsize=4096)
def is_library_file(filename: str) -> bool:
    if filename.startswith("<"):
        return True
    real = os.path.realpath(filename)
    return any(real == root or real.startswith(root + os.sep) for root in _library_roots())


@lru_cache(maxsize=1)
def _internal_roots() -> tuple[str, ...]:
    """Code that implements ops rather than calls them: torch and cnnaudit."""
    import torch

    return (
        os.path.dirname(os.path.realpath(torch.__file__)) + os.sep,
        PACKAGE_ROOT + os.sep,
    )


@lru_cache(maxsize=4096)
def is_internal_file(filename: str) -> bool:
    real = os.path.realpath(filename)
    return real.startswith(_internal_roots())


@lru_cache(maxsize=4096)
def _positions(code) -> tuple:
    """A code object's instruction positions, listed once (a model's builder
    can have thousands, and every module it builds asks)."""
    return tuple(code.co_positions())


def frame_site(frame: FrameType) -> Site:
    """The position of the instruction ``frame`` is executing (a call, here)."""
    return _site_at(frame.f_code, frame.f_lasti, frame.f_lineno)


def _site_at(code, lasti: int, lineno: int) -> Site:
    # Code objects compare by content, not by file: two files with the same
    # class are equal keys, so the file name is part of the cache key.
    return _site_in(code.co_filename, code, lasti, lineno)


@lru_cache(maxsize=8192)
def _site_in(filename: str, code, lasti: int, lineno: int) -> Site:
    line, col, end_line = lineno, None, None
    try:
        start_line, end_line, start_col, _ = _positions(code)[lasti // 2]
        if start_line is not None:
            line, col = start_line, start_col
    except (AttributeError, IndexError):  # Python < 3.11 has no positions
        pass
    return Site(filename, line, None if col is None else col + 1,
                end_line if end_line and end_line > line else None)


def where(site: Site | None) -> str:
    """`` at path:line`` for messages, or nothing when the place is unknown."""
    return f" at {site}" if site is not None else ""


def caller_site(skip_frames: int = 1) -> Site | None:
    """The innermost frame outside torch and cnnaudit: the line of user (or
    torchvision) code that called the op being recorded."""
    frame = sys._getframe(skip_frames + 1)
    while frame is not None and is_internal_file(frame.f_code.co_filename):
        frame = frame.f_back
    return frame_site(frame) if frame is not None else None


def definition_site(obj) -> Site | None:
    """Where a class or function is defined in source (its first line, the
    column of its ``def``/``class``); None without source."""
    import inspect

    try:
        obj = inspect.unwrap(obj)
        path = inspect.getsourcefile(obj)
        lines, line = inspect.getsourcelines(obj)
    except (OSError, TypeError):
        return None
    if not path:
        return None
    return Site(path, line, len(lines[0]) - len(lines[0].lstrip()) + 1)


def display_path(path: str) -> str:
    """From the package directory on for installed code
    (``torchvision/models/resnet.py``), else relative to the working directory
    when below it."""
    if path.startswith("<"):
        return path
    return _display_path(path, os.getcwd())


@lru_cache(maxsize=4096)
def _display_path(path: str, cwd: str) -> str:
    real = os.path.realpath(path)
    # Installed code first: a virtualenv inside the project is still a library.
    for marker in ("site-packages", "dist-packages"):
        token = os.sep + marker + os.sep
        if token in real:
            return real.split(token, 1)[1]
    cwd = os.path.realpath(cwd)
    if real.startswith(cwd + os.sep):
        return os.path.relpath(real, cwd)
    return path


class ConstructionRecorder:
    """Patches ``nn.Module.__init__`` while a model is built, recording for every
    new module the chain of call sites that constructed it.

    The patch is removed on exit, also when the constructor raises.
    """

    # Beyond this many frames the chain is the caller of the model, not the model.
    MAX_CHAIN = 12

    def __init__(self) -> None:
        # id → (module, the constructing frame chosen, as (code, lasti, lineno)):
        # a Site is made only for the modules the model keeps
        self.frames: dict[int, tuple[object, tuple | None]] = {}
        # frame → (the user frame above it or None, how far up): see _user_frame_above
        self._above: dict[FrameType, tuple[FrameType | None, int]] = {}
        self._original_init = None

    def __enter__(self) -> ConstructionRecorder:
        from torch import nn

        self._original_init = original = nn.Module.__init__
        recorder = self

        def recording_init(module, *args, **kwargs):
            try:
                recorder._record(module, sys._getframe(1))
            except Exception:  # recording must never break the user's constructor
                pass
            original(module, *args, **kwargs)

        nn.Module.__init__ = recording_init
        return self

    def __exit__(self, *exc) -> None:
        from torch import nn

        nn.Module.__init__ = self._original_init
        self._above.clear()  # the frames (and their locals) are not kept

    def _record(self, module, frame: FrameType | None) -> None:
        """The first frame in the user's own code that led to this module's
        construction (within MAX_CHAIN frames), else the innermost one (a
        torchvision model is all library code, and its own file is the answer)."""
        # Skip the module's own __init__ chain (Conv2d → _ConvNd → Module).
        while frame is not None and _is_own_init(frame, module):
            frame = frame.f_back
        chosen = None
        if frame is not None:
            user, distance = self._user_frame_above(frame)
            if user is not None and distance < self.MAX_CHAIN:
                chosen = user
            elif not _ends_chain(frame.f_code.co_filename):
                chosen = frame  # library code: the innermost frame
        point = None if chosen is None else (chosen.f_code, chosen.f_lasti, chosen.f_lineno)
        self.frames[id(module)] = (module, point)

    def _user_frame_above(self, frame: FrameType) -> tuple[FrameType | None, int]:
        """(the first frame of user code at or above ``frame``, how many frames
        up it is), or (None, 0) when the chain reaches cnnaudit's loader or its
        top first. The modules of one block share the frames above it, so each
        frame walked is remembered (frame objects stay the same while they run;
        they are held until the recorder exits, so none is mistaken for another)."""
        walked = []
        while True:
            known = self._above.get(frame) if frame is not None else (None, 0)
            if known is not None:
                user, distance = known
                break
            filename = frame.f_code.co_filename
            if _ends_chain(filename):
                user, distance = None, 0
                break
            if not is_library_file(filename):
                user, distance = frame, 0
                self._above[frame] = (frame, 0)
                break
            walked.append(frame)
            frame = frame.f_back
        for steps, passed in enumerate(reversed(walked), start=1):
            self._above[passed] = (user, distance + steps) if user is not None else (None, 0)
        return (user, distance + len(walked)) if user is not None else (None, 0)

    def sites_by_name(self, model) -> dict[str, Site]:
        """Map state_dict-style names of ``model``'s submodules to the best site."""
        sites: dict[str, Site] = {}
        for name, module in model.named_modules(remove_duplicate=False):
            entry = self.frames.get(id(module))
            if entry is not None and entry[0] is module and entry[1] is not None \
                    and name not in sites:
                sites[name] = _site_at(*entry[1])
        return sites


def _is_own_init(frame: FrameType, module: object) -> bool:
    code = frame.f_code
    if code.co_name != "__init__" or code.co_argcount == 0 \
            or code not in _init_codes(type(module)):
        return False  # not an __init__ of the module's classes: no locals to read
    return frame.f_locals.get(code.co_varnames[0]) is module


@lru_cache(maxsize=4096)
def _init_codes(cls: type) -> frozenset:
    """The code of every ``__init__`` along ``cls``'s MRO (a module's own
    constructor chain runs only these)."""
    codes = set()
    for base in cls.__mro__:
        code = getattr(base.__dict__.get("__init__"), "__code__", None)
        if code is not None:
            codes.add(code)
    return frozenset(codes)


def _ends_chain(filename: str) -> bool:
    """cnnaudit's own code (its loader called the model's constructor)."""
    return filename.startswith(_internal_roots()[1])


def assignment_sites(model) -> dict[str, Site]:
    """For a ready model: each direct child's ``self.<name> = ...`` line in the
    source of its parent's class (best effort; unknown stays unknown). Each
    class is read once, and library classes (torchvision's, timm's) not at all."""
    sites: dict[str, Site] = {}
    for parent_name, parent in model.named_modules():
        found = _class_assignments(type(parent))
        if found is None:
            continue
        source_file, assigned = found
        for child_name, _ in parent.named_children():
            where = assigned.get(child_name)
            if where is not None:
                full = f"{parent_name}.{child_name}" if parent_name else child_name
                sites[full] = Site(source_file, *where)
    return sites


@lru_cache(maxsize=1024)
def _class_assignments(cls) -> tuple[str, dict[str, tuple[int, int]]] | None:
    """(source file, attribute → (line, col) of its first ``self.attr = ...``)
    for a class defined in a user's file; None for library classes and
    classes without source. ``inspect.getsourcelines`` parses the whole module
    to find the class, so the library check comes first."""
    try:
        source_file = inspect.getsourcefile(cls)
    except TypeError:
        return None
    if not source_file or is_library_file(source_file):
        return None
    try:
        lines, start = inspect.getsourcelines(cls)
        indent = min((len(t) - len(t.lstrip()) for t in lines if t.strip()), default=0)
        tree = ast.parse("".join(t[indent:] if t.strip() else t for t in lines))
    except (OSError, TypeError, SyntaxError):
        return None
    assigned: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self" and target.attr not in assigned):
                    value = node.value
                    assigned[target.attr] = (start + value.lineno - 1,
                                             value.col_offset + indent + 1)
    return source_file, assigned
