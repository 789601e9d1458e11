"""CNA306 wasted-depth: twenty 3×3 convolutions at full resolution on a 16×16 input."""
import torch.nn as nn

INPUT_SIZE = (8, 16, 16)


def block():
    return [nn.Conv2d(8, 8, 3, padding=1), nn.ReLU()]  # expect: CNA306 (the 16th and later)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for _ in range(20):
            layers += block()
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x):
        return self.head(self.body(x))
