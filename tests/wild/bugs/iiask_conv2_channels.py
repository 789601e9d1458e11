"""The second conv built for 64 channels after a conv that makes 32.

Source: https://www.iiask.com/34l58747.html (self.conv1 = nn.Conv2d(1, 32, 3);
self.conv2 = nn.Conv2d(64, 64, 3), MNIST-sized input). Plain torch: "expected
input[...] to have 64 channels, but got 32 channels instead".
"""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA103"}
CRASH = "to have 64 channels, but got 32 channels instead"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(64, 64, 3)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.conv2(self.conv1(x).relu()).relu()
        return self.fc(x.mean((2, 3)))
