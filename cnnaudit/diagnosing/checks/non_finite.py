"""NaN or infinity in the forward pass, the loss, the gradients or the weights while training.

## What it does
Trains a copy for a few steps at the configured rate, optimizer and
precision (fp16 autocast with GradScaler included). At the first non-finite
value it replays that step op by op and names the first op whose inputs
were finite and whose output is not — at its source line — or, for the
loss, the gradients or the weights, what turned non-finite and after how
many steps. Under fp16 with GradScaler, a step skipped for infinite
gradients is the scaler doing its job, not a finding.

## Why is this bad?
One NaN spreads to every weight within a step, and from then on the run is
wasted: the loss prints `nan` and accuracy drops to chance. The cause is
usually local: a `log` or `sqrt` of zero, a division by a value that can be
zero, fp16 overflow in a large activation, or a rate so high the weights
explode.

## Example
```python
probs = F.softmax(logits, dim=1)
loss = -(targets * torch.log(probs)).sum()  # log(0) = -inf once a probability underflows
```

## Use instead
```python
loss = F.cross_entropy(logits, labels)  # log-softmax inside, numerically stable
```
"""

from ...load.sites import caller_site
from ..measure import short_run
from . import Diagnosis, Outcome, check


def first_non_finite_op(session, state, step: int):
    """Replay ``step`` from ``state``: the first op with finite inputs and a
    non-finite output, as (op name, site), or None."""
    from torch.overrides import TorchFunctionMode

    torch = session.torch

    def finite(values) -> bool:
        for value in values:
            if isinstance(value, torch.Tensor) and value.is_floating_point() \
                    and not bool(torch.isfinite(value).all()):
                return False
            if isinstance(value, (list, tuple)) and not finite(value):
                return False
        return True

    found = []

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if not found and finite(list(args) + list(kwargs.values())) \
                    and not finite(out if isinstance(out, (list, tuple)) else [out]):
                found.append((getattr(func, "__name__", str(func)), caller_site()))
            return out

    model = session.fresh_model()
    model.load_state_dict(state)
    x, y = session.batch(step)
    with torch.no_grad(), Watch():
        session.forward_loss(model, x, y)
    return found[0] if found else None


@check("CNA508", "non-finite", "error")
def run(session):
    measured = short_run(session)
    problem = measured["problem"]
    amp = session.options.amp or "float32"
    figures = {"steps": measured["steps"], "precision": amp, "losses": measured["losses"]}
    if problem is None:
        return Outcome("pass", f"{measured['steps']} steps at lr {session.options.lr:g} "
                       f"({amp}): every loss, gradient and weight finite", figures)
    step = problem["step"]
    figures.update(step=step, where=problem["where"])
    summary = f"non-finite {problem['where']} at step {step}"
    if problem["where"] == "loss":
        op = first_non_finite_op(session, problem["state"], step)
        if op is not None:
            name, site = op
            figures["op"] = name
            return Outcome("finding", summary, figures, [Diagnosis(
                f"the loss became {problem['value']} at step {step}: {name} "
                f"({session.shown(site)}) is the first op whose inputs are finite and whose "
                f"output is not ({amp}); guard it (a log or sqrt of zero, a division by a "
                "value that can be zero, fp16 overflow), or use a fused, stable form "
                "(F.cross_entropy, F.log_softmax)", site=site)])
        return Outcome("finding", summary, figures, [Diagnosis(
            f"the loss became {problem['value']} at step {step} while every op of the forward "
            "pass stayed finite: the loss itself overflows (probabilities fed to a loss that "
            "takes logits, labels out of range)")])
    op = first_non_finite_op(session, problem["state"], step) \
        if problem["where"] == "gradient" else None
    if op is not None:  # an infinity in forward that the loss did not pick (log of 0)
        name, site = op
        figures["op"] = name
        return Outcome("finding", summary, figures, [Diagnosis(
            f"gradients became non-finite at step {step}: in the forward pass, {name} "
            f"({session.shown(site)}) turns finite inputs into an infinity that the loss does "
            "not select but its backward multiplies (inf × 0 = NaN); guard it or use a "
            "stable fused form (F.log_softmax instead of log(softmax))", site=site)])
    layers = []
    for name in problem["parameters"]:
        layer = name.rpartition(".")[0]
        if layer not in layers:
            layers.append(layer)
    ordered = [name for name in session.parameter_layers(session.template) if name in layers]
    if problem["where"] == "gradient":
        blamed = ordered[-1] if ordered else layers[0]  # backward starts at the output
        message = (f"gradients became non-finite at step {step}, first (nearest the output) in "
                   f"{blamed}: the backward pass overflows — clip gradients "
                   "(torch.nn.utils.clip_grad_norm_), lower the rate, or guard the op whose "
                   "derivative is infinite (sqrt at 0, log at 0)")
    else:
        blamed = ordered[0] if ordered else layers[0]
        message = (f"the step at lr {session.options.lr:g} ({session.options.optimizer}) made "
                   f"the weights of {len(layers)} layer(s) non-finite at step {step} (first "
                   f"{blamed}): the rate is far too high (see CNA507)")
    figures["layers"] = layers
    return Outcome("finding", summary, figures, [Diagnosis(message, layer=blamed or None)])
