"""Training-memory estimate, phase by phase: what is alive at the end of the
forward pass, during backward, and inside ``optimizer.step()``; the estimate
is the largest of the three, and the report says which phase holds it.

The saved activations are measured, not guessed: a training-mode trace runs
under ``torch.autograd.graph.saved_tensors_hooks`` and adds up the distinct
storages autograd keeps (parameters and buffers excluded), on meta tensors, so
no memory is used. The phases:

- forward: parameters + optimizer state + input batch + saved activations +
  autocast's saved low-precision copies of the weights (no gradients yet:
  ``zero_grad(set_to_none=True)``);
- backward: parameters + optimizer state + input, and at its worst op: the
  activations saved by that op and the ones before it (backward walks the
  ops in reverse, freeing what each saved), the gradients of the parameters
  of that op and the ones after it (already allocated), and the two
  activation gradients in flight (of the op's output and of its input). For
  CNNs the worst op is early (large maps saved, nearly every gradient there)
  or, for small nets, at the largest map. Under autocast, the weight copies
  saved by the ops before it are still alive, and the op's weight gradient
  exists twice for a moment (low precision, then accumulated in float32);
- step: parameters + optimizer state + input + gradients + the step's own
  temporaries, which depend on the optimizer and on the implementation torch
  picks (``_default_to_fused_or_foreach``: the multi-tensor "foreach" kernels
  on CUDA, a loop over parameters on the CPU): Adam's ``sqrt`` of the second
  moments is one temporary per parameter for the loop (two alive at once:
  ``exp_avg_sq.sqrt() / bias_correction``) and one for every parameter at once
  for foreach; SGD (with or without momentum) and fused kernels work in place.

Not included: allocator fragmentation and rounding, cuDNN workspaces and
the CUDA context.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..errors import CnnauditError
from ..trace.graph import Graph

# Optimizer state per trainable parameter, in parameter-sized tensors.
OPTIMIZER_STATE_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2, "adamw": 2}
OPTIMIZER_IMPLEMENTATIONS = ("for-loop", "foreach", "fused")
PHASES = ("forward", "backward", "step")


def default_implementation(device_type: str) -> str:
    """The implementation torch's optimizers pick by default on a device."""
    return "foreach" if device_type in ("cuda", "xpu") else "for-loop"


def step_transient_bytes(optimizer: str, implementation: str, trainable_sizes) -> int:
    """Bytes ``optimizer.step()`` allocates beyond its state, at its high point
    (``trainable_sizes``: bytes of each trainable parameter)."""
    if optimizer not in ("adam", "adamw") or implementation == "fused" or not trainable_sizes:
        return 0
    if implementation == "foreach":
        return sum(trainable_sizes)
    return 2 * max(trainable_sizes)


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
    total_bytes: int  # the peak: the largest of phase_bytes
    saved_bytes_per_sample: int
    memory_budget: int | None = None
    max_batch_size: int | None = None  # the largest batch that fits the budget
    optimizer_implementation: str = "foreach"
    step_transient_bytes: int = 0  # optimizer.step()'s temporaries
    weight_cast_bytes: int = 0  # autocast's saved low-precision weight copies
    phase_bytes: dict = None  # forward / backward / step → bytes alive at its high point
    peak_phase: str = "backward"
    # op by op through forward, backward (in its order: last op first) and the
    # step: {"phase", "layer", "bytes"}; its highest point is total_bytes.
    # Only when asked for (the HTML report draws it).
    timeline: list[dict] | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.timeline is None:
            del data["timeline"]
        return data


def estimate(
    graph: Graph,
    model,
    *,
    batch_size: int,
    optimizer: str,
    precision: str,
    memory_budget: int | None = None,
    param_dtype_size: int | None = None,
    implementation: str = "foreach",
    timeline: bool = False,
) -> TrainingMemory:
    if optimizer not in OPTIMIZER_STATE_SLOTS:
        raise CnnauditError(
            f"unknown optimizer {optimizer!r}: choose one of {', '.join(OPTIMIZER_STATE_SLOTS)}"
        )
    if implementation not in OPTIMIZER_IMPLEMENTATIONS:
        raise CnnauditError(f"unknown optimizer implementation {implementation!r}: choose one "
                            f"of {', '.join(OPTIMIZER_IMPLEMENTATIONS)}")
    params = list(model.parameters())

    def nbytes(p):
        return p.numel() * (param_dtype_size or p.element_size())

    param_bytes = sum(nbytes(p) for p in params)
    trainable = [nbytes(p) for p in params if p.requires_grad]
    gradient_bytes = sum(trainable)
    optimizer_bytes = OPTIMIZER_STATE_SLOTS[optimizer] * gradient_bytes
    transient = step_transient_bytes(optimizer, implementation, trainable)
    weight_casts = graph.saved_weight_cast_bytes
    saved_per_sample = graph.saved_bytes / graph.batch_size
    input_per_sample = sum(t.nbytes for t in graph.inputs) / graph.batch_size

    # Each phase: (bytes that do not depend on the batch, bytes per sample).
    state = param_bytes + optimizer_bytes
    per_sample = saved_per_sample + input_per_sample
    backward = [(state + fixed, saved / graph.batch_size + input_per_sample)
                for fixed, saved in backward_profile(graph, model, param_dtype_size)]
    lines = {
        "forward": [(state + weight_casts, per_sample)],
        "backward": backward or [(state + gradient_bytes, per_sample)],
        "step": [(state + gradient_bytes + transient, input_per_sample)],
    }
    phase_bytes = {phase: round(max(fixed + slope * batch_size for fixed, slope in group))
                   for phase, group in lines.items()}
    peak_phase = max(PHASES, key=lambda phase: (phase_bytes[phase], phase == "backward"))
    points = None
    if timeline:
        points = memory_timeline(graph, state, input_per_sample=input_per_sample,
                                 backward=backward, step=lines["step"][0],
                                 batch_size=batch_size)
    max_batch = (largest_batch(memory_budget, [line for group in lines.values()
                                               for line in group])
                 if memory_budget is not None and per_sample else None)
    return TrainingMemory(
        batch_size=batch_size,
        optimizer=optimizer,
        precision=precision,
        param_bytes=param_bytes,
        gradient_bytes=gradient_bytes,
        optimizer_bytes=optimizer_bytes,
        activation_bytes=round(saved_per_sample * batch_size),
        input_bytes=round(input_per_sample * batch_size),
        total_bytes=phase_bytes[peak_phase],
        saved_bytes_per_sample=round(saved_per_sample),
        memory_budget=memory_budget,
        max_batch_size=max_batch,
        optimizer_implementation=implementation,
        step_transient_bytes=transient,
        weight_cast_bytes=weight_casts,
        phase_bytes=phase_bytes,
        peak_phase=peak_phase,
        timeline=points,
    )


def memory_timeline(graph: Graph, state: int, *, input_per_sample: float, backward: list[tuple],
                    step: tuple, batch_size: int) -> list[dict]:
    """Bytes alive op by op, by the estimate's own accounting (so the
    highest point is the estimate): through forward, parameters + optimizer
    state + input + what the ops so far saved for backward (and autocast's
    weight copies); through backward, ``backward_profile`` from the last op
    to the first; then the optimizer step."""
    ops = graph.ops()
    saved, casts = saved_per_op(graph, ops)
    points, saved_before, casts_before = [], 0, 0
    for k, op in enumerate(ops):
        saved_before += saved[k]
        casts_before += casts[k]
        per_sample = saved_before / graph.batch_size + input_per_sample
        alive = state + casts_before + per_sample * batch_size
        points.append({"phase": "forward", "layer": op.name, "bytes": round(alive)})
    for k in range(len(backward) - 1, -1, -1):
        fixed, slope = backward[k]
        points.append({"phase": "backward", "layer": ops[k].name,
                       "bytes": round(fixed + slope * batch_size)})
    points.append({"phase": "step", "layer": "optimizer.step()",
                   "bytes": round(step[0] + step[1] * batch_size)})
    return points


def backward_profile(graph: Graph, model, param_dtype_size: int | None) -> list[tuple]:
    """Per op of the graph, in call order, what is alive while backward runs
    it: (bytes that do not scale with the batch: the gradients of the
    parameters of this op and later ones, autocast's weight copies saved by
    the ops before it, and this op's low-precision weight gradient before it
    is accumulated in float32 (the size of its copy); bytes at the trace batch: the
    activations saved by this op and earlier ones + the gradients of its
    output and input in flight)."""
    ops = graph.ops()
    if not ops:
        return []
    trainable = {id(p): p.numel() * (param_dtype_size or p.element_size())
                 for p in model.parameters() if p.requires_grad}
    arriving = [0] * len(ops)  # gradient bytes first allocated at op k's backward
    for k in range(len(ops) - 1, -1, -1):  # a shared module: its last call comes first
        module = ops[k].module
        if module is not None:
            for p in module.parameters():
                arriving[k] += trainable.pop(id(p), 0)
    arriving[-1] += sum(trainable.values())  # used outside a leaf module: assume early
    saved, casts = saved_per_op(graph, ops)
    profile, grads_after, saved_before, casts_before = [], sum(arriving), 0, 0
    for k, op in enumerate(ops):
        saved_before += saved[k]
        casts_before += casts[k]
        in_flight = sum(t.nbytes for t in op.outputs) + sum(
            t.nbytes for t in op.inputs if t.origin == "node")
        # At op k its own copy is freed before its float32 gradient exists, and
        # its low-precision gradient (the copy's size) lives alongside either:
        # casts before k + one copy-sized tensor, i.e. casts_before (k included).
        profile.append((grads_after + casts_before, saved_before + in_flight))
        grads_after -= arriving[k]
    return profile


def saved_per_op(graph: Graph, ops) -> tuple[list[int], list[int]]:
    """(bytes saved for backward, autocast weight copies saved) by each op of
    ``ops``, whole batch; what was saved outside the op graph is booked on the
    first op, so that it is alive throughout."""
    saved = [op.saved_bytes for op in ops]
    casts = [op.saved_weight_cast_bytes for op in ops]
    if ops:
        saved[0] += graph.saved_bytes - sum(saved)
        casts[0] += graph.saved_weight_cast_bytes - sum(casts)
    return saved, casts


def largest_batch(budget: int, lines) -> int:
    """The largest batch whose every phase (fixed bytes + bytes per sample ×
    batch) fits in ``budget``; 0 when not even one sample does."""
    best = None
    for fixed, slope in lines:
        if fixed > budget:
            return 0
        if slope:
            fits = int((budget - fixed) // slope)
            best = fits if best is None else min(best, fits)
    return max(0, best or 0)
