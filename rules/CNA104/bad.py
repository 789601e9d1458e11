"""CNA104 spatial-collapse: a 12×12 input is 1×1 by the time conv3 reads it."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 12, 12)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)  # 12 → 10
        self.conv2 = nn.Conv2d(8, 16, 3)  # 5 → 3
        self.conv3 = nn.Conv2d(16, 32, 3)  # expect: CNA104
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))  # 3 → 1
        x = F.relu(self.conv3(x))
        return self.fc(x.mean((2, 3)))
