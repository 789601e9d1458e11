"""Functional dropout forced on: model.eval() cannot switch it off.

Source: https://coderapp.vercel.app/answer/53452827 ("Pytorch: nn.Dropout vs.
F.dropout", a copy of Stack Overflow answer 53452827: Model1 returns
nn.functional.dropout(inputs, p=self.p, training=True); in eval mode it still
drops half the values).
"""
import torch.nn as nn

INPUT_SIZE = (10,)
EXPECT = {"CNA207"}
CRASH = None


def reproduce(model, torch):
    model.eval()
    x = torch.rand(2, *INPUT_SIZE)
    assert not torch.equal(model(x), x)  # still dropping in evaluation


class Net(nn.Module):
    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, inputs):
        return nn.functional.dropout(inputs, p=self.p, training=True)
