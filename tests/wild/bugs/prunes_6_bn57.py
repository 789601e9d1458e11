"""A pruned conv (57 channels) followed by its unpruned BatchNorm (64).

Source: https://github.com/BayesWatch/pytorch-prunes/issues/6 ("running_mean
should contain 57 elements not 64" after pruning a ResNet BasicBlock's conv).
"""
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA103"}
CRASH = "running_mean should contain 57 elements not 64"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 57, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, momentum=0.1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc(self.bn1(self.conv1(x)).relu().mean((2, 3)))
