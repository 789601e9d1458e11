"""LeNet-5 as *Dive into Deep Learning* writes it (chapter "Convolutional
Neural Networks (LeNet)"): one `nn.Sequential` of 5×5 convolutions with
sigmoids and average pooling, then three Linears on the flattened 16×5×5 map;
61,706 parameters, for 1×28×28 Fashion-MNIST/MNIST images.

Source: https://d2l.ai/chapter_convolutional-neural-networks/lenet.html (the
`net = nn.Sequential(...)` of the PyTorch tab; repeated in many course
repositories, e.g. bluelullaby/deep-learning-rookie model/LeNet.py).
"""

import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
BUDGET = 10_000


class LeNet(nn.Sequential):
    def __init__(self):
        super().__init__(
            nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
            nn.Linear(120, 84), nn.Sigmoid(),
            nn.Linear(84, 10))
