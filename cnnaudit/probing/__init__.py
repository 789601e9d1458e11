"""Stage 5, probing: train the original model and a variant per suggestion
(module surgery in ``rewrites``) on the same data, and measure what each
suggestion gains or costs (``cnnaudit.probe``).

Imports linting, stats, the pipeline, trace, load and the base modules; never
report or cli.
"""

from .plan import summarized_variant
from .results import ProbeOptions, ProbeReport, Variant
from .run import probe, resolve_options, train_variants

__all__ = ["ProbeOptions", "ProbeReport", "Variant", "probe", "resolve_options",
           "summarized_variant", "train_variants"]
