"""What a plan changed of the original, in words a person can check against
the source: widths, kernels, biases, downsampling and what the final map sees,
the head, the family's own technique, dropout and the output."""

from __future__ import annotations

from .plans import Plan
from .reading import Architecture


def describe_changes(plan: Plan, arch: Architecture, original_field: list | None) -> list[str]:
    channels, height, width = arch.input_shape
    convs = [layer for layer in plan.layers if layer.kind == "conv"]
    widths = [layer.out_channels for layer in convs if layer.role not in ("depthwise",)]
    original_widths = [spec.out_channels for spec in arch.convs]
    changes = [f"channels {_list(original_widths)} → {_list(widths)}, fitted to the budget "
               "(past the stem, multiples of 8 where they reach 8)"]
    large = sorted({spec.kernel[0] for spec in arch.convs if max(spec.kernel) >= 5})
    if large:
        changes.append(f"3×3 kernels instead of {', '.join(f'{k}×{k}' for k in large)} "
                       "(stacked 3×3 see as far for fewer parameters)")
    if arch.activation not in ("relu", "relu6"):
        changes.append(f"ReLU instead of {arch.activation} (with BatchNorm before it, small "
                       "networks train faster)")
    if arch.bias_before_norm:
        changes.append(f"no bias before BatchNorm (the original's {arch.bias_before_norm} "
                       "were cancelled by it)")
    else:
        changes.append("Conv → BatchNorm → ReLU, no bias before BatchNorm")
    pools = sum(layer.kind == "pool" for layer in plan.layers)
    final_h, final_w = plan.final_side
    seen = (f"the original's {'×'.join(map(str, original_field))}" if original_field
            else "the original's unknown")
    changes.append(f"{pools} downsamplings ({height}×{width} → {final_h}×{final_w}) and enough "
                   f"3×3 after them that the final map's units see {plan.receptive_field}×"
                   f"{plan.receptive_field} of the {height}×{width} input ({seen})")
    head = _original_head(arch)
    last = plan.layers[-1]
    if plan.layers[-2].kind == "gap":
        changes.append(f"global average pooling and Linear({last.in_channels}, "
                       f"{last.out_channels}) instead of {head}")
    else:
        changes.append(f"Linear({last.in_channels}, {last.out_channels}) on the "
                       f"{final_h}×{final_w} map instead of {head}")
    if any(layer.role == "transition" for layer in convs):
        changes.append("1×1 transitions after each downsampling (fewer channels into each 3×3)")
    if any(layer.role == "depthwise" for layer in convs):
        changes.append("depthwise-separable 3×3 convolutions past the stem")
    dropout = next(layer.p for layer in plan.layers if layer.kind == "dropout")
    was = f" (the original's: {', '.join(f'{p:g}' for p in arch.dropouts)})" \
        if arch.dropouts else ""
    changes.append(f"dropout {dropout:g} before the head{was}")
    changes.append({"log_softmax": "returns log-probabilities (log_softmax), as the original",
                    "softmax": "returns probabilities (softmax), as the original"}.get(
        arch.output, "returns logits, as the original"))
    return changes


def _list(values) -> str:
    return ", ".join(map(str, values))


def _original_head(arch: Architecture) -> str:
    if not arch.linears:
        return "the original's head"
    described = " → ".join(f"Linear({i}, {o})" for i, o in arch.linears)
    if arch.flattened is not None:
        return f"{described} on the flattened {'×'.join(map(str, arch.flattened))} map"
    return described

