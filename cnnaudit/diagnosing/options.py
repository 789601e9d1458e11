"""The doctor's settings: what to train with, how long, and the documented
thresholds each check compares its measurement with (``docs/doctor.md``
gives the reasoning and the calibration). ``[tool.cnnaudit.doctor]`` in
pyproject.toml fills them; the command line overrides."""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..errors import CnnauditError
from ..training import LOSSES, OPTIMIZERS, check_lr


@dataclass
class DoctorOptions:
    device: str = "cpu"
    optimizer: str = "adam"
    lr: float = 1e-3
    loss: str = "auto"  # auto | ce | nll | bce | mse
    batch_size: int = 32
    amp: str | None = None  # bf16 | fp16
    data: str | None = None
    seed: int = 0
    quick: bool = False
    progress: bool = False
    select: tuple = ()
    ignore: tuple = ()
    # -- how long each measurement runs (quick: fewer) ------------------------
    range_steps: int = 100  # CNA507: the LR range test's steps
    fit_samples: int = 16  # CNA502: samples to memorize
    fit_steps: int = 200  # CNA502: at most this many steps
    train_steps: int = 30  # CNA508/CNA505: steps at the configured rate
    # -- thresholds (calibration: docs/doctor.md) ----------------------------
    init_loss_high: float = 2.0  # CNA501: loss at init / neutral loss above this
    init_loss_low: float = 0.5  # CNA501: ... or below this
    vanishing_ratio: float = 1e-3  # CNA504: early/late gradient-to-weight ratio below this
    exploding_ratio: float = 1e3  # CNA504: ... or above this
    update_ratio_high: float = 1.0  # CNA504: first step's |Δw|/|w| above this
    dead_fraction: float = 0.5  # CNA505: share of a layer's units never active (a suggestion)
    dead_fraction_warning: float = 0.9  # CNA505: ... this share (or fewer alive than classes)
    lr_far_below: float = 1000.0  # CNA507: configured rate this many times under the onset
    input_mean_high: float = 3.0  # CNA509: |channel mean| above this
    input_std_high: float = 10.0  # CNA509: channel std above this
    input_std_low: float = 0.01  # CNA509: channel std below this
    channel_spread: float = 100.0  # CNA509: largest / smallest channel std above this
    imbalance_ratio: float = 3.0  # CNA510: most / fewest samples per class above this

    QUICK = {"range_steps": 50, "fit_steps": 80, "train_steps": 10}

    def validate(self) -> DoctorOptions:
        check_lr(self.lr)
        if self.optimizer not in OPTIMIZERS:
            raise CnnauditError(f"unknown optimizer {self.optimizer!r}: choose "
                                f"{', '.join(OPTIMIZERS)}")
        if self.loss not in ("auto", *LOSSES):
            raise CnnauditError(f"unknown --loss {self.loss!r}: choose auto, "
                                f"{', '.join(LOSSES)}")
        for name in ("batch_size", "range_steps", "fit_samples", "fit_steps", "train_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CnnauditError(f"{name.replace('_', '-')} must be a whole number of at "
                                    f"least 1, not {value!r}")
        if self.batch_size < 2:
            raise CnnauditError("--batch-size must be at least 2: the doctor compares samples "
                                "within a batch (and BatchNorm cannot train on one)")
        for item in fields(self):
            value = getattr(self, item.name)
            if item.type == "float" and not (isinstance(value, (int, float)) and value > 0):
                raise CnnauditError(f"{item.name.replace('_', '-')} must be a number above 0, "
                                    f"not {value!r}")
        return self

    def steps(self, name: str) -> int:
        """A step count, shortened under --quick."""
        value = getattr(self, name)
        return min(value, self.QUICK[name]) if self.quick and name in self.QUICK else value


def option_names() -> set[str]:
    return {item.name for item in fields(DoctorOptions)}
