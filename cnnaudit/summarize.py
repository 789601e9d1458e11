"""``cnnaudit.summary``: load → trace → stats (→ training memory) → a Summary.

The Summary is data: ``to_dict()`` is exactly the JSON output, ``repr()`` is
the table; rendering lives in ``report/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnose import describe_failure
from .errors import CnnauditError
from .graph import Graph
from .loader import LoadedModel, from_module, load
from .memory import OPTIMIZER_STATE_SLOTS, TrainingMemory, estimate
from .sites import display_path, where
from .stats import (
    LayerStats,
    Totals,
    attach_saved_bytes,
    fold_to_depth,
    layer_stats,
    totals,
)
from .units import parse_input_size

SCHEMA_VERSION = 1
DEFAULT_TRACE_BATCH = 2
DEFAULT_TRAINING_BATCH = 32
AMP_CHOICES = {"bf16": "bfloat16", "fp16": "float16"}
DTYPE_CHOICES = ("float32", "bfloat16", "float16")


@dataclass
class Summary:
    model: str
    spec: str | None
    input_shapes: list[tuple[int, ...]]
    device: str
    counter: str
    trace_batch_size: int
    layers: list[LayerStats]  # folded to ``depth``
    depth: int | None
    totals: Totals
    not_counted: dict[str, int]
    failure: dict | None
    notes: list[str] = field(default_factory=list)
    training_memory: TrainingMemory | None = None
    fvcore: dict | None = None
    graph: Graph | None = field(default=None, repr=False)

    @property
    def exit_code(self) -> int:
        """1 when forward failed (the model is broken), else 0."""
        return 1 if self.failure else 0

    def to_dict(self) -> dict:
        data = {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "input_shape": list(self.input_shapes[0]) if self.input_shapes else None,
            "input_shapes": [list(s) for s in self.input_shapes],
            "trace_batch_size": self.trace_batch_size,
            "device": self.device,
            "counter": self.counter,
            "depth": self.depth,
            "totals": self.totals.to_dict(),
            "not_counted": dict(self.not_counted),
            "layers": [layer.to_dict() for layer in self.layers],
            "failure": self.failure,
            "notes": list(self.notes),
        }
        if self.training_memory is not None:
            data["training_memory"] = self.training_memory.to_dict()
        if self.fvcore is not None:
            data["fvcore"] = self.fvcore
        return data

    def __repr__(self) -> str:
        from .report.table import render_summary

        return render_summary(self)

    __str__ = __repr__


def input_shapes(loaded: LoadedModel, input_size, notes: list[str]) -> list[tuple[int, ...]]:
    """The per-sample input shapes given, or inferred from the model (said in ``notes``)."""
    shapes = normalize_input_sizes(input_size)
    if shapes is None:
        from .infer import infer_input_size

        shape, explanation = infer_input_size(loaded.model, loaded.sites)
        shapes = [shape]
        notes.append(f"note: {explanation}; pass --input-size to choose another")
    return shapes


def trace_model(loaded: LoadedModel, shapes, device: str, notes: list[str], **trace_options):
    """Trace on ``device``; when meta tensors cannot run the forward (it needs
    values), build the model on the CPU and trace real tensors, saying so.
    Returns (graph, the loaded model traced, the device used)."""
    from .tracer import trace

    graph = trace(loaded.model, shapes, device=device, sites=loaded.sites, **trace_options)
    if graph.failure is not None and graph.failure.meta_limitation and device == "meta":
        site = graph.failure.site
        notes.append(f"note: forward needs tensor values ({graph.failure.message}"
                     f"{where(site)}); traced with real CPU tensors instead")
        if loaded.device == "meta":
            loaded = loaded.rebuild("cpu")
        device = "cpu"
        graph = trace(loaded.model, shapes, device=device, sites=loaded.sites, **trace_options)
    return graph, loaded, device


def normalize_input_sizes(input_size) -> list[tuple[int, ...]] | None:
    """Accept (C, H, W), "C,H,W", or a list of either for several inputs."""
    if input_size is None:
        return None
    if isinstance(input_size, str):
        return [parse_input_size(input_size)]
    items = list(input_size)
    if items and all(isinstance(d, int) for d in items):
        return [parse_input_size(",".join(map(str, items)))]
    return [s for item in items for s in normalize_input_sizes(item)]


def _load(model, model_args, device) -> LoadedModel:
    if isinstance(model, str):
        return load(model, model_args, device="meta" if device == "meta" else "cpu")
    from torch import nn

    if not isinstance(model, nn.Module):
        raise CnnauditError(f"expected an nn.Module or a SPEC string, got {type(model).__name__}")
    return from_module(model)


def _dtype(torch, name):
    return getattr(torch, name) if name else None


def summary(
    model,
    input_size=None,
    *,
    model_args: dict | None = None,
    device: str = "meta",
    depth: int | None = 3,
    batch_size: int | None = None,
    optimizer: str | None = None,
    amp: str | None = None,
    dtype: str | None = None,
    memory_budget: int | str | None = None,
    counter: str = "native",
    trace_batch_size: int = DEFAULT_TRACE_BATCH,
) -> Summary:
    """Summarize ``model`` (an ``nn.Module`` or a SPEC such as
    ``"torchvision.models:resnet50"``) for inputs of ``input_size`` per sample.

    Training memory is estimated when any of ``batch_size``, ``optimizer``,
    ``amp`` or ``memory_budget`` is given.
    """
    import torch

    from .tracer import make_inputs, trace
    from .units import parse_bytes

    if device not in ("meta", "cpu", "cuda") and not device.startswith("cuda:"):
        raise CnnauditError(f"unknown device {device!r}: choose meta, cpu or cuda")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise CnnauditError("--device cuda: no CUDA device is available here")
    if counter not in ("native", "fvcore"):
        raise CnnauditError(f"unknown counter {counter!r}: choose native or fvcore")
    if amp is not None and amp not in AMP_CHOICES:
        raise CnnauditError(f"unknown --amp {amp!r}: choose {' or '.join(AMP_CHOICES)}")
    if dtype is not None and dtype not in DTYPE_CHOICES:
        raise CnnauditError(f"unknown --dtype {dtype!r}: choose {', '.join(DTYPE_CHOICES)}")
    if optimizer is not None and optimizer not in OPTIMIZER_STATE_SLOTS:
        raise CnnauditError(
            f"unknown optimizer {optimizer!r}: choose {', '.join(OPTIMIZER_STATE_SLOTS)}"
        )
    if batch_size is not None and batch_size < 1:
        raise CnnauditError("--batch-size must be at least 1")
    if isinstance(memory_budget, str):
        memory_budget = parse_bytes(memory_budget)

    loaded = _load(model, model_args, device)
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    param_dtype = _dtype(torch, dtype)
    graph, loaded, trace_device = trace_model(
        loaded, shapes, device, notes, batch_size=trace_batch_size, param_dtype=param_dtype)

    def run(loaded_model: LoadedModel, on: str, **kwargs) -> Graph:
        return trace(
            loaded_model.model, shapes, batch_size=trace_batch_size, device=on,
            sites=loaded_model.sites, param_dtype=param_dtype, **kwargs,
        )

    failure = None
    if graph.failure is not None:
        node = graph.nodes[graph.failure.node] if graph.failure.node is not None else None
        site = (node.site if node is not None and node.module is not None else None) or \
            graph.failure.site
        failure = {
            "layer": node.name if node is not None else None,
            "type": node.op if node is not None else None,
            "exception": graph.failure.exc_type,
            "message": describe_failure(graph),
            "file": display_path(site.file) if site else None,
            "line": site.line if site else None,
        }

    layers = layer_stats(graph)
    model_totals = totals(graph, loaded.model)
    fvcore_data = None
    if counter == "fvcore":
        fvcore_data, loaded = _fvcore(loaded, shapes, notes, layers, model_totals, make_inputs)

    training_memory = None
    wants_memory = any(v is not None for v in (batch_size, optimizer, amp, memory_budget))
    if wants_memory and failure is None:
        training_graph = run(
            loaded, trace_device, training=True, record_saved=True,
            amp_dtype=_dtype(torch, AMP_CHOICES.get(amp)),
        )
        if training_graph.failure is None:
            attach_saved_bytes(layers, training_graph)
            precision = f"amp-{amp}" if amp else (dtype or "float32")
            training_memory = estimate(
                training_graph,
                loaded.model,
                batch_size=batch_size or DEFAULT_TRAINING_BATCH,
                optimizer=optimizer or "adam",
                precision=precision,
                memory_budget=memory_budget,
                param_dtype_size=param_dtype.itemsize if param_dtype is not None else None,
            )
        else:
            notes.append(
                "note: the training-mode forward failed, so no training-memory estimate: "
                f"{training_graph.failure.exc_type}: {training_graph.failure.message}"
            )

    return Summary(
        model=loaded.label,
        spec=loaded.spec,
        input_shapes=shapes,
        device=trace_device,
        counter=counter,
        trace_batch_size=trace_batch_size,
        layers=fold_to_depth(layers, depth),
        depth=depth,
        totals=model_totals,
        not_counted=graph.uncounted_ops,
        failure=failure,
        notes=notes,
        training_memory=training_memory,
        fvcore=fvcore_data,
        graph=graph,
    )


def _fvcore(loaded, shapes, notes, layers, model_totals, make_inputs):
    """Replace the MAC counts with fvcore's (per sample: it runs batch 1)."""
    from .fvcore_counter import count_with_fvcore

    if loaded.device == "meta":
        if loaded.spec is None:
            raise CnnauditError("--counter fvcore needs a model with real weights")
        loaded = loaded.rebuild("cpu")
        notes.append("note: fvcore needs real tensors: built with real weights on the CPU")
    device = "cpu" if loaded.device == "meta" else loaded.device
    counts = count_with_fvcore(loaded.model, make_inputs(shapes, 1, device))
    for layer in layers:
        layer.macs = counts.by_module.get(layer.name, 0) if layer.kind == "module" else 0
    model_totals.macs = counts.total
    model_totals.flops = 2 * counts.total
    model_totals.macs_by_op = dict(counts.by_operator)
    return {
        "total": counts.total,
        "matrix_macs": counts.matrix_macs,
        "by_operator": counts.by_operator,
        "unsupported_ops": counts.unsupported_ops,
        "uncalled_modules": counts.uncalled_modules,
    }, loaded
