"""Replacement plans that a suggestion predicts and the probe's rewrite builds:
one definition, so the savings a finding states are the savings the variant has."""

from __future__ import annotations


def stacked_plan(kernel, stride, padding):
    """Per 3×3 layer replacing a k×k one: (kernel, stride, padding) tuples,
    or None when no stack of 3×3 layers has the same output size (even k,
    more padding than layers)."""
    if any(k % 2 == 0 for k in kernel) or isinstance(padding, str):
        return None
    layers = max((k - 1) // 2 for k in kernel)
    plan = []
    for index in range(layers):
        kernel_i, padding_i, stride_i = [], [], []
        for k, p, s in zip(kernel, padding, stride):
            depth = (k - 1) // 2
            if p > depth:
                return None
            active = index < depth  # a 1-wide dimension stays 1 in every layer
            kernel_i.append(3 if active else 1)
            padding_i.append(1 if active and index < p else 0)
            stride_i.append(s if index == layers - 1 else 1)
        plan.append((tuple(kernel_i), tuple(stride_i), tuple(padding_i)))
    return plan
