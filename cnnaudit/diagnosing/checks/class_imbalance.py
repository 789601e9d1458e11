"""The classes are far from balanced in the training data.

## What it does
Counts the training labels per class. When the most frequent class has more
than 3 times the samples of the least frequent, or a class the model outputs
never appears, it is a finding with the weights to pass to the loss:
`n_samples / (n_classes × count)` per class (scikit-learn's "balanced"
weights), as the cheatsheet's `nn.CrossEntropyLoss(weight=class_weights)`.

## Why is this bad?
With 90 % of one class, predicting it for every input is 90 % accurate: the
loss falls, accuracy looks fine, and the minority classes are never learned.
The common symptom is "my model predicts the same class for everything".

## Example
```python
criterion = nn.CrossEntropyLoss()  # 4,500 cats, 150 dogs
```

## Use instead
```python
weights = torch.tensor([0.52, 15.5])  # n / (classes × count)
criterion = nn.CrossEntropyLoss(weight=weights)
```
"""

from . import Diagnosis, Outcome, check


@check("CNA510", "class-imbalance", "warning")
def run(session):
    torch = session.torch
    classes = max(session.classes, 2)
    counts = torch.bincount(session.data.train_y.cpu(), minlength=classes).tolist()
    total = sum(counts)
    present = [c for c in counts if c]
    ratio = max(present) / min(present)
    figures = {"counts": counts, "ratio": ratio}
    summary = f"{len(present)} of {classes} classes present, most/fewest {ratio:.3g}"
    missing = [i for i, c in enumerate(counts) if c == 0]
    if ratio <= session.options.imbalance_ratio and not missing:
        return Outcome("pass", summary, figures)
    weights = [round(total / (classes * c), 4) if c else 0.0 for c in counts]
    figures["weights"] = weights
    shown = ", ".join(f"{w:g}" for w in weights)
    parts = []
    if ratio > session.options.imbalance_ratio:
        most, fewest = counts.index(max(present)), counts.index(min(present))
        parts.append(f"class {most} has {max(present):,} samples, class {fewest} "
                     f"{min(present):,} ({ratio:.3g}×)")
    if missing:
        parts.append(f"{len(missing)} class{'es' if len(missing) > 1 else ''} the model outputs "
                     f"never appear{'s' if len(missing) == 1 else ''} "
                     f"({', '.join(map(str, missing[:8]))})")
    fix = f"nn.CrossEntropyLoss(weight=torch.tensor([{shown}]))"
    message = (f"the classes are imbalanced: {'; '.join(parts)}; a model can score well by "
               f"predicting the majority: weight the loss ({fix}) or resample the data")
    return Outcome("finding", summary, figures, [Diagnosis(message, fix=fix)])
