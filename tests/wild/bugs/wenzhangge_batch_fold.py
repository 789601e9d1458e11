"""view(-1, 16*64*64) on a 16×32×32 map folds four samples into one row.

Source: http://www.wenzhangge.com/post/28944.html (ConvNet, num_classes=4, 256×256
inputs, three conv(3, padding 1) + max-pool(2) stages ending at 16 channels,
fc = nn.Linear(16 * 64 * 64, 4), X.view(-1, 16 * 64 * 64)); the training loop
fails with "Expected input batch_size (1) to match target batch_size (4)":
the model returns a quarter of the rows it was given. Plain torch check: the
output has fewer rows than the batch. At cnnaudit's trace batch of 2 the view
cannot even fold (2 × 16,384 is not a multiple of 65,536), so the finding is
CNA101's "view to 65,536 features fails" with the map's 16×32×32; at a batch
that is a multiple of 4 it is CNA102. Both name the line and the numbers.
"""
import torch.nn as nn
import torch.nn.functional as F

INPUT_SIZE = (3, 256, 256)
EXPECT = {"CNA101"}
CRASH = None
BATCH = 4


def reproduce(model, torch):
    out = model(torch.randn(BATCH, *INPUT_SIZE))
    assert out.shape[0] == BATCH // 4, out.shape  # four samples folded into one row


class Net(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(4, 8, kernel_size=3, stride=1, padding=1)
        self.conv3 = nn.Conv2d(8, 16, kernel_size=3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc = nn.Linear(16 * 64 * 64, num_classes)

    def forward(self, X):
        X = self.pool(F.relu(self.conv1(X)))
        X = self.pool(F.relu(self.conv2(X)))
        X = self.pool(F.relu(self.conv3(X)))
        X = X.view(-1, 16 * 64 * 64)
        return self.fc(X)
