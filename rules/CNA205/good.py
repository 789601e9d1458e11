"""CNA205 unused-module, fixed: the dead head is gone; a training-only auxiliary head is fine."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)
        self.aux = nn.Linear(16, 10)  # used in training mode only, as GoogLeNet's heads

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x))).mean((2, 3))
        if self.training:
            return self.fc(x), self.aux(x)
        return self.fc(x)
