"""A 3-channel first conv fed single-channel images.

Source: https://errorcanon.top/errors/pytorch/conv2d-channels-mismatch/index.md
Reporter's sizes: nn.Conv2d(3, 16, 3) and an input of [1, 1, 32, 32]. Plain
torch: "expected input[...] to have 3 channels, but got 1 channels instead".
"""
import torch.nn as nn

INPUT_SIZE = (1, 32, 32)
EXPECT = {"CNA103"}
CRASH = "to have 3 channels, but got 1 channels instead"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.conv(x).relu().mean((2, 3)))
