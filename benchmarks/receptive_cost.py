"""What the receptive-field pass adds to a summary (issue 14: under 5 % on
resnet50). Best of 20 for the pass and its attachment to the layer records,
best of 7 for the whole summary (which includes them); the share is the
pass over the rest of the summary. 1 thread.

    python benchmarks/receptive_cost.py [models...]
"""

from __future__ import annotations

import sys
import warnings

from timing import best_of


def main() -> int:
    warnings.filterwarnings("ignore")
    import torch

    import cnnaudit
    from cnnaudit.stats.layers import layer_stats
    from cnnaudit.stats.receptive import attach, receptive_fields

    torch.set_num_threads(1)
    print("| model (224×224) | RF pass | attach | whole summary | pass / rest of the summary |")
    print("|---|---|---|---|---|")
    worst = 0.0
    for name in sys.argv[1:] or ["resnet50", "densenet121", "convnext_tiny", "mobilenet_v3_large"]:
        spec = f"torchvision.models:{name}"
        graph = cnnaudit.summary(spec, (3, 224, 224)).graph
        layers, fields = layer_stats(graph), receptive_fields(graph)
        computing = best_of(20, lambda: receptive_fields(graph))  # noqa: B023
        attaching = best_of(20, lambda: attach(layers, graph, fields))  # noqa: B023
        whole = best_of(7, lambda: cnnaudit.summary(spec, (3, 224, 224)))  # noqa: B023
        share = (computing + attaching) / (whole - computing - attaching)
        worst = max(worst, share) if name == "resnet50" else worst
        print(f"| {name} | {computing * 1e3:.1f} ms | {attaching * 1e3:.1f} ms | "
              f"{whole * 1e3:.1f} ms | {share:.1%} |", flush=True)
    return 0 if worst < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
