"""The training-memory estimate against a measured peak, on the CPU.

For each model × optimizer × precision: two training steps (the second has
the optimizer's state) of a plain loop — ``zero_grad(set_to_none=True)``,
forward (under ``torch.autocast("cpu", bfloat16)`` for bf16), cross-entropy,
backward, step — measured by the probe's storage tracker
(``cnnaudit.probing.memory_meter``: every new storage counted until freed,
the model's parameters and buffers included, the data set not), phase by
phase; against ``cnnaudit.summary(..., optimizer=..., amp=...,
optimizer_impl=...)``'s peak and its phase. Target: every ratio
estimate/measured within ±15 %. Exit 1 when one is not.

    python benchmarks/memory_estimate.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 0.15

# (label, SPEC, input size, batch)
MODELS = [
    ("cheatsheet Net", f"{ROOT}/examples/cheatsheet_net.py:Net", (1, 28, 28), 64),
    ("CNA301 bad Net (oversized FC)", f"{ROOT}/rules/CNA301/bad.py:Net", (1, 28, 28), 64),
    ("resnet18", "torchvision.models:resnet18", (3, 64, 64), 16),
    ("mobilenet_v3_small", "torchvision.models:mobilenet_v3_small", (3, 64, 64), 32),
    ("vgg11 (64×64: 103 M-parameter FC)", "torchvision.models:vgg11", (3, 64, 64), 16),
]
OPTIMIZERS = ["sgd", "momentum", "adam", "adamw"]
# Implementations torch does not pick on the CPU, asked for explicitly so that
# their step temporaries are checked too.
EXTRA_IMPLEMENTATIONS = [("adam", "foreach"), ("adam", "fused")]


def make_optimizer(torch, params, name, implementation):
    flags = {"foreach": {"foreach": True}, "fused": {"fused": True}}.get(implementation, {})
    if name in ("sgd", "momentum"):
        return torch.optim.SGD(params, lr=0.01, momentum=0.9 if name == "momentum" else 0,
                               **flags)
    return (torch.optim.Adam if name == "adam" else torch.optim.AdamW)(params, lr=1e-3, **flags)


def measure(torch, model, shape, batch, optimizer, implementation, amp):
    from cnnaudit.probing.memory_meter import measure_plain_steps

    data = torch.randn(2 * batch, *shape)
    labels = torch.randint(0, 10, (2 * batch,))
    opt = make_optimizer(torch, [p for p in model.parameters() if p.requires_grad], optimizer,
                         implementation)
    batches = [(data[i * batch:(i + 1) * batch], labels[i * batch:(i + 1) * batch])
               for i in range(2)]
    return measure_plain_steps(torch, model, opt, batches, torch.bfloat16 if amp else None)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip vgg11 (the slow one)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    import torch

    import cnnaudit
    from cnnaudit.load import load

    torch.set_num_threads(1)
    rows, worst = [], 0.0
    began = time.perf_counter()
    for label, spec, shape, batch in MODELS[:-1] if args.quick else MODELS:
        cases = [(opt, "for-loop") for opt in OPTIMIZERS] + EXTRA_IMPLEMENTATIONS
        for optimizer, implementation in cases:
            for amp in (False, True):
                if amp and implementation != "for-loop":
                    continue
                torch.manual_seed(0)
                model = load(spec, device="cpu").model
                model.train()
                estimate = cnnaudit.summary(
                    model, shape, batch_size=batch, optimizer=optimizer,
                    amp="bf16" if amp else None, optimizer_impl=implementation,
                ).training_memory
                meter = measure(torch, model, shape, batch, optimizer, implementation, amp)
                ratio = estimate.total_bytes / meter.peak
                worst = max(worst, abs(ratio - 1))
                rows.append([label, batch, f"{optimizer} ({implementation})",
                             "bf16 autocast" if amp else "float32",
                             f"{meter.peak / 2**20:,.1f}", meter.peak_phase,
                             f"{estimate.total_bytes / 2**20:,.1f}", estimate.peak_phase,
                             f"{ratio:.2f}", "" if abs(ratio - 1) <= TOLERANCE else "OUTSIDE"])
    headers = ["model", "batch", "optimizer", "precision", "measured MiB", "phase",
               "estimate MiB", "phase", "est/measured", ""]
    from tabulate import tabulate

    print(tabulate(rows, headers=headers, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))
    print(f"\n{len(rows)} cases in {time.perf_counter() - began:.0f} s; worst |ratio − 1| = "
          f"{worst:.1%} (target ≤ {TOLERANCE:.0%}); torch {torch.__version__}, 1 thread")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
