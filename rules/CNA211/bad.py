"""CNA211 misaligned-paths: one branch padded on one side only, then added to the other."""
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
        b = self.branch_b(F.pad(x, (2, 0, 2, 0)))  # centred one unit up and left
        x = F.relu(a + b)  # expect: CNA211
        x = F.relu(self.down(x))
        return self.fc(x.mean((2, 3)))
