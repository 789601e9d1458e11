"""Heads written for one input size, and their fixes as cnnaudit states them
(tests/test_lint_fixes.py applies each fix and traces the result)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class PooledNoFlatten(nn.Module):
    """pytorch/examples' old MNIST net with the flatten forgotten: the map
    reaches fc1 through a pool and a ReLU."""

    def __init__(self, flatten=False):
        super().__init__()
        self.flatten = flatten
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)  # the pool is the last op before fc1
        if self.flatten:
            x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


class ConvNoFlatten(nn.Module):
    """No pooling before the Linear: a conv map straight into it."""

    def __init__(self, flatten=False):
        super().__init__()
        self.flatten = flatten
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        x = self.conv(x).relu()
        if self.flatten:
            x = torch.flatten(x, 1)
        return self.fc(x)


class LeNetView(nn.Module):
    """The CIFAR-10 tutorial's view(-1, 16 * 5 * 5), fed other sizes; with
    ``pool`` the fix cnnaudit proposes: an adaptive pool to 5×5 first."""

    def __init__(self, pool=None):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.head_pool = nn.AdaptiveAvgPool2d(pool) if pool else nn.Identity()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.head_pool(x)
        x = x.view(-1, 16 * 5 * 5)
        return self.fc2(F.relu(self.fc1(x)))


class FixedGlobalPool(nn.Module):
    """A ResNet-style head: nn.AvgPool2d(7) written for 224×224 inputs."""

    def __init__(self, adaptive=False):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3, stride=32, padding=1)
        self.avgpool = nn.AdaptiveAvgPool2d(1) if adaptive else nn.AvgPool2d(7)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.avgpool(self.conv(x)).flatten(1))


class ReluDropoutBN(nn.Module):
    """ReLU → Dropout → BatchNorm, the order one project shipped and fixed."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(0.2)
        self.bn = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.bn(self.drop(self.act(self.conv(x)))).mean((2, 3)))


class ResidualProj(nn.Module):
    """proj → + (the other operand went through a ReLU) → norm → conv."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.mlp = nn.Conv2d(16, 16, 3, padding=1)
        self.proj = nn.Conv2d(16, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16)
        self.head = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.stem(x).relu()
        x = x + self.proj(self.mlp(x).relu())
        x = self.head(self.norm(x))
        return self.fc(x.relu().mean((2, 3)))


class PlainStack(nn.Module):
    """The true case: conv → BatchNorm → conv with nothing nonlinear around."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.norm = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.conv2(self.norm(self.conv1(x))).relu().mean((2, 3)))


class LinearStack(nn.Module):
    """The true case for Linears: Linear → BatchNorm1d → Linear, nothing else reads the map."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(48, 32)
        self.norm = nn.BatchNorm1d(32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(self.norm(self.proj(x.flatten(1))))


class LinearSkip(nn.Module):
    """LeViT's downsampling shape: the projection (Linear → BatchNorm1d) feeds
    an MLP's first Linear and the residual add around the MLP: the first map's
    output is needed as it is, so the two Linears cannot merge."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(48, 32)
        self.norm = nn.BatchNorm1d(32)
        self.ln1 = nn.Linear(32, 64)
        self.ln2 = nn.Linear(64, 32)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.norm(self.proj(x.flatten(1)))
        x = x + self.ln2(self.ln1(x).relu())
        return self.fc(x.relu())


class SqueezeExcite(nn.Module):
    """A net whose only odd channel counts are in an SE bottleneck (1×1 map)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(64)
        self.se_reduce = nn.Conv2d(64, 6, 1)
        self.se_expand = nn.Conv2d(6, 64, 1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.bn(self.conv(x)).relu()
        scale = self.se_expand(self.se_reduce(x.mean((2, 3), keepdim=True)).relu()).sigmoid()
        return self.fc((x * scale).mean((2, 3)))
