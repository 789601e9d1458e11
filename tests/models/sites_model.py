"""Construction sites inside nn.Sequential(...) calls and helper functions."""

from torch import nn


def conv_bn(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),  # line 8
        nn.BatchNorm2d(c_out),  # line 9
    )


class Net(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1),  # line 17
            nn.ReLU(),
            conv_bn(width, 2 * width),  # line 19
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(2 * width, 10)  # line 22

    def forward(self, x):
        x = self.features(x)
        x = self.pool(x).flatten(1)  # line 26
        return self.head(x)
