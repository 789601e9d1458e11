"""The doctor on good setups: no finding at warning or above.

torchvision's resnet18, mobilenet_v3_small, vgg11_bn and densenet121 and a
handful of timm CNNs (10 classes, synthetic data, 3×64×64), each at the
standard rates — SGD 0.1 with momentum and Adam 1e-3 — and the cheatsheet's
improved net on the bundled digits. A finding at warning or above on any of
them is a false alarm: the thresholds are calibrated here
(docs/doctor.md). Exit 1 on a false alarm.

    python benchmarks/doctor_good_models.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODELS = [
    ("improved net (digits)", f"{ROOT}/examples/improved_net.py:Net", (1, 28, 28), {}),
    ("resnet18", "torchvision.models:resnet18", (3, 64, 64), {"num_classes": 10}),
    ("mobilenet_v3_small", "torchvision.models:mobilenet_v3_small", (3, 64, 64),
     {"num_classes": 10}),
    ("vgg11_bn", "torchvision.models:vgg11_bn", (3, 64, 64), {"num_classes": 10}),
    ("densenet121", "torchvision.models:densenet121", (3, 64, 64), {"num_classes": 10}),
    ("timm resnet10t", "timm.models:resnet10t", (3, 64, 64), {"num_classes": 10}),
    ("timm efficientnet_b0", "timm.models:efficientnet_b0", (3, 64, 64), {"num_classes": 10}),
    ("timm regnety_002", "timm.models:regnety_002", (3, 64, 64), {"num_classes": 10}),
    ("timm convnext_atto", "timm.models:convnext_atto", (3, 64, 64), {"num_classes": 10}),
]
SETUPS = [("momentum", 0.1), ("adam", 1e-3)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the doctor's --quick, fewer models")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", default=None, help="a label substring")
    args = parser.parse_args()
    import torch

    import cnnaudit

    torch.set_num_threads(2)
    rows, alarms, began = [], 0, time.perf_counter()
    models = [m for m in MODELS if not args.only or args.only in m[0]]
    for label, spec, shape, model_args in models[:4] if args.quick and not args.only else models:
        for optimizer, lr in SETUPS:
            started = time.perf_counter()
            report = cnnaudit.doctor(spec, shape, model_args=model_args, optimizer=optimizer,
                                     lr=lr, quick=args.quick)
            bad = [f for f in report.findings if f.severity != "suggestion"]
            alarms += len(bad)
            by_code = {c.code: c for c in report.checks}
            scale = by_code["CNA504"].figures
            rows.append([label, f"{optimizer} {lr:g}", ", ".join(
                f"{f.code} {f.layer or ''}".strip() for f in bad) or "none",
                ", ".join(f.code for f in report.findings if f.severity == "suggestion") or "-",
                f"{by_code['CNA501'].figures['ratio']:.2f}",
                f"{scale['early_to_late']:.2g}", f"{scale['largest_update']['ratio']:.2g}",
                by_code["CNA507"].summary, by_code["CNA502"].summary,
                f"{time.perf_counter() - started:.1f}"])
            print(" | ".join(rows[-1]), flush=True)
    from tabulate import tabulate

    print()
    print(tabulate(rows, headers=["model", "setup", "warnings/errors", "suggestions",
                                  "init loss / ln C", "grad/w early÷late", "largest step/w",
                                  "LR range test", "fit 16 samples", "s"],
                   tablefmt="github" if args.markdown else "simple"))
    print(f"\n{len(rows)} setups, {alarms} false alarm(s) at warning or above, "
          f"{time.perf_counter() - began:.0f} s; torch {torch.__version__}, 2 threads")
    return 1 if alarms else 0


if __name__ == "__main__":
    sys.exit(main())
