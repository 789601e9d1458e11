"""The model cannot memorize a handful of samples: the strongest sign of a bug.

## What it does
Trains a copy on 16 samples alone, the same batch every step, for up to 200
steps at the rate the range test suggests (CNA507), kept under a tenth of its
divergence point (the configured rate when the test has no suggestion), and
once more at a tenth of that rate if the first try fails. A working model and
loss memorize them: 100 % accuracy on those samples. One that cannot is broken somewhere between the
data and the loss; the message lists what the other checks found as the
likely causes, and whether the model predicts one class for every input.

## Why is this bad?
Overfitting one small batch is the first test practitioners run ("overfit a
single batch"): if a model cannot learn 16 examples by heart, it will not
learn 60,000. The usual causes: no gradient reaches the layers (CNA503), the
loss does not fit the output (CNA501), the samples are mixed in the batch
(CNA506), the labels do not match the inputs, or the rate is wrong (CNA507).

## Example
```python
def forward(self, x):
    with torch.no_grad():
        x = self.features(x)  # only the head can learn: 16 samples stay out of reach
    return self.head(x)
```

## Use instead
```python
def forward(self, x):
    return self.head(self.features(x))
```
"""

from ..measure import range_test
from . import Diagnosis, Outcome, check

CAUSES = ("CNA501", "CNA503", "CNA504", "CNA506", "CNA507", "CNA508", "CNA509")


def _fit(session, x, y, lr, limit):
    """Train a fresh copy on (x, y) alone: (accuracy %, loss, steps, predictions)."""
    torch = session.torch
    model = session.fresh_model()
    optimizer = session.optimizer(model, lr=lr)
    accuracy, loss_value, steps, predicted = 0.0, float("nan"), 0, None
    while steps < limit:
        steps += 1
        optimizer.zero_grad(set_to_none=True)
        output, loss = session.forward_loss(model, x, y)
        predicted = session.predictions(output).detach()
        accuracy = float((predicted == y).float().mean()) * 100
        loss_value = float(loss.detach())
        if accuracy == 100.0 or not torch.isfinite(loss.detach()):
            break
        loss.backward()
        optimizer.step()
    return accuracy, loss_value, steps, predicted


@check("CNA502", "cannot-fit-batch", "error")
def run(session):
    torch = session.torch
    options = session.options
    test = range_test(session)  # made once: CNA507 reads the same one
    suggestion = test["suggestion"]
    if suggestion and test["divergence"]:
        # The steepest descent can sit next to the divergence point: a fit
        # there may blow up; a tenth of the divergence point is a safe ceiling.
        suggestion = min(suggestion, test["divergence"] / 10)
    lr = suggestion or options.lr
    samples = min(options.fit_samples, len(session.data.train_x))
    x, y = session.batch(0, samples)
    limit = options.steps("fit_steps")
    accuracy, loss_value, steps, predicted = _fit(session, x, y, lr, limit)
    if accuracy < 100.0:  # one more chance at a tenth of the rate: the verdict is about the model
        retry = _fit(session, x, y, lr / 10, limit)
        if retry[0] > accuracy:
            lr = lr / 10
            accuracy, loss_value, steps, predicted = retry
    figures = {"samples": samples, "lr": lr, "lr_from": "range test" if suggestion else "--lr",
               "steps": steps, "accuracy": accuracy, "loss": loss_value}
    summary = f"{accuracy:.0f} % of {samples} samples after {steps} steps at lr {lr:.2g}"
    if accuracy == 100.0:
        return Outcome("pass", summary, figures)
    counts = torch.bincount(predicted.reshape(-1).cpu()) if predicted is not None else None
    one_class = counts is not None and int(counts.max()) == samples
    figures["one_class"] = bool(one_class)
    causes = [code for code in CAUSES if code in session.found]
    text = (f"the model cannot memorize {samples} samples: {accuracy:.0f} % after {steps} steps "
            f"at lr {lr:.2g} (loss {loss_value:.4g})")
    if one_class:
        text += f"; it predicts class {int(counts.argmax())} for every one of them"
    text += (f"; likely causes found: {', '.join(causes)}" if causes else
             "; no other check explains it: look at the labels against the inputs and at the "
             "loss against the output")
    return Outcome("finding", summary, figures, [Diagnosis(text)])
