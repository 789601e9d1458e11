"""Gradients vanish or explode across the depth, or one step rewrites a layer's weights.

## What it does
On a real batch at initialization, measures for every layer with weights
the ratio of its weight gradient's norm to the weight's norm, in the order
forward runs them (a layer whose gradient is exactly zero at initialization,
a zero-initialized residual branch's, is left out of the comparison); and,
after one optimizer step at the configured rate,
the ratio of the change to the weight. When the first quarter of the layers
gets gradients more than 1,000× smaller than the last quarter (relative to
their weights), the gradients vanish on the way back; 1,000× larger, they
explode. A step that changes a layer's weights by more than their own size
overwrites what they were. Each finding names the layers and the figures.

## Why is this bad?
With vanishing gradients the early layers barely move: the network trains
as if it were only its last layers, and deeper versions train worse than
shallow ones. Exploding gradients and oversized steps throw the weights
around until the loss turns to NaN. The usual cures: normalization after
each convolution (BatchNorm), residual connections, a fitting
initialization (Kaiming for ReLU), gradient clipping, a smaller rate.

## Example
```python
layers = [nn.Conv2d(c, c, 3, padding=1), nn.Sigmoid()] * 20  # no normalization
```

## Use instead
```python
layers = [nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU()] * 20
```
"""

import statistics

from ..measure import gradients
from . import Diagnosis, Outcome, check


def layer_ratios(session, params) -> list[tuple[str, float, float]]:
    """(layer, |grad|/|w|, |Δw|/|w|) of each layer's weight, in forward order."""
    rows = []
    for layer in session.parameter_layers(session.template):
        entry = params.get(f"{layer}.weight" if layer else "weight")
        if entry is None or entry["none"] or entry["weight_norm"] <= 0:
            continue
        rows.append((layer, entry["grad_norm"] / entry["weight_norm"],
                     entry["update_norm"] / entry["weight_norm"]))
    return rows


@check("CNA504", "gradient-scale", "warning")
def run(session):
    options = session.options
    rows = layer_ratios(session, gradients(session)["params"])
    if len(rows) < 2:
        return Outcome("not applicable", "fewer than two layers with weights")
    # Layers with an exactly zero gradient at initialization are left out of
    # the depth comparison: a residual branch whose last BatchNorm starts at
    # zero (timm's zero_init_last) gets none by design (CNA503 watches those).
    flowing = [r for r in rows if r[1] > 0] or rows
    quarter = max(1, len(flowing) // 4)
    early = statistics.median(r[1] for r in flowing[:quarter])
    late = statistics.median(r[1] for r in flowing[-quarter:])
    depth_ratio = early / late if late > 0 else float("inf")
    worst = max(rows, key=lambda r: r[2])
    figures = {"layers": [{"layer": r[0], "grad_to_weight": r[1], "update_to_weight": r[2]}
                          for r in rows],
               "early_to_late": depth_ratio, "largest_update": {"layer": worst[0],
                                                               "ratio": worst[2]}}
    summary = (f"gradient/weight early {early:.2g}, late {late:.2g} (×{depth_ratio:.2g}); "
               f"largest step/weight {worst[2]:.2g} ({worst[0]})")
    found = []
    if depth_ratio < options.vanishing_ratio:
        first = flowing[0]
        found.append(Diagnosis(
            f"gradients vanish towards the input: the first {quarter} layer(s) get "
            f"gradient/weight {early:.2g}, the last {late:.2g} ({depth_ratio:.2g}×); the early "
            "layers barely learn — add normalization after each convolution, residual "
            "connections, or a ReLU-fitting (Kaiming) initialization", layer=first[0]))
    elif depth_ratio > options.exploding_ratio:
        first = flowing[0]
        found.append(Diagnosis(
            f"gradients grow towards the input: the first {quarter} layer(s) get "
            f"gradient/weight {early:.2g}, the last {late:.2g} ({depth_ratio:.2g}×); expect "
            "divergence — add normalization, clip gradients "
            "(torch.nn.utils.clip_grad_norm_) or lower the rate", layer=first[0]))
    if worst[2] > options.update_ratio_high:
        found.append(Diagnosis(
            f"one step at lr {options.lr:g} ({options.optimizer}) changes {worst[0]}'s weights "
            f"by {worst[2]:.3g}× their norm: the step overwrites what the layer holds — lower "
            "the rate (see CNA507) or clip gradients", layer=worst[0]))
    return Outcome("finding" if found else "pass", summary, figures, found)
