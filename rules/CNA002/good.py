"""CNA002 unused-suppression, fixed: the stale comment is gone; a live one stays."""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)  # cnnaudit: ignore[bias-before-bn]
        self.bn = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 10)

    def forward(self, x):
        return self.head(self.bn(self.conv(x)).relu().mean((2, 3)))
