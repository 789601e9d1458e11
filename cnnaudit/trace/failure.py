"""How a crash inside forward becomes data: which recorded op raised it, at
which line of the user's code, and whether meta tensors (no values) are to blame
rather than the model."""

from __future__ import annotations

import traceback

from ..load.sites import Site, is_internal_file, is_library_file


def caused_by(exc: BaseException, earlier: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if seen is earlier:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def is_meta_limitation(exc: BaseException) -> bool:
    """Did forward fail because meta tensors carry no values, rather than
    because the model is wrong? (``.item()``, data-dependent shapes, a CPU
    tensor made inside forward meeting meta ones.)"""
    text = str(exc).lower()
    return isinstance(exc, NotImplementedError) or "meta" in text or "data-dependent" in text


def traceback_site(exc: BaseException) -> Site | None:
    frames = traceback.extract_tb(exc.__traceback__)
    for accept in (lambda f: not is_library_file(f), lambda f: not is_internal_file(f)):
        for frame in reversed(frames):
            if accept(frame.filename):
                return Site(frame.filename, frame.lineno, (frame.colno or 0) + 1)
    return None
