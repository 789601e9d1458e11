"""Running the doctor on a rules/CNA5xx/ evidence file: its INPUT_SIZE, its
DOCTOR_OPTIONS, and its data() (numpy arrays) saved as an .npz when it
defines one (else the bundled digits). Quick mode: the tests' budget."""

import functools
import tempfile
from pathlib import Path

import cnnaudit
from cnnaudit.load import import_target


@functools.cache
def doctor_evidence(path: Path, select: tuple = ()):
    module = import_target(str(path))
    options = {"quick": True, **getattr(module, "DOCTOR_OPTIONS", {})}
    if select:
        options["select"] = select
    with tempfile.TemporaryDirectory() as folder:
        if hasattr(module, "data"):
            import numpy as np

            x, y = module.data()
            np.savez(Path(folder) / "data.npz", x=x, y=y)
            options["data"] = f"npz:{Path(folder) / 'data.npz'}"
        return cnnaudit.doctor(f"{path}:Net", module.INPUT_SIZE, **options)
