"""SPEC → ``nn.Module`` in a ``LoadedModel``: built on meta first (no weight
memory, any size), for real on the CPU only when the constructor cannot run on
meta (and we say so), with where each submodule was constructed."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from ..errors import CnnauditError, ModelExited, one_line
from .meta import parameters_on_meta
from .sandbox import exit_message
from .sites import ConstructionRecorder, Site, assignment_sites
from .spec import check_arguments, format_args, resolve, split_spec, user_frame_location


@dataclass
class LoadedModel:
    """A model ready to trace, with what we know about where it came from."""

    model: object  # nn.Module
    label: str  # what reports call it: the SPEC's Name, or the class name
    spec: str | None = None
    model_args: dict = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)  # module name → construction site
    device: str = "meta"  # where parameters live: "meta" or "cpu"
    notes: list[str] = field(default_factory=list)  # one-line notices for the user

    def rebuild(self, device: str) -> LoadedModel:
        """The same SPEC built again on another device (for real-tensor tracing)."""
        if self.spec is None:
            raise ValueError("only a model loaded from a SPEC can be rebuilt")
        import torch

        # Seeded (without touching the caller's generator): a data-dependent
        # model's counts then come out the same on every run.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return load(self.spec, self.model_args, device=device)


def _construct(obj, model_args: dict):
    return obj(**model_args)


def load(spec: str, model_args: dict | None = None, device: str = "meta") -> LoadedModel:
    """Build the model named by ``spec``.

    ``device="meta"`` (the default) allocates no weights; if the constructor
    cannot run that way the model is built on the CPU and ``notes`` says so.
    """
    model_args = dict(model_args or {})
    obj, module = resolve(spec)  # before torch: a bad SPEC or file fails in milliseconds
    from torch import nn

    _, name = split_spec(spec)
    if inspect.isclass(obj) and not issubclass(obj, nn.Module):
        raise CnnauditError(f"{spec}: {name} is a class but not an nn.Module subclass")
    if not callable(obj):
        if isinstance(obj, nn.Module):  # a ready instance at module level
            return LoadedModel(obj, name, spec, model_args, {}, _device_of(obj))
        kind = type(obj).__name__
        raise CnnauditError(f"{spec}: {name} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}, "
                            "not an nn.Module class or factory")
    check_arguments(obj, name, model_args)

    notes: list[str] = []
    source_path = getattr(module, "__file__", None)
    attempts = ["meta", "cpu"] if device == "meta" else [device]
    for attempt in attempts:
        recorder = ConstructionRecorder()
        try:
            with recorder:
                if attempt == "meta":
                    with parameters_on_meta():
                        model = _construct(obj, model_args)
                else:
                    model = _construct(obj, model_args)
                    if attempt != "cpu" and isinstance(model, nn.Module):
                        model = model.to(attempt)
        except CnnauditError:
            raise
        except SystemExit as exc:
            file, line = user_frame_location(exc, source_path)
            raise ModelExited(f"{name}({format_args(model_args)}) {exit_message(exc)}",
                              file, line) from None
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # whatever else the constructor raises
            if attempt == "meta":
                file, line = user_frame_location(exc, source_path)
                where = f" at {file}:{line}" if file else ""
                notes.append(
                    f"note: {name} cannot be built on the meta device ({one_line(exc)}{where}); "
                    "built with real weights on the CPU instead"
                )
                continue
            file, line = user_frame_location(exc, source_path)
            cause = float_size_cause(exc) or one_line(exc)
            raise CnnauditError(f"{name}({format_args(model_args)}) raised {cause}",
                                file, line) from None
        if not isinstance(model, nn.Module):
            raise CnnauditError(
                f"{spec}: {name}({format_args(model_args)}) returned a "
                f"{type(model).__name__}, not an nn.Module"
            )
        return LoadedModel(
            model=model,
            label=model_label(name, obj, model_args),
            spec=spec,
            model_args=model_args,
            sites=recorder.sites_by_name(model),
            device=_device_of(model),
            notes=notes,
        )
    raise AssertionError("unreachable")  # pragma: no cover


# Arguments by which a factory picks the architecture (timm's ``create_model``,
# torch.hub-style ``get_model(name=...)``): their value names the model.
_NAMING_ARGUMENTS = ("model_name", "name", "arch", "architecture", "variant", "model")


def model_label(name: str, obj, model_args: dict) -> str:
    """What reports call the model: the architecture a factory was asked for
    (``resnet18`` for ``timm:create_model -a model_name='resnet18'``), else
    the SPEC's name."""
    if not inspect.isclass(obj):
        for key in _NAMING_ARGUMENTS:
            value = model_args.get(key)
            if isinstance(value, str) and value:
                return value
    return name


def from_module(model) -> LoadedModel:
    """Wrap a model the caller built: no construction sites are known, but the
    source of each submodule's ``self.name = ...`` assignment is looked up."""
    return LoadedModel(model, type(model).__name__, None, {}, assignment_sites(model),
                       _device_of(model))


def _device_of(model) -> str:
    import itertools

    # The first tensor decides: no need to list them all (a walk of the model).
    for tensor in itertools.chain(model.parameters(), model.buffers()):
        return tensor.device.type
    return "cpu"


# Arguments of torch.nn layers that must be whole numbers; a float among them
# (``out_planes / 4``, ``(depth - 4) / 6`` in published repositories) ends in
# torch's "empty(): argument 'size' must be tuple of ints", which names neither.
INTEGER_ARGUMENTS = ("in_channels", "out_channels", "in_features", "out_features",
                     "num_features", "num_channels", "num_groups", "groups", "kernel_size",
                     "stride", "padding", "dilation", "num_embeddings", "embedding_dim",
                     "input_size", "hidden_size", "embed_dim", "num_heads")


def float_size_cause(exc: BaseException) -> str | None:
    """"nn.Conv2d's out_channels is 24.0, a float: ..." when a torch.nn
    layer's constructor received a float where it needs an int."""
    if not isinstance(exc, TypeError):
        return None
    import torch.nn as nn

    tb = exc.__traceback__
    while tb is not None:  # outermost first: the layer the user built
        frame = tb.tb_frame
        layer = frame.f_locals.get("self") if frame.f_code.co_name == "__init__" else None
        if isinstance(layer, nn.Module) and type(layer).__module__.startswith("torch.nn"):
            for argument in INTEGER_ARGUMENTS:
                value = frame.f_locals.get(argument)
                values = value if isinstance(value, tuple) else (value,)
                if any(isinstance(v, float) for v in values):
                    return (f"TypeError: nn.{type(layer).__name__}'s {argument} is {value!r}, "
                            "a float: channel and size arguments must be ints (use // "
                            "where it is computed, or int(...))")
        tb = tb.tb_next
    return None
