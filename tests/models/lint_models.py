"""Models for the lint command's tests."""

import torch.nn as nn
import torch.nn.functional as F


def conv_bn(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),  # bias into BatchNorm, inside a helper
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    )


class HelperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = conv_bn(3, 16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.block(x).mean((2, 3)))


class Suppressed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)  # cnnaudit: ignore[CNA202]
        self.bn = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 16, 3)  # cnnaudit: ignore[bias-before-bn]
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(F.relu(self.bn2(self.conv2(x))).mean((2, 3)))


class StaleSuppressions(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, bias=False)  # cnnaudit: ignore[CNA202]
        self.bn = nn.BatchNorm2d(16)  # cnnaudit: ignore
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))).mean((2, 3)))


class OnlySuggestions(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.fc(F.relu(self.bn2(self.conv2(x))).mean((2, 3)))
