"""Models of the shapes people really pass (issue 13): 1-D and 3-D
convolutions, modules returning lists and dicts, a factory choosing the
architecture by name, data-dependent selection, internal resizing, and long
runs of top-level functional ops (detection post-processing)."""

import torch
import torch.nn.functional as F
from torch import nn


class Audio(nn.Module):
    """A Conv1d net over raw samples: input 1,L."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 8, 5, stride=2)
        self.pool = nn.AvgPool1d(2)
        self.fc = nn.Linear(8 * 24, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))


class Video(nn.Module):
    """A Conv3d net (input C,D,H,W) whose classifier fixes the size: 3,6,6,6."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 4, 3)
        self.head = nn.Linear(4 * 4 * 4 * 4, 5)

    def forward(self, x):
        return self.head(self.conv(x).flatten(1))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 8, 3, stride=2, padding=1)

    def forward(self, x):
        f1 = self.a(x)
        return [f1, self.b(f1)]


class Twin(nn.Module):
    """An encoder returning two maps, a dict out of the model."""

    def __init__(self):
        super().__init__()
        self.enc = Encoder()
        self.fuse = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        feats = self.enc(x)
        return {"low": feats[0], "high": self.fuse(feats[1])}


class Proposals(nn.Module):
    """Keeps the positions its scores select: how many depends on the values."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.score = nn.Conv2d(4, 1, 1)
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        f = self.conv(x)
        keep = (self.score(f).flatten() > 0).nonzero().flatten()
        picked = f.permute(0, 2, 3, 1).reshape(-1, 4)[keep]
        return self.fc(picked)


class Resizing(nn.Module):
    """Resizes whatever it gets to 32×32 first, as detection transforms do."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, size=(32, 32)))


class PostProcessing(nn.Module):
    """A conv, then a long run of functional ops at the top level."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        for _ in range(20):
            y = torch.cat([y[:, :2] * 0.5, y[:, 2:] + 1], 1)
        return y


def tiny(width=4):
    return nn.Sequential(nn.Conv2d(3, width, 3), nn.ReLU())


def create(model_name="tiny", **kwargs):
    """A factory that picks the architecture by name, as timm's create_model."""
    return {"tiny": tiny, "wide": lambda: tiny(16)}[model_name](**kwargs)


class FoldsTheBatch(nn.Module):
    """A hard-coded ``view(-1, 10)`` (the batch-fold bug) and a tensor made
    from a parameter alone: only what grows with the batch is shown at it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 10, 3, padding=1)
        self.table = nn.Parameter(torch.zeros(6, 10))

    def forward(self, x):
        x = self.conv(x).view(-1, 10)  # 4 rows per sample at 2x2
        lookup = self.table * 2  # [6, 10] whatever the batch
        return x + lookup.sum(0)
