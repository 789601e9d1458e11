"""MAN-SF's classifier: F.softmax into F.nll_loss.

Source: https://github.com/midas-research/man-sf-emnlp/issues/2 ("Why is this
F.softmax? should the right thing be F.log_softmax?", pointing at nll_loss
in train.py). Reproduced as the model's last layers.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (32,)
EXPECT = {"CNA501"}
DOCTOR_OPTIONS = {"loss": "nll", "data": "synthetic"}


class Net(nn.Module):
    def __init__(self, features=32, classes=2):
        super().__init__()
        self.attention = nn.Linear(features, features)
        self.out = nn.Linear(features, classes)  # expect: CNA501

    def forward(self, x):
        x = torch.tanh(self.attention(x)) * x
        return F.softmax(self.out(x), dim=1)


def reproduce():
    torch.manual_seed(0)
    loss = F.nll_loss(Net()(torch.randn(16, 32)), torch.randint(0, 2, (16,)))
    assert loss.item() < 0
    return f"nll_loss on probabilities: {loss.item():.3f}"
