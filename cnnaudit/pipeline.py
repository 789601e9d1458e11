"""The one front every command goes through: load → input shapes → trace.

SPEC or ``nn.Module`` in; a traced ``Graph`` out. Meta tensors first; when the
forward needs values (``.item()``, data-dependent shapes) the model is built on
the CPU and traced with real tensors, and a note says so. Summary, lint and
probe all load and trace through here, so they agree on what was analysed.
"""

from __future__ import annotations

import dataclasses

from .errors import CnnauditError, InputSizeError, NeedsConfiguration, one_line
from .load import LoadedModel, from_module, load, where
from .units import parse_input_size


def input_shapes(loaded: LoadedModel, input_size, notes: list[str]) -> list[tuple[int, ...]]:
    """The per-sample input shapes given, or inferred from the model (said in ``notes``)."""
    shapes = normalize_input_sizes(input_size)
    if shapes is None and has_lazy_modules(loaded.model):
        raise NeedsConfiguration(f"{loaded.label} has lazy modules (nn.Lazy*), whose sizes come "
                                 "from the first input: pass --input-size")
    if shapes is None:
        from .trace.infer import infer_input_size

        shape, explanation = infer_input_size(loaded.model, loaded.sites)
        shapes = [shape]
        notes.append(f"note: {explanation}; pass --input-size to choose another")
    return shapes


def trace_model(loaded: LoadedModel, shapes, device: str, notes: list[str], **trace_options):
    """Trace on ``device``; when meta tensors cannot run the forward (it needs
    values), build the model on the CPU and trace real tensors, saying so.
    Returns (graph, the loaded model traced, the device used)."""
    from .trace import trace
    from .trace.diagnose import input_rank_mismatch

    if has_lazy_modules(loaded.model):
        loaded, device = materialize_lazy(loaded, shapes, device, notes)
    graph = trace(loaded.model, shapes, device=device, sites=loaded.sites, **trace_options)
    if graph.failure is not None and graph.failure.meta_limitation and device == "meta":
        notes.append(f"note: {value_dependence(graph)}; traced with real CPU tensors "
                     "(random weights) instead, so the counts from there on depend on the "
                     "input's values and the weights")
        if loaded.device == "meta":
            loaded = loaded.rebuild("cpu")
        device = "cpu"
        graph = trace(loaded.model, shapes, device=device, sites=loaded.sites, **trace_options)
    wrong_rank = input_rank_mismatch(graph)
    if wrong_rank is not None:
        raise InputSizeError(wrong_rank)
    resized = resized_input(graph)
    if resized:
        notes.append(f"note: {resized}")
    return graph, loaded, device


_RESIZING_OPS = ("interpolate", "upsample", "upsample_bilinear", "upsample_nearest", "resize")


def resized_input(graph) -> str | None:
    """The size a model that resizes its input (torchvision's detection
    transform: 320 → 800) really ran its first convolution at, when a resize
    comes before it; None otherwise."""
    from .trace.kinds import is_conv

    if not graph.inputs:
        return None
    resized = False
    for node in graph.nodes:
        if node.kind == "function" and node.op.rsplit(".", 1)[-1] in _RESIZING_OPS:
            resized = True
        elif node.kind == "module" and is_conv(node) and node.inputs:
            given, ran = graph.inputs[0].shape[2:], node.inputs[0].shape[2:]
            if not resized or len(given) != len(ran) or given == ran:
                return None
            size = "×".join(map(str, ran))
            return (f"the model resizes its input: its first convolution, {node.name}, ran at "
                    f"{size} (the input was {'×'.join(map(str, given))}); the counts are for "
                    f"{size}")
    return None


def value_dependence(graph) -> str:
    """``nonzero() at net.py:14 needs tensor values``: the op that cannot run
    on meta, in the user's terms (torch's own message names its internals)."""
    import re

    failure = graph.failure
    node = graph.nodes[failure.node] if failure.node is not None else None
    if node is not None and node.kind == "function":
        op = node.op.rsplit(".", 1)[-1]
    else:
        called = re.search(r"([A-Za-z_][\w.]*)\(\)", failure.message)
        op = called.group(1).rsplit(".", 1)[-1] if called else None
    what = f"{op}()" if op else "forward"
    return f"{what}{where(failure.site)} needs tensor values, which meta tensors do not have"


def has_lazy_modules(model) -> bool:
    """Uninitialized parameters live only in lazy modules (which turn into
    their plain class once sized): a walk of the modules, not of every tensor."""
    from torch.nn.modules.lazy import LazyModuleMixin
    from torch.nn.parameter import is_lazy

    return any(isinstance(m, LazyModuleMixin) and any(
        is_lazy(t) for t in list(m._parameters.values()) + list(m._buffers.values())
        if t is not None) for m in model.modules())


def materialize_lazy(loaded: LoadedModel, shapes, device: str, notes: list[str]):
    """Lazy modules (``nn.LazyLinear``) get their sizes from a first forward
    pass, as in training: run one on the CPU, on the model rebuilt there from
    its SPEC or on a copy of the caller's model (never the caller's own).
    Returns (the loaded model with every parameter sized, the device to trace on)."""
    import copy

    import torch

    from .trace import make_inputs

    if loaded.spec is not None:
        loaded = loaded.rebuild("cpu")  # meta parameters cannot meet real inputs
    else:
        loaded = dataclasses.replace(loaded, model=copy.deepcopy(loaded.model))
    model_device = next((p.device for p in loaded.model.parameters()
                         if not torch.nn.parameter.is_lazy(p)), torch.device("cpu"))
    try:
        with torch.no_grad():
            loaded.model(*make_inputs(shapes, 2, str(model_device)))
    except Exception as exc:
        raise CnnauditError(f"initializing the lazy modules of {loaded.label} failed: "
                            f"{one_line(exc)}") from None
    notes.append("note: lazy modules sized by one forward pass on real tensors")
    return loaded, "cpu" if device == "meta" else device


def normalize_input_sizes(input_size) -> list[tuple[int, ...]] | None:
    """Accept (C, H, W), "C,H,W", or a list of either for several inputs."""
    if input_size is None:
        return None
    if isinstance(input_size, str):
        return [parse_input_size(input_size)]
    if not isinstance(input_size, (list, tuple)):
        raise InputSizeError(f"input_size must be a shape such as (1, 28, 28) or \"1,28,28\", "
                            f"not {input_size!r}")
    items = list(input_size)
    if items and all(isinstance(d, int) for d in items):
        return [parse_input_size(",".join(map(str, items)))]
    return [s for item in items for s in normalize_input_sizes(item)]


def load_model(model, model_args, device) -> LoadedModel:
    """A SPEC is built (on meta unless real tensors are asked for); a ready
    ``nn.Module`` is wrapped as it is; a ``LoadedModel`` (a stage that built
    the SPEC itself, with its construction sites) is used as it is."""
    if isinstance(model, LoadedModel):
        return model
    if isinstance(model, str):
        return load(model, model_args, device="meta" if device == "meta" else "cpu")
    from torch import nn

    if not isinstance(model, nn.Module):
        raise CnnauditError(f"expected an nn.Module or a SPEC string, got {type(model).__name__}")
    return from_module(model)
