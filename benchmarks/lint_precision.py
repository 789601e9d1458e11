"""Precision on models nobody here wrote: all 80 of torchvision's
classification models lint with no error and no warning (CNA202 on every conv
of vgg*_bn, which do carry a bias into BatchNorm). The test suite checks one
model per family with the same function; this runs the whole catalog.

    python benchmarks/lint_precision.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> int:
    import torch
    from test_lint_precision import NAMES, check_model

    torch.set_num_threads(1)
    failures, began = [], time.perf_counter()
    for name in NAMES:
        try:
            check_model(name)
        except AssertionError as exc:
            failures.append(f"{name}: {str(exc).splitlines()[0][:200]}")
    seconds = time.perf_counter() - began
    print(f"{len(NAMES) - len(failures)} of {len(NAMES)} torchvision models lint clean "
          f"(no error or warning beyond vgg*_bn's CNA202) in {seconds:.0f} s")
    for line in failures:
        print("  FAIL", line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
