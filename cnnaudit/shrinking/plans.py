"""The candidates: the cheatsheet's reductions composed into whole networks that
fit a parameter (and MAC) budget, each a plan a person can read.

Every family keeps what makes a small CNN learn: Conv → BatchNorm → ReLU with
no bias before BatchNorm, 3×3 kernels (two see as far as a 5×5 for fewer
parameters), downsampling until the final map is small, and enough 3×3 depth
after it that the final map's units see at least half of the input (lint's
CNA210 criterion: a globally pooled head cannot read a layout its units never
saw; the cheatsheet net's 6×6 of 28×28 is why pooling alone loses 40 points).
The families differ in where the parameters go:

- ``gap``: widths growing per stage (×1.5 or ×2), global average pooling, Linear(C, K);
- ``transition``: the same with 1×1 transitions after each downsampling (the
  cheatsheet's "1×1 convolutions": fewer channels into each 3×3);
- ``separable``: depthwise-separable 3×3 past the stem (wider for the budget);
- ``deep``: two 3×3 per stage, narrower;
- ``small-head``: one more downsampling and the original's kind of head, a
  Linear on the flattened (now small) map, kept where the original has one;
- ``gap-half``: the ``gap`` family at half the budget (the smallest that may
  still hold the accuracy).

Widths are found by counting, not by training: the widest of each family that
fits the budget (stem a multiple of 4, later layers of 8 where they reach 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Where a map is downsampled no further: a final side of at least this
# (28 → 7 for digits, 32 → 8 for CIFAR, 224 → 7 for ImageNet sizes).
FINAL_SIDE = 5
HEAD_DROPOUT = 0.05  # small: the budgets are small, and BatchNorm regularizes too
MAX_SCALE = 256  # the widest stem tried


@dataclass(frozen=True)
class Layer:
    """One step of a plan. ``conv`` is Conv (no bias) → BatchNorm → ReLU."""

    kind: str  # conv | pool | dropout | gap | flatten | linear
    in_channels: int = 0
    out_channels: int = 0
    kernel: int = 3
    groups: int = 1
    ceil: bool = False  # a pool over an odd side keeps its last row
    p: float = 0.0
    role: str = ""  # stem | transition | depthwise | pointwise | extra (for the changes)


@dataclass
class Plan:
    name: str
    family: str
    layers: list[Layer]
    summary: str  # one line: what this family does
    changes: list[str] = field(default_factory=list)
    params: int = 0
    macs: int = 0
    receptive_field: int = 0  # one side, in input pixels, of the final map's units
    final_side: tuple[int, int] = (0, 0)  # the map the head pools or flattens


def downsamplings(height: int, width: int) -> int:
    """Halvings until the final side is small, at least FINAL_SIDE."""
    return max(1, int(math.floor(math.log2(min(height, width) / FINAL_SIDE))))


def round_width(value: float, stem: bool) -> int:
    """A stem width: a multiple of 4; later widths a multiple of 8 once they
    reach 8 (tensor cores, lint's CNA305), else of 4."""
    if stem or value < 8:
        return max(4, int(round(value / 4)) * 4)
    return max(8, int(round(value / 8)) * 8)


def count(layers: list[Layer], shape: tuple[int, int, int]) -> tuple[int, int, int, tuple]:
    """(parameters, MACs per sample, receptive field side, the last map's
    height and width: what the head pools or flattens) of a plan on a C×H×W
    input: the counts cnnaudit's summary makes (conv and linear MACs;
    BatchNorm's two parameters a channel)."""
    _, height, width = shape
    params = macs = 0
    field_side, jump = 1, 1
    for layer in layers:
        if layer.kind == "conv":
            weights = layer.out_channels * (layer.in_channels // layer.groups) * layer.kernel ** 2
            params += weights + 2 * layer.out_channels
            macs += weights * height * width
            field_side += (layer.kernel - 1) * jump
        elif layer.kind == "pool":
            field_side += jump
            jump *= 2
            rounding = math.ceil if layer.ceil else math.floor
            height, width = rounding(height / 2), rounding(width / 2)
        elif layer.kind == "linear":
            params += layer.in_channels * layer.out_channels + layer.out_channels
            macs += layer.in_channels * layer.out_channels
    return params, macs, field_side, (height, width)


class _Builder:
    """Appends layers and follows the map's size, so that pools over odd
    sides keep their last row (no border truncation, lint's CNA208)."""

    def __init__(self, shape):
        self.channels, self.height, self.width = shape
        self.layers: list[Layer] = []
        self.field, self.jump = 1, 1

    def conv(self, out: int, kernel: int = 3, groups: int = 1, role: str = "") -> None:
        self.layers.append(Layer("conv", self.channels, out, kernel, groups, role=role))
        self.channels = out
        self.field += (kernel - 1) * self.jump

    def separable(self, out: int, role: str = "") -> None:
        self.conv(self.channels, 3, groups=self.channels, role="depthwise")
        self.conv(out, 1, role="pointwise")

    def pool(self) -> None:
        ceil = self.height % 2 == 1 or self.width % 2 == 1
        self.layers.append(Layer("pool", self.channels, self.channels, 2, ceil=ceil))
        rounding = math.ceil if ceil else math.floor
        self.height, self.width = rounding(self.height / 2), rounding(self.width / 2)
        self.field += self.jump
        self.jump *= 2

    def sees_half(self, side: int) -> bool:
        return self.field >= math.ceil(side / 2)

    def gap_head(self, classes: int) -> None:
        self.layers += [Layer("dropout", self.channels, self.channels, p=HEAD_DROPOUT),
                        Layer("gap", self.channels, self.channels),
                        Layer("linear", self.channels, classes)]

    def flat_head(self, classes: int) -> None:
        features = self.channels * self.height * self.width
        self.layers += [Layer("flatten", self.channels, features),
                        Layer("dropout", features, features, p=HEAD_DROPOUT),
                        Layer("linear", features, classes)]


# How much wider each stage is than the one before (the search tries each).
GROWTHS = (1.5, 2.0)
WIDEST = 8  # the last stage at most this many times the stem


def _widths(scale: tuple[float, float], stages: int) -> list[int]:
    """Stem, then each stage ``growth`` times wider, up to WIDEST × the stem."""
    stem, growth = scale
    return [round_width(stem, stem=True)] + [
        round_width(stem * min(growth ** d, WIDEST), stem=False) for d in range(1, stages + 1)]


def _gap(shape, classes, scale, depth_per_stage=1, transitions=False, separable=False):
    build = _Builder(shape)
    side = min(shape[1:])
    stages = downsamplings(*shape[1:])
    widths = _widths(scale, stages)
    for _ in range(depth_per_stage):
        build.conv(widths[0], role="stem")
    for stage in range(1, stages + 1):
        build.pool()
        if transitions:
            build.conv(max(4, round_width(widths[stage - 1] / 2, stem=False)), kernel=1,
                       role="transition")
        for _ in range(depth_per_stage):
            if separable:
                build.separable(widths[stage])
            else:
                build.conv(widths[stage])
    # the final map's units must see half the input: more 3×3 at its size
    extra = 0
    while not build.sees_half(side) or extra == 0:
        if separable:
            build.separable(widths[-1])
        else:
            build.conv(widths[-1], role="extra")
        extra += 1
    build.gap_head(classes)
    return build.layers


def _small_head(shape, classes, scale):
    build = _Builder(shape)
    side = min(shape[1:])
    stages = downsamplings(*shape[1:]) + 1
    widths = _widths(scale, stages)
    build.conv(widths[0], role="stem")
    for stage in range(1, stages + 1):
        build.pool()
        build.conv(widths[stage])
    while not build.sees_half(side):
        build.conv(widths[-1], role="extra")
    build.flat_head(classes)
    return build.layers


FAMILIES = {
    "gap": ("widths growing per stage, global average pooling and one small Linear",
            lambda shape, classes, scale: _gap(shape, classes, scale)),
    "transition": ("1×1 transitions after each downsampling, then 3×3, global average pooling",
                   lambda shape, classes, scale: _gap(shape, classes, scale, transitions=True)),
    "separable": ("depthwise-separable 3×3 past the stem, global average pooling",
                  lambda shape, classes, scale: _gap(shape, classes, scale, separable=True)),
    "deep": ("two 3×3 per stage, narrower, global average pooling",
             lambda shape, classes, scale: _gap(shape, classes, scale, depth_per_stage=2)),
    "small-head": ("one more downsampling and a Linear on the small flattened map",
                   _small_head),
}


def fitted(family: str, shape, classes: int, max_params: int,
           max_macs: int | None) -> Plan | None:
    """The widest plan of ``family`` within the budget, None when even the
    narrowest does not fit."""
    summary, make = FAMILIES[family]
    best = None
    for growth in GROWTHS:
        for stem in range(4, MAX_SCALE + 1, 2):
            layers = make(shape, classes, (stem, growth))
            params, macs, field_side, final = count(layers, shape)
            if params > max_params or (max_macs is not None and macs > max_macs):
                if params > 2 * max_params:
                    break  # widths only grow from here
                continue
            # the most parameters the budget allows; of equals, fewer MACs
            if best is None or (params, -macs) > (best.params, -best.macs):
                best = Plan(family, family, layers, summary, params=params, macs=macs,
                            receptive_field=field_side, final_side=final)
    return best


def smallest_plan(shape, classes: int) -> int:
    """Parameters of the narrowest plan of any family: below it nothing fits."""
    return min(count(make(shape, classes, (4, GROWTHS[0])), shape)[0]
               for _, make in FAMILIES.values())


CANDIDATES = (*FAMILIES, "gap-half")


def candidate_plans(shape, classes: int, max_params: int, max_macs: int | None,
                    flat_head: bool, only: tuple[str, ...] | None = None) -> list[Plan]:
    """One plan per family that fits (``small-head`` only for an original with
    a flattened head), and the ``gap`` family again at half the budget;
    ``only``: these candidates (names of CANDIDATES) and no others."""
    plans = []
    for family in FAMILIES:
        if (family == "small-head" and not flat_head) or (only and family not in only):
            continue
        plan = fitted(family, shape, classes, max_params, max_macs)
        if plan is not None:
            plans.append(plan)
    half = fitted("gap", shape, classes, max_params // 2, max_macs) \
        if not only or "gap-half" in only else None
    if half is not None and all(half.layers != p.layers for p in plans):
        half.name, half.family = "gap-half", "gap"
        half.summary = "the gap family at half the budget"
        plans.append(half)
    return plans
