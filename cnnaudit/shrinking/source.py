"""A plan as plain, readable PyTorch: one class with ``__init__`` and
``forward``, a line per layer with the map's size beside it, and a docstring
that says what it came from and what was measured.

The candidates are trained from this very source (``build``), so the file
written is the model that was measured, not a second rendering of it.
"""

from __future__ import annotations

import math

from .plans import Plan


def class_source(plan: Plan, class_name: str, input_shape, output: str,
                 docstring: str) -> str:
    """The module text: imports, then the class."""
    init, forward = [], []
    channels, height, width = input_shape
    number = 0
    pools = 0
    for layer in plan.layers:
        before = f"{channels}×{height}×{width}"
        if layer.kind == "conv":
            number += 1
            padding = layer.kernel // 2
            groups = f", groups={layer.groups}" if layer.groups > 1 else ""
            pad = f", padding={padding}" if padding else ""
            note = {"depthwise": "  # depthwise", "pointwise": "  # pointwise",
                    "transition": "  # 1×1 transition"}.get(layer.role, "")
            init.append(f"self.conv{number} = nn.Conv2d({layer.in_channels}, "
                        f"{layer.out_channels}, kernel_size={layer.kernel}{pad}{groups}, "
                        f"bias=False){note}")
            init.append(f"self.bn{number} = nn.BatchNorm2d({layer.out_channels})")
            channels = layer.out_channels
            forward.append(f"x = F.relu(self.bn{number}(self.conv{number}(x)))"
                           f"  # {before} → {channels}×{height}×{width}")
        elif layer.kind == "pool":
            pools += 1
            ceil = ", ceil_mode=True" if layer.ceil else ""
            init.append(f"self.pool{pools} = nn.MaxPool2d(2{ceil})")
            rounding = math.ceil if layer.ceil else math.floor
            height, width = rounding(height / 2), rounding(width / 2)
            forward.append(f"x = self.pool{pools}(x)  # {before} → {channels}×{height}×{width}")
        elif layer.kind == "dropout":
            spatial = height * width > 1 and plan.layers[-2].kind == "gap"
            init.append(f"self.dropout = nn.Dropout{'2d' if spatial else ''}(p={layer.p})")
            forward.append("x = self.dropout(x)")
        elif layer.kind == "gap":
            init.append("self.gap = nn.AdaptiveAvgPool2d(1)")
            forward.append(f"x = self.gap(x).flatten(1)  # {before} → {channels}")
            height = width = 1
        elif layer.kind == "flatten":
            forward.append(f"x = x.flatten(1)  # {before} → {channels * height * width}")
            channels, height, width = channels * height * width, 1, 1
        elif layer.kind == "linear":
            init.append(f"self.fc = nn.Linear({layer.in_channels}, {layer.out_channels})")
            forward.append({"log_softmax": "return F.log_softmax(self.fc(x), dim=1)",
                            "softmax": "return F.softmax(self.fc(x), dim=1)"}.get(
                output, "return self.fc(x)"))
    body = "\n".join(f"        {line}" for line in init)
    steps = "\n".join(f"        {line}" for line in forward)
    doc = "\n".join(f"    {line}".rstrip() for line in _wrapped(docstring.strip()))
    return (f'"""{class_name}: written by `cnnaudit shrink`."""\n\n'
            "import torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
            f"class {class_name}(nn.Module):\n"
            f'    """{doc.strip()}\n    """\n\n'
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"{body}\n\n"
            "    def forward(self, x):\n"
            f"{steps}\n")


def _wrapped(text: str, width: int = 92) -> list[str]:
    """Docstring lines within ``width`` (a bullet's continuation indented)."""
    import textwrap

    lines = []
    for line in text.splitlines():
        indent = "  " if line.startswith("- ") else ""
        lines += textwrap.wrap(line, width, subsequent_indent=indent,
                               break_on_hyphens=False) or [""]
    return lines


def build(source: str, class_name: str, label: str):
    """The class defined by ``source``, instantiated (the caller seeds torch)."""
    namespace: dict = {"__name__": f"cnnaudit_shrink_{class_name}"}
    exec(compile(source, f"<cnnaudit shrink: {label}>", "exec"), namespace)  # our own text
    return namespace[class_name]()
