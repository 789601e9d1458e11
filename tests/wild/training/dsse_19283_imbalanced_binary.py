"""An MLP on 88 % negatives "only learns the bias" and predicts negative for everything.

Source: https://datascience.stackexchange.com/questions/19283/why-mlp-only-learns-bias-for-unbalanced-binary-classification
(888,473 samples, 88.4 % of class 0; "converged after only 2 epochs and
basically only learned the bias term and ended up predicting everything to be
negative"; answers: weight the classes or resample). Reproduced with the
bundled digits: class 0 against 1, at the report's 88/12 ratio.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA510"}


def data():
    """Digits 0 (88 %) against 1 (12 %), normalized."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    zeros, ones = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    ones = ones[: len(zeros) * 12 // 88]
    keep = np.concatenate([zeros, ones])
    x = (images[keep, None].astype(np.float32) / 255 - 0.1307) / 0.3081
    return x, labels[keep]


class Net(nn.Module):  # expect: CNA510
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(784, 8), nn.ReLU(), nn.Linear(8, 8),
                                    nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, x):
        return self.layers(x)


def reproduce():
    x, y = data()
    counts = torch.bincount(torch.as_tensor(y))
    share = counts.max().item() / counts.sum().item()
    assert share > 0.85
    return f"majority class {share:.0%}: always predicting it scores {share:.0%}"
