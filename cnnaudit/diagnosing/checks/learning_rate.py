"""The learning rate is above the point where training diverges, or far below the useful range.

## What it does
Runs a learning-rate range test (Smith, "Cyclical Learning Rates", 2017;
fastai's `lr_find`, torch-lr-finder): on a copy of the model, the rate grows
exponentially from 1e-7 to 10 over 100 steps, a new batch each step, the
loss smoothed; the test stops when the loss exceeds 5× its best. The
suggested rate is where the loss falls fastest; the divergence point is
where it stopped (or where the loss is back above its start). A configured
rate above the divergence point is a warning; one more than 1,000× below the
onset — the rate where the loss has made a tenth of its fall — a suggestion,
with the suggested rate. (The test is short: a rate 10–100× below its onset
can still train well over thousands of steps, as Adam at 1e-3 does, so only
rates orders of magnitude too low are reported.) `--plot` draws
the loss against the rate with both marked.

## Why is this bad?
Above the divergence point the loss explodes or turns to NaN within a few
steps; far below the useful range the loss barely moves and "the model does
not learn". The right rate depends on the model, the optimizer (Adam wants
rates 10–100× smaller than SGD) and the batch size, which is why it is
measured rather than copied.

## Example
```python
optimizer = torch.optim.Adam(model.parameters(), lr=1.0)
```

## Use instead
```python
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)  # near the measured suggestion
```
"""

from ..measure import range_test
from . import Diagnosis, Outcome, check


@check("CNA507", "learning-rate", "warning")
def run(session):
    options = session.options
    test = range_test(session)
    suggestion, divergence = test["suggestion"], test["divergence"]
    figures = {"suggestion": suggestion, "divergence": divergence, "configured": options.lr,
               "optimizer": options.optimizer, "steps": len(test["lrs"])}
    parts = [f"suggested {suggestion:.2g}" if suggestion else "no clear suggestion",
             f"diverges at {divergence:.2g}" if divergence else "no divergence up to 10"]
    summary = f"{', '.join(parts)}; configured {options.lr:g}"
    hint = f" (suggested: {suggestion:.2g})" if suggestion else ""
    if divergence is not None and options.lr >= divergence:
        return Outcome("finding", summary, figures, [Diagnosis(
            f"the configured rate {options.lr:g} ({options.optimizer}) is at or above the point "
            f"where the range test diverges ({divergence:.2g}): training will blow up{hint}",
            fix=f"lr={suggestion:.2g}" if suggestion else None)])
    start = test["onset"]
    figures["onset"] = start
    if start is not None and options.lr * options.lr_far_below < start:
        return Outcome("finding", summary, figures, [Diagnosis(
            f"the configured rate {options.lr:g} ({options.optimizer}) is "
            f"{start / options.lr:.3g}× below the rate where the range test's loss starts to "
            f"fall ({start:.2g}): the loss will barely move{hint}",
            fix=f"lr={suggestion:.2g}" if suggestion else None, severity="suggestion")])
    return Outcome("pass", summary, figures)
