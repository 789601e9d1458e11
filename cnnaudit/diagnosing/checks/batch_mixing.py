"""The model mixes samples: one sample's output depends on another sample's input.

## What it does
In evaluation mode, takes the gradient of sample i's output with respect to
the whole input batch: every row but i's must be exactly zero. A non-zero
one means the model mixes samples — typically a `view` or `reshape` that
keeps every shape right but moves the batch dimension (`[N, C, L]` viewed as
`[C, N, L]` and transposed back), which no shape check can see. The finding
names the first op whose output already mixes, at its source line.
BatchNorm in evaluation mode, attention over the tokens of one sample and
global pooling do not mix, and are not reported.

## Why is this bad?
Training still runs and the loss still falls, but each prediction is made
from pieces of several images: accuracy stays poor, results change with the
batch size, and evaluation one image at a time gives other answers.

## Example
```python
n, c, l = x.shape
x = x.view(c, n, l).transpose(0, 1)  # the shape is right, the samples are not
```

## Use instead
```python
x = x.transpose(1, 2)  # or permute: moves axes without mixing the batch
```
"""

from ...load.sites import caller_site
from ...training import first_tensor
from . import Diagnosis, Outcome, check

SAMPLES = 5  # a size no channel or spatial axis is likely to share (see _moves_samples)


def _mixes(torch, value, x, row: int, axis: int = 0) -> bool:
    """Does slice ``row`` of ``value`` along ``axis`` depend on any other
    sample of ``x`` than ``row``?"""
    if not isinstance(value, torch.Tensor) or not value.requires_grad or value.dim() == 0 \
            or value.shape[axis] <= row or not value.is_floating_point():
        return False
    (grad,) = torch.autograd.grad(value.select(axis, row).float().sum(), x, retain_graph=True,
                                  allow_unused=True)
    if grad is None:
        return False
    others = torch.cat([grad[:row], grad[row + 1:]])
    return bool(others.ne(0).any())


def _moves_samples(torch, value, x, samples: int) -> bool:
    """An op's output mixes when no axis of the batch's size holds one sample
    per slice (a permute to [L, N, E] keeps one; a view that reinterprets the
    memory does not). Outputs without such an axis cannot be told apart."""
    if not isinstance(value, torch.Tensor) or not value.requires_grad:
        return False
    axes = [axis for axis, size in enumerate(value.shape) if size == samples]
    return bool(axes) and all(any(_mixes(torch, value, x, row, axis) for row in (0, samples - 1))
                              for axis in axes)


@check("CNA506", "batch-mixing", "error")
def run(session):
    from torch.overrides import TorchFunctionMode

    torch = session.torch
    model = session.fresh_model(train=False)
    x, _ = session.batch(0, SAMPLES)
    x = x.clone().requires_grad_(True)
    recorded = []

    class Record(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if isinstance(out, torch.Tensor) and out.requires_grad:
                recorded.append((getattr(func, "__name__", str(func)), caller_site(), out))
            return out

    with Record():
        output = first_tensor(model(x))
    if output.dim() == 0 or output.shape[0] != SAMPLES:
        return Outcome("not applicable", f"the output has {output.shape[0] if output.dim() else 0}"
                       f" rows for {SAMPLES} samples (CNA102's finding)")
    mixed_rows = [row for row in (0, SAMPLES - 1) if _mixes(torch, output, x, row)]
    figures = {"samples": SAMPLES, "rows_mixed": mixed_rows}
    if not mixed_rows:
        return Outcome("pass", f"each of {SAMPLES} outputs depends on its own sample only",
                       figures)
    row = mixed_rows[0]
    first = next(((name, site) for name, site, value in recorded
                  if _moves_samples(torch, value, x, SAMPLES)), None)
    where = ""
    site = None
    if first is not None:
        name, site = first
        where = f"; mixing starts at {name} ({session.shown(site)})"
        figures["first_op"] = name
    return Outcome("finding", f"sample {row}'s output depends on other samples", figures, [
        Diagnosis(f"the model mixes samples: in evaluation mode, sample {row}'s output depends "
                  f"on the inputs of other samples in the batch{where}; a view or reshape "
                  "that moves the batch dimension keeps every shape right — use transpose or "
                  "permute to move axes", site=site)])
