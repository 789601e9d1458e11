"""CNA301 oversized-fc, fixed: global average pooling, then a 24 → 10 Linear."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, bias=False)  # 28 → 26
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 24, 3, bias=False)  # 26 → 24
        self.bn2 = nn.BatchNorm2d(24)
        self.pool = nn.MaxPool2d(2, 2)  # 24 → 12
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(24, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        return self.fc1(self.gap(x).flatten(1))
