"""What every command that trains shares: the device and precision it asks
for, the optimizer by name, the loss, a classifier's width, and reading the
tensor out of a model's output. The probe, the doctor and shrink import it;
it imports nothing above the pipeline."""

from __future__ import annotations

from ..errors import CnnauditError

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
LOSSES = ("ce", "nll", "bce", "mse")


def first_tensor(output):
    """The first tensor of a model's output (tuples, lists and dicts of outputs)."""
    if isinstance(output, (tuple, list)):
        return first_tensor(output[0])
    if isinstance(output, dict):
        return first_tensor(next(iter(output.values())))
    return output


def make_optimizer(torch, model, name, lr):
    """``name`` over the model's trainable parameters: plain SGD, SGD with
    momentum 0.9, Adam or AdamW, torch's defaults otherwise."""
    params = [p for p in model.parameters() if p.requires_grad]
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    raise CnnauditError(f"unknown optimizer {name!r}: choose {', '.join(OPTIMIZERS)}")


def resolve_device(torch, name: str, amp: str | None):
    """``torch.device(name)``, checked: it exists here, and the precision
    asked for runs on it."""
    try:
        device = torch.device(name)
    except RuntimeError:
        raise CnnauditError(f"unknown device {name!r}: choose cpu, cuda or cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise CnnauditError("--device cuda: no CUDA device is available here")
    if amp not in (None, "bf16", "fp16"):
        raise CnnauditError(f"unknown --amp {amp!r}: choose bf16 or fp16")
    if amp == "fp16" and device.type != "cuda":
        raise CnnauditError("--amp fp16 needs --device cuda (use bf16 on the CPU)")
    return device


def amp_dtype(torch, amp: str | None):
    return {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)


def check_lr(lr) -> None:
    import math

    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise CnnauditError(f"--lr must be a finite number above 0, not {lr!r}")


def is_oom(torch, exc: BaseException) -> bool:
    oom = getattr(torch.cuda, "OutOfMemoryError", ())
    return isinstance(exc, oom) or "out of memory" in str(exc).lower()


def load_for_training(model, model_args, input_size, command: str):
    """(loaded model, notes, its one input shape): a SPEC built on the CPU, or
    a deep copy of a ready module — the user's model is never trained."""
    import copy

    from ..load import from_module, load
    from ..pipeline import input_shapes

    if isinstance(model, str):
        loaded = load(model, model_args, device="cpu")
    else:
        loaded = from_module(copy.deepcopy(model))
    notes = list(loaded.notes)
    shapes = input_shapes(loaded, input_size, notes)
    if len(shapes) != 1:
        raise CnnauditError(f"{command} trains single-input models")
    return loaded, notes, shapes[0]


def number_of_classes(summary, command: str = "cnnaudit") -> int:
    """The classifier's width: its (first) output must be [batch, classes]."""
    out = summary.graph.outputs[0].shape if summary.graph and summary.graph.outputs else None
    if not out or len(out) != 2:
        raise CnnauditError(f"{command} trains classifiers: the model's (first) output must be "
                            f"[batch, classes], not {list(out) if out else None}")
    return out[1]
