"""cnnaudit: static model analysis and linting for PyTorch CNNs.

The API mirrors the command line and returns the same data as its JSON::

    import cnnaudit
    s = cnnaudit.summary("torchvision.models:resnet50", input_size=(3, 224, 224))
    s.totals.macs, s.to_dict()
    print(cnnaudit.render(s))       # the table the CLI prints

This module is the top floor: nothing inside the package imports it. Importing
cnnaudit does not import torch; the functions below do, when called.
"""

from __future__ import annotations

from . import display
from ._version import __version__
from .errors import CnnauditError

__all__ = ["CnnauditError", "__version__", "doctor", "lint", "probe", "register_mac_formula",
           "render", "report", "shrink", "summary"]


def _display(result, kind: str) -> str:
    """The report stage renders every result for print() and notebooks."""
    from .rendering.notebook import render_for_display

    return render_for_display(result, kind)


display.install(_display)


def summary(model, input_size=None, **kwargs):
    """Per-layer shapes, params, MACs and memory of ``model`` (an ``nn.Module``
    or a SPEC string). See ``cnnaudit.stats.summary.summary`` for the options."""
    from .stats import summary as run

    return run(model, input_size, **kwargs)


def lint(model, input_size=None, **kwargs):
    """Run the rule catalog on ``model`` (an ``nn.Module`` or a SPEC string);
    returns a LintReport whose ``to_dict()`` is the ``--format json`` output.
    See ``cnnaudit.linting.engine.lint`` for the options."""
    from .linting import lint as run

    return run(model, input_size, **kwargs)


def probe(model, input_size=None, **kwargs):
    """Train ``model`` and its suggested variants briefly and measure them;
    returns a ProbeReport whose ``to_dict()`` is the ``--format json`` output.
    See ``cnnaudit.probing.ProbeOptions`` for the options."""
    from .probing import probe as run

    return run(model, input_size, **kwargs)


def doctor(model, input_size=None, **kwargs):
    """Will ``model`` train? Measures it on a copy with real data (the model
    and the random state are left as they were); returns a DoctorReport whose
    ``to_dict()`` is the ``--format json`` output. See
    ``cnnaudit.doctor.DoctorOptions`` for the options."""
    from .diagnosing import doctor as run

    return run(model, input_size, **kwargs)


def report(model, input_size=None, **kwargs):
    """Everything ``cnnaudit report`` shows of ``model`` (an ``nn.Module`` or a
    SPEC): a ModelView that displays the page inline in a notebook and writes
    it with ``.save("model.html")``. See ``cnnaudit.viewing.build_view`` for
    the options (depth, batch_size, optimizer, amp, lint_options, probe, doctor)."""
    from .viewing import build_view

    return build_view(model, input_size, **kwargs)


def shrink(model, input_size=None, **kwargs):
    """Compose the cheatsheet's reductions into smaller candidates within a
    budget (``max_params=``), train them against ``model`` and return a
    ShrinkReport: ``.source`` is the smallest candidate that kept the accuracy
    (``.save("small.py")`` writes it). See ``cnnaudit.shrinking.ShrinkOptions``."""
    from .shrinking import shrink as run

    return run(model, input_size, **kwargs)


def render(result, verbose: bool = False) -> str:
    """The text the CLI prints for a Summary, LintReport, ProbeReport, DoctorReport or
    ShrinkReport."""
    from .rendering import render_text

    return render_text(result, verbose=verbose)


def register_mac_formula(op_name: str, formula):
    """Count MACs of a custom aten op: ``formula(*args, out_shape, **kwargs)``
    receives every tensor argument as its shape. See docs/api.md."""
    from .trace.counting import register_mac_formula as register

    return register(op_name, formula)
