"""CNA401 max-params: 23,281 parameters against a budget of 20,000."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
LINT_OPTIONS = {"max_params": 20_000}


class Net(nn.Module):  # expect: CNA401
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.fc = nn.Linear(32 * 24 * 24, 1)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(x.flatten(1))
