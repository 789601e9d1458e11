"""How long `cnnaudit report` takes beyond the summary itself, and how large
its page is (issue 24's targets: under 1 s beyond the summary, resnet50's page
under 2 MB). This machine's CPU, torch at 2 threads.

In one process, alternating, median of --repeats: the summary alone as the
report needs it (every level, the training-memory estimate at batch 32, adam)
against the whole report (one trace for the summary and lint, the graph,
the timeline, the page written). The difference is what the report costs
beyond the summary: lint's rules, the graph view and the page. Exit 1 when a
target is missed.

    python benchmarks/report_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("cheatsheet net 1×28×28", "examples/cheatsheet_net.py:Net", (1, 28, 28), None),
    ("resnet50 3×224×224", "torchvision.models:resnet50", (3, 224, 224), None),
    ("timm efficientnet_b0 3×224×224", "timm:create_model", (3, 224, 224),
     {"model_name": "efficientnet_b0"}),
    ("timm convnext_tiny 3×224×224", "timm:create_model", (3, 224, 224),
     {"model_name": "convnext_tiny"}),
]
BEYOND_TARGET_S = 1.0
SIZE_TARGET = 2 * 1024 * 1024  # resnet50's page


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    sys.path.insert(0, str(ROOT))
    import cnnaudit
    from cnnaudit.rendering.html import render_html
    from cnnaudit.viewing import build_view

    missed = 0
    print("| model | summary (s) | report (s) | beyond the summary (s) | page | layers |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, spec, size, model_args in CASES:
            summary_times, report_times = [], []
            for _ in range(args.repeats + 1):  # the first of each warms the imports up
                began = time.perf_counter()
                cnnaudit.summary(spec, size, model_args=model_args, depth=None, batch_size=32,
                                 optimizer="adam")
                summary_times.append(time.perf_counter() - began)
                began = time.perf_counter()
                view = build_view(spec, size, model_args=model_args)
                page = render_html(view.to_dict())
                (Path(folder) / "page.html").write_text(page, encoding="utf-8")
                report_times.append(time.perf_counter() - began)
            summary_s = statistics.median(summary_times[1:])
            report_s = statistics.median(report_times[1:])
            beyond = statistics.median(r - s for r, s in zip(report_times[1:],
                                                             summary_times[1:]))
            size_bytes = len(page.encode())
            missed += beyond > BEYOND_TARGET_S
            if "resnet50" in label:
                missed += size_bytes > SIZE_TARGET
            print(f"| {label} | {summary_s:.2f} | {report_s:.2f} | {beyond:.2f} | "
                  f"{size_bytes / 1024:,.0f} KiB | {len(view.summary.layers)} |", flush=True)
    print(f"\ntargets: beyond the summary ≤ {BEYOND_TARGET_S} s, resnet50's page ≤ 2 MiB: "
          f"{'met' if not missed else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
