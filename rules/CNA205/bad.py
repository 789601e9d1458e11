"""CNA205 unused-module: a second head that forward never calls."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)
        self.fc_old = nn.Linear(16 * 26 * 26, 10)  # expect: CNA205

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(x.mean((2, 3)))
