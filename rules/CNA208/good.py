"""CNA208 border-truncation, fixed: ceil_mode=True reads the last row and column too."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)  # 28 → 26
        self.pool1 = nn.MaxPool2d(2, 2)  # 26 → 13
        self.conv2 = nn.Conv2d(16, 32, 3)  # 13 → 11
        self.pool2 = nn.MaxPool2d(2, 2, ceil_mode=True)  # 11 → 6
        self.fc = nn.Linear(32 * 6 * 6, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        return self.fc(x.flatten(1))
