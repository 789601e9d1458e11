"""Models that are wrong in the ways the summary must explain, not crash on."""

import torch
import torch.nn.functional as F
from torch import nn


class FlattenMismatch(nn.Module):
    """The cheatsheet's net with a 5×5 second conv: at 28×28 the map before
    fc1 is 20×11×11 = 2420 features ((28 - 2 - 4) / 2 = 11), not 2880."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 3)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(20 * 12 * 12, 10)  # line 17

    def forward(self, x):
        x = self.pool(F.relu(self.conv2(F.relu(self.conv1(x)))))
        x = x.flatten(1)  # line 21
        return self.fc1(x)


class ChannelMismatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 3)
        self.bn1 = nn.BatchNorm2d(16)  # line 29

    def forward(self, x):
        return self.bn1(self.conv1(x))


class NeedsValues(nn.Module):
    """Control flow on data: meta tensors have no values."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 26 * 26, 10)

    def forward(self, x):
        x = self.conv(x)
        if x.abs().sum().item() > 0:  # line 45
            x = F.relu(x)
        return self.fc(x.flatten(1))


class NeedsValuesToBuild(nn.Module):
    """A constructor that reads a parameter's value."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.scale = float(self.conv.weight.abs().max())  # line 56

    def forward(self, x):
        return self.conv(x) * self.scale


class Shared(nn.Module):
    """One Linear used twice: its parameters count once."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)

    def forward(self, x):
        return self.fc(torch.relu(self.fc(x)))


class NeedsArgs(nn.Module):
    def __init__(self, num_classes, width=8):
        super().__init__()
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.fc(x)


def make_net(width: int = 4):
    """A factory, as torchvision's resnet18 is."""
    return nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(width * 30 * 30, 10))


def not_a_model():
    return 42


class NotAModule:
    pass


Constant = 3
