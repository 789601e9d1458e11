"""The doctor on good setups: no finding at warning or above.

torchvision's resnet18, mobilenet_v3_small, vgg11_bn and densenet121 and a
handful of timm CNNs (10 classes, synthetic data, 3×64×64), each at the
standard rates — SGD 0.1 with momentum and Adam 1e-3 — and the cheatsheet's
improved net on the bundled digits. Every setup the doctor flags (a finding at
warning or above) is then trained in a plain loop — 60 steps, the same data,
batch, optimizer and rate — and the flag is a false alarm only if that
training works (held-out accuracy at least twice chance, every loss finite);
a setup that does not train was flagged rightly (vgg11_bn at SGD 0.1 turns to
NaN; torchvision's own recipe trains VGG at 0.01, which is also run). The
thresholds are calibrated here (docs/doctor.md). Exit 1 on a false alarm.

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
    ("vgg11_bn at its recipe's 0.01", "torchvision.models:vgg11_bn", (3, 64, 64),
     {"num_classes": 10}),
    ("densenet121", "torchvision.models:densenet121", (3, 64, 64), {"num_classes": 10}),
    ("timm resnet10t", "timm.models:resnet10t", (3, 64, 64), {"num_classes": 10}),
    ("timm efficientnet_b0", "timm.models:efficientnet_b0", (3, 64, 64), {"num_classes": 10}),
    ("timm regnety_002", "timm.models:regnety_002", (3, 64, 64), {"num_classes": 10}),
    ("timm convnext_atto", "timm.models:convnext_atto", (3, 64, 64), {"num_classes": 10}),
]
SETUPS = [("momentum", 0.1), ("adam", 1e-3)]
RECIPE = {"vgg11_bn at its recipe's 0.01": [("momentum", 0.01)]}


def trains(torch, spec, shape, model_args, optimizer_name, lr, steps=60) -> tuple[bool, str]:
    """A plain training loop at the setup: does it learn? (held-out accuracy
    at least twice chance, every loss finite)"""
    import cnnaudit.training as training
    from cnnaudit.load import load

    torch.manual_seed(0)
    model = load(spec, model_args, device="cpu").model.train()
    classes = model(torch.zeros(2, *shape)).shape[1]
    data = training.load_data(None, shape, classes, 0)
    optimizer = training.make_optimizer(torch, model, optimizer_name, lr)
    losses = []
    for step in range(steps):
        index = torch.arange(step * 32, step * 32 + 32) % len(data.train_x)
        output = model(data.train_x[index])
        log_probabilities = "LogSoftmax" in type(output.grad_fn).__name__  # as auto picks
        loss = (torch.nn.functional.nll_loss if log_probabilities
                else torch.nn.functional.cross_entropy)(output, data.train_y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        hits = sum(int((model(data.test_x[i:i + 64]).argmax(1) == data.test_y[i:i + 64]).sum())
                   for i in range(0, len(data.test_x), 64))
    accuracy = hits / len(data.test_x)
    finite = all(loss == loss and abs(loss) != float("inf") for loss in losses)
    ok = finite and accuracy >= 2 / classes
    return ok, (f"trains: {accuracy:.0%} held out" if ok else
                f"does not train: {accuracy:.0%} held out" + ("" if finite else ", NaN loss"))


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
        for optimizer, lr in RECIPE.get(label, SETUPS):
            started = time.perf_counter()
            report = cnnaudit.doctor(spec, shape, model_args=model_args, optimizer=optimizer,
                                     lr=lr, quick=args.quick)
            bad = [f for f in report.findings if f.severity != "suggestion"]
            verdict = "-"
            if bad:
                learns, verdict = trains(torch, spec, shape, model_args, optimizer, lr)
                alarms += learns  # flagged, yet it trains: a false alarm
            by_code = {c.code: c for c in report.checks}
            scale = by_code["CNA504"].figures
            rows.append([label, f"{optimizer} {lr:g}", ", ".join(
                f"{f.code} {f.layer or ''}".strip() for f in bad) or "none",
                ", ".join(f.code for f in report.findings if f.severity == "suggestion") or "-",
                f"{by_code['CNA501'].figures['ratio']:.2f}",
                f"{scale['early_to_late']:.2g}", f"{scale['largest_update']['ratio']:.2g}",
                by_code["CNA507"].summary, by_code["CNA502"].summary, verdict,
                f"{time.perf_counter() - started:.1f}"])
            print(" | ".join(rows[-1]), flush=True)
    from tabulate import tabulate

    print()
    print(tabulate(rows, headers=["model", "setup", "warnings/errors", "suggestions",
                                  "init loss / ln C", "grad/w early÷late", "largest step/w",
                                  "LR range test", "fit 16 samples",
                                  "flagged: 60 plain steps", "s"],
                   tablefmt="github" if args.markdown else "simple"))
    print(f"\n{len(rows)} setups, {alarms} false alarm(s) (flagged at warning or above, yet "
          "training works), "
          f"{time.perf_counter() - began:.0f} s; torch {torch.__version__}, 2 threads")
    return 1 if alarms else 0


if __name__ == "__main__":
    sys.exit(main())
