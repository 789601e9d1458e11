"""A single-channel first conv fed RGB images.

Source: https://duoke360.com/post/34762 (weight of size [16, 1, 5, 5], input
[100, 3, 256, 256]). Plain torch: "expected input[...] to have 1 channels,
but got 3 channels instead".
"""
import torch.nn as nn

INPUT_SIZE = (3, 256, 256)
EXPECT = {"CNA103"}
CRASH = "to have 1 channels, but got 3 channels instead"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc(self.pool(self.conv1(x).relu()).flatten(1))
