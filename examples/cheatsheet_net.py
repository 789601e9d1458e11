"""The network of ../shared/seed/cnn-optimization-cheatsheet.md, exactly as written there.

Its layers are the cheatsheet's examples (conv1, bn1, pool, dropout, fc1), its
forward the cheatsheet's "Complete Forward Pass" with channels × height × width
= 20 × 12 × 12 for 1×28×28 MNIST digits. It is the demo's subject: the summary
shows where its 30,790 parameters sit (28,810 of them in fc1), and the lint shows what
the cheatsheet's own "parameter reduction techniques" would save.
"""

import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=3)  # 28×28 → 26×26
        self.bn1 = nn.BatchNorm2d(10)  # For 10 output channels
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3)  # 26×26 → 24×24
        self.bn2 = nn.BatchNorm2d(20)
        self.pool = nn.MaxPool2d(2, 2)  # 24×24 → 12×12
        self.dropout = nn.Dropout2d(p=0.25)  # Spatial dropout (drops entire channels)
        self.fc1 = nn.Linear(20 * 12 * 12, 10)  # 2880 → 10 classes

    def forward(self, x):
        # Convolutional blocks
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = self.dropout(x)

        # Flatten for fully connected layer
        x = x.view(-1, 20 * 12 * 12)  # or x.flatten(1)

        # Classification layer
        x = self.fc1(x)
        return F.log_softmax(x, dim=-1)
