"""Training-memory estimate: parameters + gradients + optimizer state +
activations saved for backward (+ the input batch).

The saved activations are measured, not guessed: a training-mode trace runs
under ``torch.autograd.graph.saved_tensors_hooks`` and adds up the distinct
storages autograd keeps (parameters and buffers excluded), on meta tensors, so
no memory is used. Not included: the gradients of activations in flight during
backward, allocator fragmentation, cuDNN workspaces and the CUDA context.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..errors import CnnauditError
from ..trace.graph import Graph

# Optimizer state per trainable parameter, in parameter-sized tensors.
OPTIMIZER_STATE_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}


@dataclass
class TrainingMemory:
    batch_size: int
    optimizer: str
    precision: str  # "float32", "bfloat16", "amp-bf16", "amp-fp16", ...
    param_bytes: int
    gradient_bytes: int
    optimizer_bytes: int
    activation_bytes: int  # saved for backward, at batch_size
    input_bytes: int  # the input batch, at batch_size
    total_bytes: int
    saved_bytes_per_sample: int
    memory_budget: int | None = None
    max_batch_size: int | None = None  # the largest batch that fits the budget

    def to_dict(self) -> dict:
        return asdict(self)


def estimate(
    graph: Graph,
    model,
    *,
    batch_size: int,
    optimizer: str,
    precision: str,
    memory_budget: int | None = None,
    param_dtype_size: int | None = None,
) -> TrainingMemory:
    if optimizer not in OPTIMIZER_STATE_SLOTS:
        raise CnnauditError(
            f"unknown optimizer {optimizer!r}: choose one of {', '.join(OPTIMIZER_STATE_SLOTS)}"
        )
    params = list(model.parameters())

    def nbytes(p):
        return p.numel() * (param_dtype_size or p.element_size())

    param_bytes = sum(nbytes(p) for p in params)
    trainable_bytes = sum(nbytes(p) for p in params if p.requires_grad)
    optimizer_bytes = OPTIMIZER_STATE_SLOTS[optimizer] * trainable_bytes
    saved_per_sample = graph.saved_bytes / graph.batch_size
    input_per_sample = sum(t.nbytes for t in graph.inputs) / graph.batch_size
    activations = round(saved_per_sample * batch_size)
    inputs = round(input_per_sample * batch_size)
    fixed = param_bytes + trainable_bytes + optimizer_bytes
    max_batch = None
    if memory_budget is not None:
        per_sample = saved_per_sample + input_per_sample
        max_batch = max(0, int((memory_budget - fixed) // per_sample)) if per_sample else None
    return TrainingMemory(
        batch_size=batch_size,
        optimizer=optimizer,
        precision=precision,
        param_bytes=param_bytes,
        gradient_bytes=trainable_bytes,
        optimizer_bytes=optimizer_bytes,
        activation_bytes=activations,
        input_bytes=inputs,
        total_bytes=fixed + activations + inputs,
        saved_bytes_per_sample=round(saved_per_sample),
        memory_budget=memory_budget,
        max_batch_size=max_batch,
    )
