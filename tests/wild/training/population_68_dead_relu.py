"""A scale network whose initial solution predicts only zeros through its ReLU: no gradient.

Source: https://github.com/jvargasmu/population_estimation/issues/68
("Sometimes the initial solution predicts only zeros (due to RELU activation).
And hence, no gradients emerge. We should maybe change this to a
softRelu/Softplus"). Reproduced: a 1×1 convolution head with a ReLU whose
pre-activations start below zero (the bias of a log-scale target's offset).
"""
import torch
import torch.nn as nn

INPUT_SIZE = (4, 16, 16)
EXPECT = {"CNA505"}
DOCTOR_OPTIONS = {"data": "synthetic"}


class Net(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.features = nn.Conv2d(4, 32, 3, padding=1)
        self.scale = nn.Conv2d(32, 16, 1)
        self.relu = nn.ReLU()  # expect: CNA505
        nn.init.constant_(self.scale.bias, -3.0)  # the initial offset of the scale map
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        scale = self.relu(self.scale(torch.tanh(self.features(x))))
        return self.fc(scale.mean((2, 3)))


def reproduce():
    torch.manual_seed(0)
    net = Net()
    out = net.relu(net.scale(torch.tanh(net.features(torch.randn(64, 4, 16, 16)))))
    assert (out == 0).float().mean() > 0.9
    return f"{(out == 0).float().mean():.0%} of the scale map is zero at initialization"
