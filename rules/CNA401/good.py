"""CNA401 max-params, fixed: global average pooling brings the model under 20,000."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
# A minimal model for this rule: that its receptive field is small (CNA210) is
# not the point here.
LINT_OPTIONS = {"max_params": 20_000, "ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32, 1)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(x.mean((2, 3)))
