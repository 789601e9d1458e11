"""The training core the probe, the doctor and shrink share: data (the
bundled digits, synthetic patterns, the user's files), the device and
precision, optimizers and the loss (``core``).

Imports the pipeline, load and the base modules; never linting's rules, the
probe, the doctor, report or cli.
"""

from .core import (
    LOSSES,
    OPTIMIZERS,
    amp_dtype,
    check_lr,
    first_tensor,
    is_oom,
    load_for_training,
    make_optimizer,
    number_of_classes,
    resolve_device,
)
from .data import ProbeData, load_data

__all__ = ["LOSSES", "OPTIMIZERS", "ProbeData", "amp_dtype", "check_lr", "first_tensor",
           "is_oom", "load_data", "load_for_training", "make_optimizer", "number_of_classes",
           "resolve_device"]
