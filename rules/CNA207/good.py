"""CNA207 dropout-always-on, fixed: training=self.training."""
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

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x))).mean((2, 3))
        x = F.dropout(x, p=0.5, training=self.training)
        return self.fc(x)
