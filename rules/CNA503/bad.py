"""CNA503 no-gradient: the features are detached, so they never learn."""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 3, stride=2, padding=1)  # expect: CNA503
        self.fc = nn.Linear(16 * 14 * 14, 10)

    def forward(self, x):
        x = F.relu(self.conv(x)).detach()  # meant for logging, cuts the graph
        return self.fc(x.flatten(1))
