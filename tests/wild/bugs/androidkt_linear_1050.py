"""Linear in_features worked out by hand and wrong.

Source: https://androidkt.com/fix-runtimeerror-mat1-and-mat2-shapes-cannot-be-multiplied/
Reporter's sizes: 1×28×28 digits, two conv(5, padding 2) + pool(2) stages to
32×7×7 = 1,568 features, and nn.Linear(1050, 10). Plain torch: "mat1 and mat2
shapes cannot be multiplied (2x1568 and 1050x10)".
"""
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA101"}
CRASH = "mat1 and mat2 shapes cannot be multiplied"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(1050, 10)

    def forward(self, x):
        x = self.conv2(self.conv1(x))
        x = x.view(x.size(0), -1)
        return self.out(x)
