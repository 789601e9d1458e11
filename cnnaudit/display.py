"""Display hooks for the result objects (Summary, LintReport, ProbeReport,
DoctorReport, the report's ModelView): ``print(result)`` and IPython's plain
display give the text table the CLI prints, Jupyter's rich display its HTML.

The objects stay data (their ``repr`` and ``to_dict()`` are unchanged) and no
stage imports the report stage upward: rendering is looked up here at call
time, and the package's top floor (``cnnaudit/__init__.py``, which always runs
before any stage is imported) installs the report stage's renderer.
"""

from __future__ import annotations

from collections.abc import Callable

_renderer: Callable[[object, str], str] | None = None


def install(renderer: Callable[[object, str], str]) -> None:
    """``renderer(result, "text" | "html" | "page") -> str``."""
    global _renderer
    _renderer = renderer


def render(result, kind: str) -> str:
    """``result`` as ``kind``: "text", "html" (a notebook's), "page" (the
    report's whole page)."""
    if _renderer is None:  # pragma: no cover - the package installs it on import
        return repr(result)
    return _renderer(result, kind)


def displayed(cls):
    """Class decorator (outside ``@dataclass``): ``str()`` and the notebook
    display through the report stage; ``repr`` stays the dataclass's. Set on
    the class itself, since IPython asks each class of the MRO in turn and the
    dataclass's own ``__repr__`` would answer before a base class's hooks."""

    def __str__(self) -> str:
        return render(self, "text")

    def _repr_html_(self) -> str:
        return render(self, "html")

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self) if cycle else render(self, "text"))

    cls.__str__, cls._repr_html_, cls._repr_pretty_ = __str__, _repr_html_, _repr_pretty_
    return cls
