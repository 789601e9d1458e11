"""The data as fed is not normalized: pixel values, or channels on scales far apart.

## What it does
Measures the mean and standard deviation of every input channel over the
training data exactly as it is fed to the model. A channel whose mean is far
from zero (|mean| > 3) or whose spread is far from one (std > 10 or below
0.01), or channels whose spreads differ more than 100-fold, is a finding,
with the `transforms.Normalize(mean, std)` values computed from the data.

## Why is this bad?
Raw 0–255 pixels make the first layer's outputs hundreds of times larger
than its initialization assumes: the loss at initialization is far too high,
the gradients of the first layer dominate, and a learning rate that suits the
rest of the network makes it diverge. A channel 100× another is all the
network sees at the start.

## Example
```python
transform = transforms.Compose([transforms.PILToTensor()])  # uint8 0–255, as float
```

## Use instead
```python
transform = transforms.Compose([transforms.ToTensor(),  # 0–1
                                transforms.Normalize((0.1307,), (0.3081,))])
```
"""

from . import Diagnosis, Outcome, check


def channel_statistics(torch, x) -> tuple[list[float], list[float]]:
    """Per channel (dim 1) mean and std over samples and positions."""
    flat = x.transpose(0, 1).reshape(x.shape[1], -1).double() if x.dim() > 1 else \
        x.reshape(1, -1).double()
    return flat.mean(1).tolist(), flat.std(1).tolist()


@check("CNA509", "input-scale", "warning")
def run(session):
    options = session.options
    means, stds = channel_statistics(session.torch, session.data.train_x)
    worst_mean = max(abs(m) for m in means)
    spread = max(stds) / min(stds) if min(stds) > 0 else float("inf")
    figures = {"mean": means, "std": stds, "channel_spread": spread}
    text = ", ".join(f"{m:.3g}" for m in means[:4]), ", ".join(f"{s:.3g}" for s in stds[:4])
    summary = f"channel mean {text[0]}; std {text[1]}"
    problems = []
    if worst_mean > options.input_mean_high:
        problems.append(f"a channel mean of {worst_mean:.3g} (above {options.input_mean_high:g})")
    if max(stds) > options.input_std_high:
        problems.append(f"a channel std of {max(stds):.3g} (above {options.input_std_high:g})")
    # Per channel of an image-like input; a flat feature vector's constant
    # features (MNIST's border pixels) are harmless, and not its channels.
    images = session.data.train_x.dim() >= 3
    if images and min(stds) < options.input_std_low:
        problems.append(f"a channel std of {min(stds):.3g} (below {options.input_std_low:g}: "
                        "a constant input)")
    if images and len(stds) > 1 and spread > options.channel_spread:
        problems.append(f"channels whose spreads differ {spread:.3g}-fold")
    if not problems:
        return Outcome("pass", summary, figures)
    mean_text = ", ".join(f"{m:.4g}" for m in means)
    std_text = ", ".join(f"{max(s, 1e-12):.4g}" for s in stds)
    fix = f"transforms.Normalize(mean=({mean_text},), std=({std_text},))"
    message = (f"the inputs are not normalized: {'; '.join(problems)}; normalize them "
               f"with the data's own statistics: {fix}")
    return Outcome("finding", summary, figures, [Diagnosis(message, fix=fix)])
