"""CNA104 spatial-collapse, fixed: padding keeps the maps large enough."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 12, 12)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)  # 12 → 12
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)  # 6 → 6
        self.conv3 = nn.Conv2d(16, 32, 3, padding=1)  # 3 → 3
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = F.relu(self.conv3(x))
        return self.fc(x.mean((2, 3)))
