"""CNA505 dead-units: SGD at lr 2 pushes the ReLUs below zero for every input."""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
DOCTOR_OPTIONS = {"optimizer": "sgd", "lr": 2.0}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3, stride=2, padding=1)
        self.relu = nn.ReLU()  # expect: CNA505
        self.fc = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x):
        return self.fc(self.relu(self.conv(x)).flatten(1))
