"""Stage 7, shrinking — ``cnnaudit shrink`` (named so that the package does not
shadow the API's ``cnnaudit.shrink`` function): the cheatsheet's reductions
composed into candidates within a parameter budget (``plans``), written as
plain PyTorch (``source``), trained against the original with the probe's
training core, and the smallest that keeps the accuracy returned as source.

Imports probing (its training and paired comparisons), the training core,
stats, the pipeline, trace, load and the base modules; never viewing,
rendering or cli.
"""

from .reading import Architecture, read_architecture
from .results import Candidate, ShrinkOptions, ShrinkReport
from .run import shrink

__all__ = ["Architecture", "Candidate", "ShrinkOptions", "ShrinkReport", "read_architecture",
           "shrink"]
