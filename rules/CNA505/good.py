"""CNA505 dead-units, fixed: SGD with momentum at lr 0.01."""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"optimizer": "momentum", "lr": 0.01}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3, stride=2, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).flatten(1))
