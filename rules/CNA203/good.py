"""CNA203 dropout-before-bn, fixed: dropout after the last BatchNorm."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)

# A minimal model for this rule: that its receptive field is small (CNA210)
# is not the point here.
LINT_OPTIONS = {"ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.fc(self.drop(x.mean((2, 3))))
