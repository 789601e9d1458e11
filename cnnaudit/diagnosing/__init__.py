"""Stage 6, diagnosing — ``cnnaudit doctor`` (named so that the package does not
shadow the API's ``cnnaudit.doctor`` function): will this model train? Loss at initialization,
memorizing a few samples, gradient flow and scale, dead units, samples mixing
across the batch, an LR range test, the first non-finite op, the data's scale
and class balance — measured on a copy of the model with real data, each
finding at the responsible layer's line (``cnnaudit.doctor``).

Imports the training core, linting's Finding and rule record, stats, the
pipeline, trace, load and the base modules; never the probe, report or cli.
"""

from .options import DoctorOptions
from .results import CheckResult, DoctorReport
from .run import doctor

__all__ = ["CheckResult", "DoctorOptions", "DoctorReport", "doctor"]
