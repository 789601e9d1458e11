"""The convolutional network of yunjey/pytorch-tutorial (MNIST, two
`nn.Sequential` blocks of 5×5 Conv → BatchNorm → ReLU → MaxPool, then a
Linear on the flattened 32×7×7 map): 29,034 parameters.

Source: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/
02-intermediate/convolutional_neural_network/main.py (the `ConvNet` class;
copied widely, e.g. into distributed-training examples).
"""

import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
BUDGET = 10_000


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc = nn.Linear(7 * 7 * 32, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        return self.fc(out)
