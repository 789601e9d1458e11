"""Everything GPU-side in one call of a few minutes (see docs/benchmarks.md).

1. The probe on CUDA for the cheatsheet's network (all suggestions).
2. resnet18 at 224×224 with --amp bf16 --channels-last (synthetic data).
3. The training-memory estimate against the measured peak, per variant.
4. The probe's step time against a bare hand-written loop on the same model
   and batch (resnet18, bf16, channels-last), alternating rounds.

Targets: probe timing within 5 % of the bare loop; the memory estimate within
15 % of the measured peak. Writes gpu_check.json (to $OUT when set) and prints
a markdown summary to paste into docs/benchmarks.md.

    python benchmarks/gpu_check.py            # on a CUDA machine
    python benchmarks/gpu_check.py --device cpu --quick   # dry run of the script itself
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    import torch
    from probe_overhead import bare_loop

    import cnnaudit
    from cnnaudit.load import load

    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to test the script")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 2
    quick = args.quick
    started = time.perf_counter()
    result = {"device": torch.cuda.get_device_name(device) if device.type == "cuda"
              else f"CPU {platform.machine()}", "torch": torch.__version__}

    # 1. the example network, every suggestion
    example = cnnaudit.probe("examples/cheatsheet_net.py:Net", (1, 28, 28), device=args.device,
                             steps=20 if quick else 200, warmup=3 if quick else 20,
                             batch_size=128, progress=False)
    result["example"] = example.to_dict()
    print(cnnaudit.render(example), flush=True)

    # 2 + 3. resnet18, bf16 autocast, channels-last; memory estimate against peak
    size = 64 if quick else 224
    batch = 8 if quick else 64
    resnet = cnnaudit.probe("torchvision.models:resnet18", (3, size, size), device=args.device,
                            apply="CNA302,CNA303", steps=5 if quick else 60,
                            warmup=2 if quick else 15, batch_size=batch,
                            amp="bf16", channels_last=True, lr=0.001,
                            model_args={"num_classes": 10}, progress=False)
    result["resnet18"] = resnet.to_dict()
    print(cnnaudit.render(resnet), flush=True)

    # 4. probe against a bare loop, same model, batch, precision and layout
    probe_ms, bare_ms = [], []
    for _ in range(2 if quick else 3):
        report = cnnaudit.probe("torchvision.models:resnet18", (3, size, size),
                                device=args.device, apply="CNA202", steps=5 if quick else 60,
                                warmup=2 if quick else 15, batch_size=batch, amp="bf16",
                                channels_last=True, model_args={"num_classes": 10},
                                progress=False)
        probe_ms.append(report.variants[0].step_time_ms()["median"])
        torch.manual_seed(0)
        model = load("torchvision.models:resnet18", {"num_classes": 10}, device="cpu").model
        model = model.to(device).to(memory_format=torch.channels_last).train()
        x = torch.randn(batch, 3, size, size, device=device).contiguous(
            memory_format=torch.channels_last)
        y = torch.randint(0, 10, (batch,), device=device)
        bare_ms.append(bare_loop(model, x, y, 5 if quick else 60, 2 if quick else 15, device,
                                 torch.bfloat16) * 1000)
    result["overhead"] = {"probe_ms": probe_ms, "bare_ms": bare_ms,
                          "ratio": statistics.median(probe_ms) / statistics.median(bare_ms)}
    result["seconds"] = time.perf_counter() - started

    out_dir = os.environ.get("OUT", ".")
    with open(os.path.join(out_dir, "gpu_check.json"), "w") as handle:
        json.dump(result, handle, indent=2)

    print(f"\n## GPU check on {result['device']} (torch {result['torch']})\n")
    print("| model | variant | step ms | step time [95% CI] | verdict | peak (phase) | "
          "estimate (phase) | peak / estimate |")
    print("|---|---|---|---|---|---|---|---|")
    for label in ("example", "resnet18"):
        for v in result[label]["variants"]:
            timing = v["step_time_ms"]
            ratio = v["memory_ratio"]
            speed = v["claims"].get("speed", {}).get("ratio")
            interval = (f"{speed['median'] - 1:+.0%} [{speed['low'] - 1:+.0%}, "
                        f"{speed['high'] - 1:+.0%}]" if speed else "--")
            print(f"| {label} | {v['name']} | {timing['median']:.2f} ± {timing['iqr']:.2f} | "
                  f"{interval} | {v['verdict']} | "
                  f"{v['peak_memory_bytes']} ({v['peak_memory_phase']}) | "
                  f"{v['estimated_memory_bytes']} ({v['estimated_peak_phase']}) | "
                  f"{ratio if ratio is None else round(ratio, 3)} |")
    overhead = result["overhead"]
    print(f"\nprobe {statistics.median(probe_ms):.3f} ms/step vs bare loop "
          f"{statistics.median(bare_ms):.3f} ms/step: ratio {overhead['ratio']:.3f} "
          f"(target ≤ 1.05); {result['seconds']:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
