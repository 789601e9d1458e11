"""CNA101 flatten-mismatch, fixed: in_features is the map's 24×11×11."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)  # 28 → 26
        self.conv2 = nn.Conv2d(16, 24, 5)  # 26 → 22
        self.pool = nn.MaxPool2d(2)  # 22 → 11
        self.fc1 = nn.Linear(24 * 11 * 11, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return self.fc1(x.flatten(1))
