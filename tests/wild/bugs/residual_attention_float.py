"""Channel counts computed with / (a float in Python 3).

Source: https://github.com/tengshaofeng/ResidualAttentionNetwork-pytorch/issues/3
and #40 (ResidualBlock: nn.Conv2d(input_channels, output_channels/4, 1, 1,
bias=False); the fix in the thread: //). Plain torch fails at construction
with torch.empty()'s "must be tuple of ints".
"""
import torch.nn as nn

INPUT_SIZE = (64, 32, 32)
EXPECT_LOAD_ERROR = "out_channels is 64.0, a float"  # nothing to lint: it cannot be built
CRASH = "tuple of ints"


class ResidualBlock(nn.Module):
    def __init__(self, input_channels=64, output_channels=256):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(input_channels)
        self.conv1 = nn.Conv2d(input_channels, output_channels / 4, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(output_channels / 4)
        self.conv2 = nn.Conv2d(output_channels / 4, output_channels, 1, 1, bias=False)

    def forward(self, x):
        out = self.conv1(self.bn1(x).relu())
        return self.conv2(self.bn2(out).relu())


Net = ResidualBlock
