"""CNA211 misaligned-paths: fixed: both branches padded alike."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 16, 16)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.branch_a = nn.Conv2d(16, 16, 3, padding=1)
        self.branch_b = nn.Conv2d(16, 16, 3)
        self.down = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.stem(x))
        a = self.branch_a(x)  # centred on each unit
        b = self.branch_b(F.pad(x, (1, 1, 1, 1)))  # centred like a
        x = F.relu(a + b)
        x = F.relu(self.down(x))
        return self.fc(x.mean((2, 3)))
