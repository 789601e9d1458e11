"""fast_meta changes nothing a summary says, on timm's zoo.

For each model (no weights, its pretrained config's input size): the summary
with fast_meta (ops answered from their shapes) and without (torch's own meta
kernels run) must agree on totals, the "not counted" ops, and every layer's
name, output shape, MACs and activation bytes. The test suite checks this on
a model of every answered op and on three zoo models; this runs it on one
model of each family that speed_timm.py measures.

    python benchmarks/fast_meta_identity.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import warnings

from speed_timm import pick_models


def described(name: str, size) -> tuple:
    import cnnaudit

    summary = cnnaudit.summary("timm:create_model", size, model_args={"model_name": name},
                               depth=None)
    return (summary.totals.to_dict(), summary.not_counted, summary.failure,
            [(layer.name, layer.output_shapes, layer.macs, layer.activation_bytes)
             for layer in summary.layers])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import timm

    from cnnaudit.trace.recorder import Recorder

    differing = []
    models = pick_models(args.limit, per_family=1)
    for name in models:
        size = timm.create_model(name).pretrained_cfg["input_size"]
        Recorder.fast_meta = True
        fast = described(name, size)
        Recorder.fast_meta = False
        slow = described(name, size)
        Recorder.fast_meta = True
        same = fast == slow
        if not same:
            differing.append(name)
        print(f"{'same' if same else 'DIFFERENT':9s} {name} ({len(fast[3])} layers)", flush=True)
    print(f"\n{len(models) - len(differing)} of {len(models)} models: identical summaries with and "
          f"without fast_meta" + (f"; different: {', '.join(differing)}" if differing else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
