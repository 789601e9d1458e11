"""A hard-coded view(x.size(0), 5*5*16) after layers that make another map.

Source: https://www.bytezonex.com/archives/QBoC8wIS.html (a CIFAR-style
ConvNet fed 256×256 images: conv1 3→16 k3, conv2 16→24 k4, max-pool 2 after
each, Dropout2d, fc1 = nn.Linear(16 * 5 * 5, 120)). Plain torch: "shape '[2,
400]' is invalid for input of size ...".
"""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 256, 256)
EXPECT = {"CNA101"}
CRASH = "is invalid for input of size"


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=16, kernel_size=3)
        self.conv2 = nn.Conv2d(in_channels=16, out_channels=24, kernel_size=4)
        self.dropout = nn.Dropout2d(p=0.3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, num_classes)

    def forward(self, x):
        x = self.dropout(F.max_pool2d(F.relu(self.conv1(x)), 2))
        x = self.dropout(F.max_pool2d(F.relu(self.conv2(x)), 2))
        x = x.view(x.size(0), 5 * 5 * 16)
        return self.fc2(F.relu(self.fc1(x)))
