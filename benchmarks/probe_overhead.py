"""The probe's timing against a bare hand-written training loop.

Same model, same batch size, same optimizer, same device: a plain loop
(`zero_grad`, forward, cross-entropy, backward, step; timed with CUDA events
on CUDA, perf_counter on CPU) against the probe's measurement of the original
variant. Both alternate in rounds, medians. Target: within 5 %.

    python benchmarks/probe_overhead.py [--device cpu] [--model SPEC] [--size 1,28,28]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def bare_loop(model, x, y, steps, warmup, device, amp_dtype=None):
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    cuda = device.type == "cuda"
    times = []
    for step in range(warmup + steps):
        if cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        else:
            began = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if cuda:
            end.record()
            end.synchronize()
            elapsed = start.elapsed_time(end) / 1000
        else:
            elapsed = time.perf_counter() - began
        if step >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def main() -> int:
    import torch

    import cnnaudit
    from cnnaudit.load import load
    from cnnaudit.units import parse_input_size

    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default="examples/cheatsheet_net.py:Net")
    parser.add_argument("--size", default="1,28,28")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--apply", default="CNA304",
                        help="suggestions to probe beside the original (default: none apply)")
    args = parser.parse_args()
    shape = parse_input_size(args.size)
    device = torch.device(args.device)
    probe_ms, bare_ms = [], []
    for _ in range(args.rounds):
        # Only the original (a code with nothing to apply): the harness itself,
        # not the cache effects of interleaving several models.
        report = cnnaudit.probe(args.model, shape, apply=args.apply, device=args.device,
                                steps=args.steps, warmup=10, batch_size=args.batch_size,
                                progress=False)
        probe_ms.append(report.variants[0].step_time_ms()["median"])
        torch.manual_seed(0)
        model = load(args.model, device="cpu").model.to(device).train()
        x = torch.randn(args.batch_size, *shape, device=device)
        y = torch.randint(0, 10, (args.batch_size,), device=device)
        bare_ms.append(bare_loop(model, x, y, args.steps, 10, device) * 1000)
    p, b = statistics.median(probe_ms), statistics.median(bare_ms)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else \
        f"CPU, {torch.get_num_threads()} threads"
    print(f"{args.model} at batch {args.batch_size} on {name}: probe {p:.3f} ms/step, "
          f"bare loop {b:.3f} ms/step, probe/bare {p / b:.3f} "
          f"(rounds: probe {[round(v, 3) for v in probe_ms]}, "
          f"bare {[round(v, 3) for v in bare_ms]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
