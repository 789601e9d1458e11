"""PointNet's loss: nll_loss on a head that is not log_softmax, a negative label loss.

Source: https://github.com/yanx27/Pointnet_Pointnet2_pytorch/issues/30
("nll_loss is used but the input labels_pred ... is not a log_softmax,
causing a negative label loss value"; fix: log_softmax before nll_loss, or
cross_entropy). Reproduced as a point-feature MLP with a max-pooled global
feature and a raw-score head.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 256)  # xyz × points
EXPECT = {"CNA501"}
DOCTOR_OPTIONS = {"loss": "nll", "data": "synthetic"}


class Net(nn.Module):
    def __init__(self, classes=8):
        super().__init__()
        self.conv1 = nn.Conv1d(3, 64, 1)
        self.conv2 = nn.Conv1d(64, 128, 1)
        self.fc = nn.Linear(128, classes)  # expect: CNA501

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        return self.fc(x.max(dim=2).values)  # raw scores into nll_loss


def reproduce():
    torch.manual_seed(0)
    net = Net()
    for p in net.parameters():  # scores of a trained model are large: mimic a few steps
        p.data.mul_(3)
    loss = F.nll_loss(net(torch.randn(16, 3, 256)), torch.randint(0, 8, (16,)))
    assert loss.item() < 0, loss
    return f"nll_loss on raw scores: {loss.item():.3f}"
