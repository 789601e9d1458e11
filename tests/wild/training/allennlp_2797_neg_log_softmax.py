"""A modified DecomposableAttention: -torch.log(softmax(...)) as the loss gives 'nan loss'.

Source: https://github.com/allenai/allennlp/issues/2797 ("Softmax giving
absolute 0 resulting in 'nan' loss value": logits around -140 to -250, softmax
underflows to 0, -torch.log(label_probs) is inf; answer: use log_softmax /
masked_log_softmax). Reproduced with the label computation in forward.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (1, 28, 28)
EXPECT = {"CNA508"}
DOCTOR_OPTIONS = {"loss": "nll"}


def data():
    """Inputs at the raw pixel scale: logits in the hundreds, as in the report."""
    import numpy as np

    from cnnaudit.training.data import bundled_digits

    images, labels = bundled_digits()
    return images[:, None].astype(np.float32), labels


class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.project = nn.Linear(28 * 28, 64)
        self.compare = nn.Linear(64, classes)

    def forward(self, x):
        label_logits = self.compare(torch.relu(self.project(x.flatten(1))))
        label_probs = F.softmax(label_logits, dim=-1)
        return torch.log(label_probs)  # expect: CNA508


def reproduce():
    torch.manual_seed(0)
    out = Net()(torch.rand(8, 1, 28, 28) * 255)
    assert torch.isinf(out).any()
    return "softmax underflows to 0, its log is -inf"
