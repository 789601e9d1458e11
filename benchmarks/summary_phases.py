"""Where a summary's time goes, phase by phase (issue 13's breakdown).

For each timm model (no weights, default input size, batch 1 as the issue
asks to compare with torchinfo) the phases of ``cnnaudit.summary`` from a
SPEC, timed apart, best of ``--repeats``, 1 thread:

- build: the SPEC's model constructed on meta, with its construction sites;
- trace: the forward pass recorded (pipeline.trace_model);
- stats: per-layer records, totals, folding;
- rf: the receptive-field pass and attaching it to the layers (with the
  layer records it needs: compare with stats);
- render: the text table;
- spec: the whole ``cnnaudit.summary("timm:create_model", ...)``;
- built: ``cnnaudit.summary(model)`` of a model built beforehand (the
  notebook path: its sites come from reading the classes' source);
- torchinfo: ``torchinfo.summary(timm.create_model(name), ...)``, for scale.

Run it against another checkout to compare (``PYTHONPATH=<checkout>``); the
figures before and after issue 13's work are in docs/benchmarks.md.

    python benchmarks/summary_phases.py [--repeats 5] [models...]
"""

from __future__ import annotations

import argparse
import sys
import warnings

from timing import best_of

MODELS = ["lcnet_050", "mobilenetv2_035", "mobilenetv3_small_050", "ghostnet_050",
          "efficientnet_b0", "resnet50", "densenet121", "mobilevit_xxs", "convnext_tiny"]



def measure(name: str, repeats: int) -> dict[str, float]:
    import timm
    import torchinfo

    import cnnaudit
    from cnnaudit.load import load
    from cnnaudit.pipeline import trace_model
    from cnnaudit.rendering import render_summary
    from cnnaudit.stats.layers import fold_to_depth, layer_stats, totals

    try:
        from cnnaudit.stats import receptive
    except ImportError:  # a checkout from before the receptive fields
        receptive = None

    size = timm.create_model(name).pretrained_cfg["input_size"]
    model_args = {"model_name": name}
    loaded = load("timm:create_model", model_args)
    graph = trace_model(loaded, [size], "meta", [], batch_size=2)[0]
    summary = cnnaudit.summary("timm:create_model", size, model_args=model_args)
    built_model = timm.create_model(name)
    cnnaudit.summary(built_model, size)  # warm-up: the classes' source read once
    return {
        "build": best_of(repeats, lambda: load("timm:create_model", model_args)),
        "trace": best_of(repeats, lambda: trace_model(loaded, [size], "meta", [], batch_size=2)),
        "stats": best_of(repeats, lambda: (fold_to_depth(layer_stats(graph), 3),
                                        totals(graph, loaded.model))),
        "rf": best_of(repeats, lambda: receptive.attach(
            layer_stats(graph), graph, receptive.receptive_fields(graph)))
        if receptive else float("nan"),
        "render": best_of(repeats, lambda: render_summary(summary, "table")),
        "spec": best_of(repeats, lambda: cnnaudit.summary("timm:create_model", size,
                                                       model_args=model_args)),
        "built": best_of(repeats, lambda: cnnaudit.summary(built_model, size)),
        "torchinfo": best_of(repeats, lambda: torchinfo.summary(timm.create_model(name),
                                                             (1, *size), verbose=0)),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("models", nargs="*", default=MODELS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import torch

    import cnnaudit

    torch.set_num_threads(1)
    print(f"cnnaudit from {cnnaudit.__file__}", file=sys.stderr)
    header = ("model", "build", "trace", "stats", "rf", "render", "spec", "built", "torchinfo")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in args.models:
        phases = measure(name, args.repeats)
        print(f"| {name} | " + " | ".join(f"{phases[k]:.3f}" for k in header[1:]) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
