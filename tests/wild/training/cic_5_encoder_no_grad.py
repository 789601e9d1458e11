"""CIC's CNN encoder runs inside torch.no_grad(): its weights are never updated.

Source: https://github.com/rll-research/cic/issues/5 ("the observations are
encoded inside torch.no_grad which means that there is no gradient
calculation for the CNN, which means that the CNN weights will not be
updated", agent/cic.py line 216). Reproduced as an encoder + head whose
forward encodes under no_grad.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA503"}
DOCTOR_OPTIONS = {"data": "synthetic"}


class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2),  # expect: CNA503
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=1),  # expect: CNA503
            nn.ReLU(),
            nn.Flatten(),
        )
        self.head = nn.Linear(32 * 13 * 13, classes)

    def forward(self, obs):
        with torch.no_grad():
            h = self.encoder(obs)
        return self.head(h)


def reproduce():
    net = Net()
    nn.functional.cross_entropy(net(torch.randn(4, 3, 32, 32)), torch.tensor([0, 1, 2, 3])) \
        .backward()
    assert net.encoder[0].weight.grad is None and net.head.weight.grad is not None
    return "encoder grads None, head grads set"
