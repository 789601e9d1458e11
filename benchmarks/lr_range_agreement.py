"""The doctor's LR range test (CNA507) against torch-lr-finder's on the same
model, initial weights, batches and rate range.

Both run 100 exponentially spaced rates from 1e-7 to 10, loss smoothed with
weight 0.05, stopped at 5× the best loss, and suggest the rate of the
steepest descent (torch-lr-finder: `plot(suggest_lr=True)`, skip_start 10,
skip_end 5). The doctor looks for the steepest descent only before the
lowest loss (docs/doctor.md): where the two differ, that is why. Target:
within a factor of 2 on at least 4 of 5 models.

    pip install torch-lr-finder         # the bench extra: pip install -e '.[bench]'
    python benchmarks/lr_range_agreement.py [--markdown]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# label, SPEC, input size, constructor arguments, optimizer
MODELS = [
    ("cheatsheet net (digits)", f"{ROOT}/examples/cheatsheet_net.py:Net", (1, 28, 28), {}, "adam"),
    ("improved net (digits)", f"{ROOT}/examples/improved_net.py:Net", (1, 28, 28), {}, "momentum"),
    ("resnet18", "torchvision.models:resnet18", (3, 32, 32), {"num_classes": 10}, "momentum"),
    ("mobilenet_v3_small", "torchvision.models:mobilenet_v3_small", (3, 32, 32),
     {"num_classes": 10}, "adam"),
    ("vgg11_bn", "torchvision.models:vgg11_bn", (3, 32, 32), {"num_classes": 10}, "momentum"),
]
BATCH, SEED = 32, 0


def peer_suggestion(torch, spec, shape, model_args, optimizer_name, loss_name):
    """torch-lr-finder on the doctor's batches, from the doctor's initial weights."""
    import numpy as np
    from torch_lr_finder import LRFinder

    import cnnaudit.training as training
    from cnnaudit.load import load

    torch.manual_seed(SEED)
    model = load(spec, model_args, device="cpu").model
    classes = model(torch.zeros(2, *shape)).shape[1]
    data = training.load_data(None, shape, classes, SEED)
    order = torch.randperm(len(data.train_x), generator=torch.Generator().manual_seed(SEED))
    dataset = torch.utils.data.TensorDataset(data.train_x[order], data.train_y[order])
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=False)
    optimizer = training.make_optimizer(torch, model, optimizer_name, 1e-7)
    criterion = torch.nn.NLLLoss() if loss_name == "nll" else torch.nn.CrossEntropyLoss()
    finder = LRFinder(model, optimizer, criterion, device="cpu")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        finder.range_test(loader, end_lr=10, num_iter=100, step_mode="exp", smooth_f=0.05,
                          diverge_th=5)
    lrs, losses = finder.history["lr"][10:-5], finder.history["loss"][10:-5]
    return lrs[int(np.gradient(np.array(losses)).argmin())]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    import torch
    from tabulate import tabulate

    import cnnaudit

    torch.set_num_threads(2)
    rows, agree, began = [], 0, time.perf_counter()
    for label, spec, shape, model_args, optimizer in MODELS:
        report = cnnaudit.doctor(spec, shape, model_args=model_args, optimizer=optimizer,
                                 batch_size=BATCH, seed=SEED, select=("CNA507",))
        ours = report.check("CNA507").figures["suggestion"]
        theirs = peer_suggestion(torch, spec, shape, model_args, optimizer,
                                 report.loss_function)
        ratio = max(ours, theirs) / min(ours, theirs) if ours and theirs else float("inf")
        agree += ratio <= 2
        rows.append([label, optimizer, f"{ours:.3g}" if ours else "none", f"{theirs:.3g}",
                     f"{ratio:.2f}", "yes" if ratio <= 2 else "no"])
        print(" | ".join(rows[-1]), flush=True)
    print()
    print(tabulate(rows, headers=["model", "optimizer", "cnnaudit suggests", "torch-lr-finder",
                                  "ratio", "within 2×"],
                   tablefmt="github" if args.markdown else "simple"))
    print(f"\n{agree} of {len(MODELS)} within a factor of 2 (target: 4); "
          f"{time.perf_counter() - began:.0f} s; torch {torch.__version__}")
    return 0 if agree >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
