"""What kind of layer a graph node is: modules and their functional twins
(``nn.ReLU`` and ``F.relu``, ``nn.Conv2d`` and ``F.conv2d``) are one kind.
The vocabulary the rules (``linting.patterns``) and the receptive-field pass
(``stats.receptive``) are written in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .graph import Node

ACTIVATION_MODULES = {
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU",
    "Mish", "Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "Softplus", "Hardtanh",
    "LogSigmoid", "Softsign", "Tanhshrink", "Threshold", "GLU", "Hardshrink", "Softshrink",
}
ACTIVATION_FUNCTIONS = {
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "elu", "elu_",
    "selu", "celu", "gelu", "silu", "mish", "hardswish", "hardsigmoid", "sigmoid", "tanh",
    "softplus", "hardtanh", "hardtanh_", "logsigmoid", "softsign", "tanhshrink", "threshold",
    "glu", "sigmoid_", "tanh_", "hardshrink", "softshrink",
}
DROPOUT_MODULES = {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                   "FeatureAlphaDropout"}
DROPOUT_FUNCTIONS = {"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                     "feature_alpha_dropout", "dropout_", "alpha_dropout_",
                     "feature_dropout", "feature_alpha_dropout_"}
VIEW_FUNCTIONS = {"view", "reshape", "flatten", "permute", "transpose", "contiguous", "squeeze",
                  "unsqueeze", "expand", "view_as", "reshape_as", "unflatten", "movedim",
                  "swapaxes", "t", "_unsafe_view", "getitem", "narrow", "clone", "to",
                  "type_as", "float", "half", "bfloat16", "detach"}
AVG_POOL_MODULES = {"AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
                    "AdaptiveAvgPool2d", "AdaptiveAvgPool3d"}
AVG_POOL_FUNCTIONS = {"avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
                      "adaptive_avg_pool2d", "adaptive_avg_pool3d"}
SOFTMAX_FUNCTIONS = {"softmax", "softmax_"}
ADD_FUNCTIONS = {"add", "add_", "iadd", "radd", "sub", "sub_", "isub", "rsub", "cat", "concat",
                 "stack"}
SCALE_FUNCTIONS = {"mul", "mul_", "imul", "rmul", "div", "div_", "itruediv", "truediv"}
POOL_MODULES = {"MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
                "LPPool1d", "LPPool2d", "LPPool3d"}
POOL_FUNCTIONS = {"max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                  "avg_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
                  "max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d"}


@lru_cache(maxsize=1)
def _nn():
    """``torch.nn``, imported on first use (a function-level import costs
    more than the check it serves, and these run for every node)."""
    from torch import nn

    return nn


def op_name(node: Node) -> str:
    """``F.relu`` → ``relu``; ``Tensor.__iadd__`` → ``iadd``; modules: their class."""
    if node.kind == "module":
        return node.op
    name = node.op.rsplit(".", 1)[-1]
    return name.strip("_") if name.startswith("__") else name


def is_conv(node: Node) -> bool:
    if node.kind == "module":
        return isinstance(node.module, _nn().modules.conv._ConvNd)
    return op_name(node) in {"conv1d", "conv2d", "conv3d"}


def is_linear(node: Node) -> bool:
    if node.kind == "module":
        return isinstance(node.module, _nn().Linear)
    return op_name(node) == "linear"


def is_batchnorm(node: Node) -> bool:
    if node.kind == "module":
        return isinstance(node.module, _nn().modules.batchnorm._BatchNorm)
    return op_name(node) == "batch_norm"


def is_activation(node: Node) -> bool:
    return (node.op in ACTIVATION_MODULES) if node.kind == "module" \
        else op_name(node) in ACTIVATION_FUNCTIONS


def is_dropout(node: Node) -> bool:
    return (node.op in DROPOUT_MODULES) if node.kind == "module" \
        else op_name(node) in DROPOUT_FUNCTIONS


def is_view(node: Node) -> bool:
    if node.kind == "module":
        return node.op in {"Flatten", "Unflatten", "Identity"}
    return op_name(node) in VIEW_FUNCTIONS


def is_softmax(node: Node) -> bool:
    if node.kind == "module":
        return node.op == "Softmax"
    return op_name(node) in SOFTMAX_FUNCTIONS


@dataclass
class ConvSpec:
    """A convolution's hyperparameters, whether written as a module or a call."""

    in_channels: int
    out_channels: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int
    bias: bool
    transposed: bool = False

    @property
    def spatial(self) -> bool:
        return any(k > 1 for k in self.kernel)

    @property
    def depthwise(self) -> bool:
        return self.groups > 1 and self.groups == self.in_channels


def as_tuple(value, n) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) * n


def conv_spec(node: Node) -> ConvSpec | None:
    if node.kind == "module" and is_conv(node):
        m = node.module
        n = len(m.kernel_size)
        padding = m.padding if isinstance(m.padding, str) else as_tuple(m.padding, n)
        return ConvSpec(m.in_channels, m.out_channels, tuple(m.kernel_size), as_tuple(m.stride, n),
                        padding, as_tuple(m.dilation, n), m.groups, m.bias is not None,
                        bool(m.transposed))
    if node.kind == "function" and is_conv(node) and len(node.inputs) >= 2:
        weight = node.inputs[1].shape
        n = len(weight) - 2
        args = node.args
        groups = int(args.get("groups", 1) or 1)
        padding = args.get("padding", 0)
        padding = padding if isinstance(padding, str) else as_tuple(padding, n)
        return ConvSpec(weight[1] * groups, weight[0], tuple(weight[2:]),
                        as_tuple(args.get("stride", 1), n), padding,
                        as_tuple(args.get("dilation", 1), n), groups, len(node.inputs) > 2)
    return None


@dataclass
class PoolSpec:
    """A pooling layer's window per spatial dim, whether a module or a call."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]

    @property
    def extents(self) -> tuple[int, ...]:
        """What one window spans: d·(k − 1) + 1."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilation))


def pool_spec(node: Node, modules=POOL_MODULES) -> PoolSpec | None:
    """The window of a pooling layer (a module named in ``modules``, or a
    pooling call), else None; None too when a call's arguments were not
    recorded, never a guess."""
    if not node.inputs:
        return None
    n = len(node.inputs[0].shape) - 2
    if node.kind == "module" and node.op in modules:
        m = node.module
        kernel = m.kernel_size
        stride, padding, dilation = m.stride or kernel, getattr(m, "padding", 0), \
            getattr(m, "dilation", 1)
    elif node.kind == "function" and op_name(node) in POOL_FUNCTIONS:
        kernel = node.args.get("kernel_size")
        if not isinstance(kernel, (int, list, tuple)):
            return None
        stride = node.args.get("stride") or kernel
        padding, dilation = node.args.get("padding") or 0, node.args.get("dilation") or 1
    else:
        return None
    return PoolSpec(as_tuple(kernel, n), as_tuple(stride, n), as_tuple(padding, n),
                    as_tuple(dilation, n))
