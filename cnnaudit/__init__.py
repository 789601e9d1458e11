"""cnnaudit: static model analysis and linting for PyTorch CNNs.

The API mirrors the command line and returns the same data as its JSON::

    import cnnaudit
    s = cnnaudit.summary("torchvision.models:resnet50", input_size=(3, 224, 224))
    s.totals.macs, s.to_dict()

Importing cnnaudit does not import torch; the functions below do, when called.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["CnnauditError", "summary"]

from .errors import CnnauditError


def summary(model, input_size=None, **kwargs):
    """Per-layer shapes, params, MACs and memory of ``model`` (an ``nn.Module``
    or a SPEC string). See ``cnnaudit.summarize.summary`` for the options."""
    from .summarize import summary as run

    return run(model, input_size, **kwargs)


def lint(model, input_size=None, **kwargs):
    """Run the rule catalog on ``model`` (an ``nn.Module`` or a SPEC string);
    returns a LintReport whose ``to_dict()`` is the ``--format json`` output.
    See ``cnnaudit.linting.lint`` for the options."""
    from .linting import lint as run

    return run(model, input_size, **kwargs)


def probe(model, input_size=None, **kwargs):
    """Train ``model`` and its suggested variants briefly and measure them;
    returns a ProbeReport whose ``to_dict()`` is the ``--format json`` output.
    See ``cnnaudit.probing.ProbeOptions`` for the options."""
    from .probing import probe as run

    return run(model, input_size, **kwargs)
