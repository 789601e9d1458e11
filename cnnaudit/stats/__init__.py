"""Stage 3, stats: what the traced graph costs. Per-layer shapes, parameters,
MACs and activation bytes, totals, the training-memory estimate, fvcore's
second opinion, and the ``Summary`` that gathers them (``cnnaudit.summary``).

Imports the pipeline, trace, load and the base modules; never lint, probe or report.
"""

from .layers import LayerStats, Totals
from .memory import OPTIMIZER_STATE_SLOTS, TrainingMemory, estimate
from .summary import AMP_CHOICES, DTYPE_CHOICES, Summary, summarize, summary

__all__ = ["AMP_CHOICES", "DTYPE_CHOICES", "OPTIMIZER_STATE_SLOTS", "LayerStats", "Summary",
           "Totals", "TrainingMemory", "estimate", "summarize", "summary"]
