"""An output projection and a LayerNorm built inside forward.

Source: https://github.com/graykode/nlp-tutorial/issues/29 ("If create the
Linear() casually, it won't be trained during training": MultiHeadAttention
returns nn.LayerNorm(d_model)(nn.Linear(n_heads * d_v, d_model)(context) +
residual)).
"""
import torch
import torch.nn as nn

INPUT_SIZE = (5, 512)
EXPECT = {"CNA209"}
CRASH = None
d_model, d_k, d_v, n_heads = 512, 64, 64, 8


def reproduce(model, torch):
    names = [name for name, _ in model.named_parameters()]
    assert all(name.startswith(("W_Q", "W_K", "W_V")) for name in names), names


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.W_Q = nn.Linear(d_model, d_k * n_heads)
        self.W_K = nn.Linear(d_model, d_k * n_heads)
        self.W_V = nn.Linear(d_model, d_v * n_heads)

    def forward(self, x):
        batch = x.size(0)
        q = self.W_Q(x).view(batch, -1, n_heads, d_k).transpose(1, 2)
        k = self.W_K(x).view(batch, -1, n_heads, d_k).transpose(1, 2)
        v = self.W_V(x).view(batch, -1, n_heads, d_v).transpose(1, 2)
        attn = torch.softmax(q @ k.transpose(-1, -2) / d_k ** 0.5, dim=-1)
        context = (attn @ v).transpose(1, 2).contiguous().view(batch, -1, n_heads * d_v)
        output = nn.Linear(n_heads * d_v, d_model)(context)
        return nn.LayerNorm(d_model)(output + x)
