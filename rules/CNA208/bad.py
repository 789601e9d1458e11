"""CNA208 border-truncation: the second pooling halves an 11×11 map."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3)  # 28 → 26
        self.pool1 = nn.MaxPool2d(2, 2)  # 26 → 13
        self.conv2 = nn.Conv2d(16, 32, 3)  # 13 → 11
        self.pool2 = nn.MaxPool2d(2, 2)  # expect: CNA208
        self.fc = nn.Linear(32 * 5 * 5, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.conv1(x)))
        x = self.pool2(F.relu(self.conv2(x)))
        return self.fc(x.flatten(1))
