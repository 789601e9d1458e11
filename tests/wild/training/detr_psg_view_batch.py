"""DETR's mask head (copied by OpenPSG): view (queries, batch, ...) as (batch, queries, ...).

Source: https://github.com/Jingkang50/OpenPSG/issues/56 ("it is confused to use
function 'view' to change shape (100, 3, ...) to (3, 100, ...) ... I don't think
the 'view' function can achieve this goal. Why isn't it suitable for permute or
transpose?"; answer: copied from DETR's models/segmentation.py, trained at batch 1
only, "permute/transpose function is more appropriate"). Reproduced: per-query
features for a batch, regrouped by view instead of transpose.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA506"}


class Net(nn.Module):
    def __init__(self, queries=7, dim=16, classes=10):
        super().__init__()
        self.queries = queries
        self.backbone = nn.Conv2d(1, dim, 4, stride=4)  # [N, dim, 7, 7]
        self.head = nn.Linear(queries * dim * 7, classes)

    def forward(self, x):
        n = x.shape[0]
        features = self.backbone(x).permute(2, 0, 1, 3)  # [queries=7, N, dim, 7]
        per_sample = features.reshape(n, self.queries, -1)  # expect: CNA506
        return self.head(per_sample.flatten(1))


def reproduce():
    torch.manual_seed(0)
    net = Net().eval()
    x = torch.randn(3, 1, 28, 28)
    y = x.clone()
    y[1] += 1.0  # change sample 1 only
    changed = (net(x)[0] - net(y)[0]).abs().max()
    assert changed > 0
    return f"sample 0's output moves by {changed:.3g} when sample 1 changes"
