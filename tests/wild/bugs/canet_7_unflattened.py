"""A Linear applied to a [N, 512, 1, 1] map that nobody flattened.

Source: https://github.com/wqshmzh/CANet-CZSL/issues/7 ("mat1 and mat2 shapes
cannot be multiplied (1048576x1 and 512x512)": ResNet-18 features of shape
(N, 512, 1, 1) fed to image_embedder_attr = Linear(512, 512); the fix in the
thread: squeeze to (batch, 512)).
"""
import torch.nn as nn

INPUT_SIZE = (512, 1, 1)
EXPECT = {"CNA101"}
CRASH = "mat1 and mat2 shapes cannot be multiplied"


class Net(nn.Module):
    def __init__(self, emb_dim=512):
        super().__init__()
        self.image_embedder_attr = nn.Linear(512, emb_dim)
        self.classifier = nn.Linear(emb_dim, 10)

    def forward(self, x):
        return self.classifier(self.image_embedder_attr(x).relu())
