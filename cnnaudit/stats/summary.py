"""``cnnaudit.summary``: pipeline (load → trace) → per-layer stats → totals
(→ training memory) → a ``Summary``.

The Summary is data: ``to_dict()`` is exactly the JSON output; rendering it is
the report stage's job (``cnnaudit.rendering``), called by the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..display import displayed
from ..errors import CnnauditError, decide_exit
from ..load import display_path
from ..pipeline import input_shapes, load_model, trace_model
from ..trace import Graph
from ..trace.diagnose import describe_failure
from ..units import parse_bytes
from . import receptive
from .layers import LayerStats, Totals, attach_saved_bytes, fold_to_depth, layer_stats, totals
from .memory import (
    OPTIMIZER_IMPLEMENTATIONS,
    OPTIMIZER_STATE_SLOTS,
    TrainingMemory,
    default_implementation,
    estimate,
)

SCHEMA_VERSION = 1
DEFAULT_TRACE_BATCH = 2
DEFAULT_TRAINING_BATCH = 32
AMP_CHOICES = {"bf16": "bfloat16", "fp16": "float16"}
DTYPE_CHOICES = ("float32", "bfloat16", "float16")
DEVICES = ("meta", "cpu", "cuda")
COUNTERS = ("native", "fvcore")


@displayed
@dataclass
class Summary:
    model: str
    spec: str | None
    input_shapes: list[tuple[int, ...]]
    device: str
    counter: str
    trace_batch_size: int
    layers: list[LayerStats] = field(repr=False)  # folded to ``depth``
    depth: int | None
    totals: Totals
    not_counted: dict[str, int]
    failure: dict | None
    notes: list[str] = field(default_factory=list)
    training_memory: TrainingMemory | None = None
    fvcore: dict | None = None
    graph: Graph | None = field(default=None, repr=False)
    model_args: dict = field(default_factory=dict)
    # the one installed package every row's source is in (a torchvision or
    # timm model: no row is the user's code), else None
    library: str | None = None
    receptive: dict | None = None  # the final feature map's field (receptive_summary)
    # the batch the user thinks in (``batch_size``, else 1): the table shows
    # per-batch shapes at it; the data keeps them at ``trace_batch_size``
    batch_size: int = 1

    @property
    def exit_code(self) -> int:
        """1 when forward failed (the model is broken), else 0."""
        return decide_exit(failing=self.failure is not None)

    def to_dict(self) -> dict:
        data = {
            "schema_version": SCHEMA_VERSION,
            "model": self.model,
            "spec": self.spec,
            "model_args": json_safe(self.model_args),
            "input_shape": list(self.input_shapes[0]) if self.input_shapes else None,
            "input_shapes": [list(s) for s in self.input_shapes],
            "trace_batch_size": self.trace_batch_size,
            "batch_size": self.batch_size,
            "device": self.device,
            "counter": self.counter,
            "depth": self.depth,
            "totals": self.totals.to_dict(),
            "not_counted": dict(self.not_counted),
            "layers": [layer.to_dict() for layer in self.layers],
            "failure": self.failure,
            "notes": list(self.notes),
            "library": self.library,
            "receptive_field": self.receptive,
        }
        if self.training_memory is not None:
            data["training_memory"] = self.training_memory.to_dict()
        if self.fvcore is not None:
            data["fvcore"] = self.fvcore
        return data


def json_safe(value):
    """``-a`` arguments are Python literals: tuples become lists, what JSON
    cannot hold (bytes, complex, sets) its repr."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _dtype(torch, name):
    return getattr(torch, name) if name else None


def check_options(*, device, counter, amp, dtype, optimizer, batch_size,
                  optimizer_impl=None, depth=None, trace_batch_size=None) -> None:
    """The summary's options, each against its choices (exit 2 with the name)."""
    if depth is not None and (not isinstance(depth, int) or depth < -1):
        raise CnnauditError(f"depth must be 0 or more (rows down to that level), or -1 or None "
                            f"for every level, not {depth!r}")
    if device not in DEVICES and not device.startswith("cuda:"):
        raise CnnauditError(f"unknown device {device!r}: choose meta, cpu or cuda")
    if counter not in COUNTERS:
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
    if trace_batch_size is not None and not 1 <= trace_batch_size <= 65536:
        raise CnnauditError(f"--trace-batch-size must be between 1 and 65536, not "
                            f"{trace_batch_size}")
    if optimizer_impl is not None and optimizer_impl not in OPTIMIZER_IMPLEMENTATIONS:
        raise CnnauditError(f"unknown --optimizer-impl {optimizer_impl!r}: choose "
                            f"{', '.join(OPTIMIZER_IMPLEMENTATIONS)}")


def failure_dict(graph: Graph) -> dict | None:
    """Where and why forward failed, as the JSON's ``failure``; None when it ran."""
    if graph.failure is None:
        return None
    node = graph.nodes[graph.failure.node] if graph.failure.node is not None else None
    site = (node.site if node is not None and node.module is not None else None) or \
        graph.failure.site
    return {
        "layer": node.name if node is not None else None,
        "type": node.op if node is not None else None,
        "exception": graph.failure.exc_type,
        "message": describe_failure(graph),
        "file": display_path(site.file) if site else None,
        "line": site.line if site else None,
    }


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
    optimizer_impl: str | None = None,
    memory_timeline: bool = False,
) -> Summary:
    """Summarize ``model`` (an ``nn.Module`` or a SPEC such as
    ``"torchvision.models:resnet50"``) for inputs of ``input_size`` per sample.

    Training memory is estimated when any of ``batch_size``, ``optimizer``,
    ``amp`` or ``memory_budget`` is given; ``optimizer_impl`` (for-loop,
    foreach, fused) is how the optimizer steps, by default what torch picks
    when training on CUDA (foreach; on the CPU it picks for-loop).
    ``memory_timeline``: also the bytes alive op by op (the report draws it).
    """
    check_options(device=device, counter=counter, amp=amp, dtype=dtype, optimizer=optimizer,
                  batch_size=batch_size, optimizer_impl=optimizer_impl, depth=depth,
                  trace_batch_size=trace_batch_size)
    if isinstance(memory_budget, str):
        memory_budget = parse_bytes(memory_budget)
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise CnnauditError("--device cuda: no CUDA device is available here")

    loaded = load_model(model, model_args, device)  # a bad SPEC fails before torch loads
    import torch

    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    param_dtype = _dtype(torch, dtype)
    graph, loaded, trace_device = trace_model(
        loaded, shapes, device, notes, batch_size=trace_batch_size, param_dtype=param_dtype)
    return summarize(loaded, shapes, graph, trace_device, notes, depth=depth,
                     batch_size=batch_size, optimizer=optimizer, amp=amp, dtype=dtype,
                     memory_budget=memory_budget, counter=counter,
                     trace_batch_size=trace_batch_size, optimizer_impl=optimizer_impl,
                     memory_timeline=memory_timeline)


def summarize(loaded, shapes, graph: Graph, trace_device: str, notes: list[str], *,
              depth: int | None = 3, batch_size: int | None = None,
              optimizer: str | None = None, amp: str | None = None, dtype: str | None = None,
              memory_budget: int | None = None, counter: str = "native",
              trace_batch_size: int = DEFAULT_TRACE_BATCH, optimizer_impl: str | None = None,
              memory_timeline: bool = False) -> Summary:
    """The summary of a model already loaded and traced (``summary`` without
    its first steps: the report traces once for the summary and lint)."""
    import torch

    param_dtype = _dtype(torch, dtype)
    failure = failure_dict(graph)

    layers = layer_stats(graph)
    fields = receptive.receptive_fields(graph)
    receptive.attach(layers, graph, fields)
    model_totals = totals(graph, loaded.model)
    fvcore_data = None
    if counter == "fvcore":
        fvcore_data, loaded = _fvcore(loaded, shapes, notes, layers, model_totals)

    training_memory = None
    wants_memory = any(v is not None for v in (batch_size, optimizer, amp, memory_budget,
                                               optimizer_impl))
    if wants_memory and failure is None:
        training_memory = _training_memory(
            loaded, shapes, trace_device, layers, notes, trace_batch_size=trace_batch_size,
            param_dtype=param_dtype, batch_size=batch_size, optimizer=optimizer, amp=amp,
            dtype=dtype, memory_budget=memory_budget,
            implementation=optimizer_impl or default_implementation("cuda"),
            timeline=memory_timeline)

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
        model_args=dict(loaded.model_args),
        library=library_of(graph),
        receptive=receptive_summary(graph, fields),
        batch_size=batch_size or 1,
    )


def receptive_summary(graph: Graph, fields) -> dict | None:
    """What the final feature map sees of the input (the footer's line)."""
    final = receptive.final_map(graph, fields)
    if final is None:
        return None
    return {
        "layer": final.name,
        "map": list(final.shape[2:]),
        "input": list(fields.input_size),
        **final.field.to_dict(),
        "head": final.head.name if final.head is not None else None,
        "misaligned_joins": [graph.nodes[m.node].name for m in fields.misaligned],
    }


def library_of(graph: Graph) -> str | None:
    """The installed package all of the graph's source lines are in, when
    none is the user's (``torchvision``), else None."""
    from ..load.sites import is_library_file

    packages = set()
    for node in graph.nodes[1:]:
        site = node.site
        if site is None:
            continue
        if not is_library_file(site.file) or site.file.startswith("<"):
            return None
        packages.add(display_path(site.file).split("/", 1)[0])
    return packages.pop() if len(packages) == 1 else None


def _training_memory(loaded, shapes, device, layers, notes, *, trace_batch_size, param_dtype,
                     batch_size, optimizer, amp, dtype, memory_budget,
                     implementation, timeline=False) -> TrainingMemory | None:
    """Trace again in training mode, saving tensors for backward, and estimate
    params + grads + optimizer state + saved activations at ``batch_size``."""
    import torch

    from ..trace import trace

    training_graph = trace(
        loaded.model, shapes, batch_size=trace_batch_size, device=device, sites=loaded.sites,
        param_dtype=param_dtype, training=True, record_saved=True,
        amp_dtype=_dtype(torch, AMP_CHOICES.get(amp)),
    )
    if training_graph.failure is not None:
        notes.append(
            "note: the training-mode forward failed, so no training-memory estimate: "
            f"{training_graph.failure.exc_type}: {training_graph.failure.message}"
        )
        return None
    attach_saved_bytes(layers, training_graph)
    precision = f"amp-{amp}" if amp else (dtype or "float32")
    return estimate(
        training_graph,
        loaded.model,
        batch_size=batch_size or DEFAULT_TRAINING_BATCH,
        optimizer=optimizer or "adam",
        precision=precision,
        memory_budget=memory_budget,
        param_dtype_size=param_dtype.itemsize if param_dtype is not None else None,
        implementation=implementation,
        timeline=timeline,
    )


def _fvcore(loaded, shapes, notes, layers, model_totals):
    """Replace the MAC counts with fvcore's (per sample: it runs batch 1)."""
    from ..trace import make_inputs
    from .fvcore import count_with_fvcore

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
