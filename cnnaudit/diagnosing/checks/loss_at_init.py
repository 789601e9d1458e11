"""The loss at initialization is far from what a model that knows nothing scores.

## What it does
Before any step, measures the loss on real batches (training mode, no
gradients) and compares it with the loss of a neutral start: ln C for
cross-entropy or NLL over C classes (every class equally likely), ln 2 for
binary cross-entropy. A ratio above 2 or below 0.5 is a finding; a negative
loss (NLL on raw scores instead of log-probabilities) is an error.

## Why is this bad?
A freshly initialized classifier should be unsure. A loss far above ln C
means it is confidently wrong before it has learned anything: a head scaled
too large, inputs off scale, or a final activation that does not fit the
loss; the first steps then go to undoing that. A negative cross-entropy is
impossible: the loss is fed something it was not written for, and training
pushes it to minus infinity.

## Example
```python
def forward(self, x):
    return self.fc(x.flatten(1))  # raw scores...
criterion = nn.NLLLoss()           # ...but NLL expects log-probabilities
```

## Use instead
```python
criterion = nn.CrossEntropyLoss()  # or return F.log_softmax(self.fc(...), dim=1)
```
"""

import math

from . import Diagnosis, Outcome, check

BATCHES = 4


@check("CNA501", "loss-at-init", "warning")
def run(session):
    torch = session.torch
    neutral = session.neutral_loss()
    if neutral is None:
        return Outcome("not applicable", f"no neutral loss for {session.loss_name}")
    model = session.fresh_model()
    values = []
    with torch.no_grad():
        for index in range(BATCHES):
            x, y = session.batch(index)
            values.append(float(session.forward_loss(model, x, y)[1]))
    loss = sum(values) / len(values)
    figures = {"loss": loss, "neutral": neutral, "ratio": loss / neutral, "batches": BATCHES}
    summary = f"loss {loss:.4g} at init, neutral {neutral:.4g} ({session.loss_name})"
    options = session.options
    if not math.isfinite(loss):
        return Outcome("finding", summary, figures, [Diagnosis(
            f"the loss is {loss} before any step: see CNA508 for the op that made it",
            severity="error")])
    layers = session.parameter_layers(model)
    head = layers[-1] if layers else None
    if loss < 0:
        return Outcome("finding", summary, figures, [Diagnosis(
            f"the loss at initialization is negative ({loss:.4g}): {session.loss_name} on "
            "outputs it was not written for; NLL takes log-probabilities (end the model in "
            "F.log_softmax) — or use cross-entropy on raw scores", severity="error",
            fix="nn.CrossEntropyLoss() on the raw scores", layer=head)])
    ratio = loss / neutral
    if options.init_loss_low <= ratio <= options.init_loss_high:
        return Outcome("pass", summary, figures)
    if ratio > options.init_loss_high:
        why = ("the model is confidently wrong before learning anything: a head scaled too "
               "large, inputs off scale (see CNA509), or an output activation that does not "
               "fit the loss; initialize the last layer smaller or normalize the inputs")
    else:
        why = ("the model is far more certain than chance before learning anything: the loss "
               "and the labels may not match (a loss over the wrong axis, labels the output "
               "already contains)")
    return Outcome("finding", summary, figures, [Diagnosis(
        f"the loss at initialization is {loss:.4g}, {ratio:.3g}× the {neutral:.4g} of a "
        f"neutral start (ln {session.classes if session.loss_name != 'bce' else 2}): {why}",
        layer=head if ratio > options.init_loss_high else None)])
