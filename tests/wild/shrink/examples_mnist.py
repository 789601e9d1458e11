"""The MNIST network of pytorch/examples (mnist/main.py): two 3×3
convolutions without pooling between them, one max-pool, and a 9,216 → 128 →
10 head with dropout; 1,199,882 parameters, almost all in fc1. The same model
as tests/wild/good/examples_mnist.py (which lint's precision test reads),
given a budget here.

Source: https://github.com/pytorch/examples/blob/main/mnist/main.py
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
BUDGET = 20_000


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)
