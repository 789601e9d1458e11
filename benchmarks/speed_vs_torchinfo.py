"""Speed: cnnaudit.summary against torchinfo.summary, SPEC to finished summary.

Both run in this one process, alternating (cnnaudit, torchinfo, cnnaudit, ...)
so that drift and caches hit them alike; medians of ``--repeats`` runs each.
Model construction is included on both sides: torchinfo needs a real model
(random init of every weight, then a real forward pass), cnnaudit builds on
the meta device and traces meta tensors.

    python benchmarks/speed_vs_torchinfo.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

CASES = [
    # (label, torchvision model, per-sample input, batch)
    ("vgg16, 224×224, batch 1", "vgg16", (3, 224, 224), 1),
    ("resnet50, 512×512, batch 8", "resnet50", (3, 512, 512), 8),
    ("resnet50, 224×224, batch 1", "resnet50", (3, 224, 224), 1),
]


def run_cnnaudit(name, shape, batch):
    import cnnaudit

    result = cnnaudit.summary(f"torchvision.models:{name}", shape, trace_batch_size=batch,
                              depth=None)
    return result.totals.params


def run_torchinfo(name, shape, batch):
    import torchinfo
    import torchvision.models as models

    model = getattr(models, name)()
    stats = torchinfo.summary(model, input_size=(batch, *shape), verbose=0)
    return stats.total_params


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - started, value


def main() -> int:
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} torch threads, torch {torch.__version__}")
    print("| case | cnnaudit median (s) | torchinfo median (s) | torchinfo / cnnaudit |")
    print("|---|---|---|---|")
    for label, name, shape, batch in CASES:
        # one untimed warm-up each: imports and first-call caches
        run_cnnaudit(name, shape, batch)
        run_torchinfo(name, shape, batch)
        ours, theirs = [], []
        for _ in range(args.repeats):
            seconds, params_ours = timed(run_cnnaudit, name, shape, batch)
            ours.append(seconds)
            seconds, params_theirs = timed(run_torchinfo, name, shape, batch)
            theirs.append(seconds)
            assert params_ours == params_theirs, (params_ours, params_theirs)
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"| {label} | {a:.3f} | {b:.3f} | {b / a:.1f}× |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
