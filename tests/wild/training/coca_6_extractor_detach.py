"""CoCa's image features come from vit-pytorch's Extractor, which detaches them.

Source: https://github.com/lucidrains/CoCa-pytorch/issues/6 ("The cloned
tensor in Extractor will be detached ... So gradient may not propagate back to
image encoder"; confirmed and fixed in vit-pytorch 0.35.8). Reproduced as a
small encoder whose embeddings are cloned and detached before the head.
"""
import torch
import torch.nn as nn

INPUT_SIZE = (3, 32, 32)
EXPECT = {"CNA503"}
DOCTOR_OPTIONS = {"data": "synthetic"}


class Net(nn.Module):
    def __init__(self, dim=64, classes=10):
        super().__init__()
        self.patches = nn.Conv2d(3, dim, 8, stride=8)  # expect: CNA503
        self.norm = nn.LayerNorm(dim)  # expect: CNA503
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        tokens = self.norm(self.patches(x).flatten(2).transpose(1, 2))
        embeddings = tokens.clone().detach()  # the Extractor's return
        return self.head(embeddings.mean(1))


def reproduce():
    net = Net()
    net(torch.randn(2, 3, 32, 32)).sum().backward()
    assert net.patches.weight.grad is None
    return "the image encoder gets no gradient"
