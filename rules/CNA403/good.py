"""CNA403 max-memory, fixed: downsample first, so the maps saved for backward are 16× smaller."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 64, 64)
# A minimal model for this rule: that its receptive field is small (CNA210) is
# not the point here.
LINT_OPTIONS = {"max_memory": 64 * 2**20, "memory_batch_size": 128, "ignore": ["CNA210"]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, stride=4, padding=1, bias=False)  # 64 → 16
        self.bn1 = nn.BatchNorm2d(64)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(x.mean((2, 3)))
