"""CNA102 batch-fold, fixed: flatten(1) keeps the batch; the pooling is back."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)  # 28 → 26
        self.conv2 = nn.Conv2d(8, 16, 3)  # 26 → 24
        self.pool = nn.MaxPool2d(2)  # 24 → 12
        self.fc1 = nn.Linear(2304, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv2(F.relu(self.conv1(x)))))  # 16×12×12 = 2304
        x = x.flatten(1)
        return self.fc1(x)
