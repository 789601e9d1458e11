"""Receptive fields of full-size torchvision models against their measured
gradient footprints (issue 14), too slow for ``make test``.

For each (model, layer, input size): the field cnnaudit computes for the
layer's output, and the input pixels that get a gradient from the centre
unit of that output in a linearized, positive float64 copy of the model
(tests/receptive_measure.py). Where the field fits in the input the two must
be equal; where it does not ("clipped"), the computed interval cut to the
input must equal the measured one. Also the published figures of Araujo et
al. (Distill 2019): VGG-16 212, Inception-v3 1311, and ResNet-50 with the
stride where the paper and TF-slim place it (in the first 1×1 convolution of
a bottleneck): 483 — torchvision's ResNet-50 (v1.5) strides its 3×3
convolution instead, and its field is 427.

    python benchmarks/receptive_field_exactness.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

CASES = [  # (model, constructor arguments, layer, input side)
    ("vgg16", {}, "features", 224),
    ("resnet18", {}, "layer4", 480),
    ("resnet50", {}, "layer3", 320),
    ("resnet50", {}, "layer4", 480),
    ("resnet50", {}, "layer4", 224),  # clipped
    ("mobilenet_v2", {}, "features", 640),
    ("googlenet", {"aux_logits": False, "init_weights": False}, "inception4e", 320),
    ("googlenet", {"aux_logits": False, "init_weights": False}, "inception5b", 448),
    ("inception_v3", {"aux_logits": False, "init_weights": False}, "Mixed_6a", 299),
    ("inception_v3", {"aux_logits": False, "init_weights": False}, "Mixed_7c", 299),  # clipped
    ("densenet121", {}, "features.denseblock2", 320),
    ("densenet121", {}, "features.denseblock4", 224),  # clipped
]
QUICK = {"vgg16", "resnet18", "mobilenet_v2"}


def stride_in_first_1x1(model):
    """torchvision's ResNet-50 with each bottleneck's stride moved from its
    3×3 to its first 1×1 convolution (He et al. 2016; TF-slim's resnet_v1)."""
    for layer in (model.layer2, model.layer3, model.layer4):
        block = layer[0]
        block.conv1.stride, block.conv2.stride = block.conv2.stride, (1, 1)
    return model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only " + ", ".join(sorted(QUICK)))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch
    from receptive_measure import measured_extent
    from torchvision import models

    import cnnaudit
    from cnnaudit.stats.receptive import field_of_layer, receptive_fields

    torch.set_num_threads(2)
    print("| model | layer | input | computed RF | stride | unit's interval (cut to the "
          "input) | measured | equal | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    failures = 0
    for name, kwargs, layer, side in CASES:
        if args.quick and name not in QUICK:
            continue
        model = getattr(models, name)(**kwargs)
        summary = cnnaudit.summary(model, (3, side, side), depth=None)
        graph = summary.graph
        node = next(n for n in graph.nodes if n.kind == "module" and n.name == layer)
        field = field_of_layer(graph, receptive_fields(graph), node)
        began = time.perf_counter()
        extents, unit = measured_extent(model, (3, side, side), layer)
        seconds = time.perf_counter() - began
        cut = [(max(0, int(first)), min(side - 1, int(last)))
               for first, last in (field.extent(d, u) for d, u in enumerate(unit))]
        equal = tuple(cut) == tuple(extents)
        failures += not equal
        clipped = any(a != b for a, b in zip(cut, (field.extent(d, u)
                                                    for d, u in enumerate(unit))))
        print(f"| {name} | {layer} | {side} | {int(field.size[0])} | {int(field.jump[0])} | "
              f"{cut[0]}{' clipped' if clipped else ''} | {extents[0]} | "
              f"{'yes' if equal else 'NO'} | {seconds:.1f} |", flush=True)
    # Published figures, computed on meta (no measurement needed to compare).
    published = [("vgg16 pool5", cnnaudit.summary("torchvision.models:vgg16", (3, 224, 224)), 212),
                 ("inception_v3 Mixed_7c", cnnaudit.summary(
                     "torchvision.models:inception_v3", (3, 299, 299),
                     model_args={"aux_logits": False, "init_weights": False}), 1311),
                 ("resnet50, stride in the first 1×1 (paper, TF-slim)", cnnaudit.summary(
                     stride_in_first_1x1(models.resnet50()), (3, 224, 224)), 483),
                 ("resnet50, torchvision (stride in the 3×3)", cnnaudit.summary(
                     "torchvision.models:resnet50", (3, 224, 224)), None)]
    print("\n| network | final map's field (cnnaudit) | published (Araujo et al.) |")
    print("|---|---|---|")
    for label, summary, figure in published:
        size = summary.receptive["size"][0]
        failures += figure is not None and size != figure
        print(f"| {label} | {size} | {figure if figure is not None else '—'} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
