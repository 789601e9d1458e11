"""Models `cnnaudit shrink` must refuse, each for one construct it cannot
rebuild faithfully (the marked line is where the message points)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoBranches(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Conv2d(1, 4, 3, padding=1)
        self.right = nn.Conv2d(1, 4, 5, padding=2)
        self.fc = nn.Linear(8 * 28 * 28, 10)

    def forward(self, x):
        x = torch.cat([self.left(x), self.right(x)], 1)  # shrink: concatenation
        return self.fc(x.flatten(1))


class ReadTwice(nn.Module):
    """conv's output goes to a ReLU and, skipping it, to the head."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)  # shrink: branch
        self.fc = nn.Linear(4 * 28 * 28, 10)

    def forward(self, x):
        y = self.conv(x)
        self.last_activation = F.relu(y)
        return self.fc(y.flatten(1))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = x + self.conv2(x)  # shrink: residual
        return self.fc(x.mean((2, 3)))


class Segmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 3, 1)  # shrink: per-pixel output

    def forward(self, x):
        return self.conv2(F.relu(self.conv1(x)))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 26 * 26 * 2, 10)

    def forward(self, a, b):
        return self.fc(torch.cat([self.conv(a), self.conv(b)], 1).flatten(1))


class Perceptron(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))
