"""CNA303 bottleneck, fixed: 1×1 down to 64 channels, the 3×3 there, 1×1 back up."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 32, 32)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 256, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(256)
        self.reduce = nn.Conv2d(256, 64, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.conv = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(64)
        self.expand = nn.Conv2d(64, 256, 1, bias=False)
        self.bn4 = nn.BatchNorm2d(256)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.stem(x)))
        x = F.relu(self.bn2(self.reduce(x)))
        x = F.relu(self.bn3(self.conv(x)))
        x = F.relu(self.bn4(self.expand(x)))
        return self.fc(x.mean((2, 3)))
