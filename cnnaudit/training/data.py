"""Data for the probe: the bundled MNIST digits, learnable synthetic patterns,
or the user's own (an image folder, an .npz, torchvision datasets on disk).

Everything is loaded into memory once and split into a training set and a
held-out set with a fixed seed, so every variant sees the same batches in the
same order. Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources

from ..errors import CnnauditError

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
HELD_OUT_SHARE = 0.1


@dataclass
class ProbeData:
    name: str
    description: str
    train_x: object  # float tensor [N, *input_shape]
    train_y: object  # long tensor [N]
    test_x: object
    test_y: object
    num_classes: int

    def to(self, device) -> ProbeData:
        return ProbeData(self.name, self.description, self.train_x.to(device),
                         self.train_y.to(device), self.test_x.to(device),
                         self.test_y.to(device), self.num_classes)


def _split(name, description, x, y, num_classes, seed) -> ProbeData:
    """Every source ends here: the checks that make data bad for any of them
    (too few samples, values that are not numbers), then the seeded split.
    ``num_classes`` None: one more than the largest label."""
    import torch

    if len(x) < 2:
        raise CnnauditError(f"--data {name}: {len(x)} sample{'' if len(x) == 1 else 's'}; the "
                            "probe needs some to train on and some to hold out")
    bad = int((~torch.isfinite(x.reshape(len(x), -1))).any(dim=1).sum())
    if bad:
        raise CnnauditError(f"--data {name}: {bad:,} of {len(x):,} samples hold NaN or infinite "
                            "values; nothing can train on them (drop or repair them first)")
    if num_classes is None:
        num_classes = int(y.max()) + 1
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    x, y = x[order], y[order]
    held_out = max(1, int(len(x) * HELD_OUT_SHARE))
    return ProbeData(name, description, x[held_out:], y[held_out:], x[:held_out], y[:held_out],
                     num_classes)


def _check_shape(name, x, input_shape):
    if tuple(x.shape[1:]) != tuple(input_shape):
        raise CnnauditError(
            f"--data {name}: samples are {'×'.join(map(str, x.shape[1:]))}, the model takes "
            f"{'×'.join(map(str, input_shape))}; pass matching --input-size or other data"
        )


def bundled_digits():
    """The 5,000 bundled MNIST digits as stored: (uint8 images [N, 28, 28],
    int labels [N])."""
    import numpy as np

    bundled = resources.files("cnnaudit.training.sample_data").joinpath("mnist_5k.npz")
    with bundled.open("rb") as handle:
        arrays = np.load(handle)
        return arrays["images"], arrays["labels"]


def mnist5k(input_shape, seed) -> ProbeData:
    import torch

    images, labels = bundled_digits()
    x = (torch.from_numpy(images).float().div(255) - MNIST_MEAN).div(MNIST_STD).unsqueeze(1)
    _check_shape("mnist5k", x, input_shape)
    return _split("mnist5k", "5,000 MNIST digits bundled with cnnaudit (4,500 train, 500 held out)",
                  x, torch.from_numpy(labels).long(), 10, seed)


def synthetic(input_shape, num_classes, seed, samples: int = 4096) -> ProbeData:
    """Class-conditional patterns a model can learn: each class has a smooth
    random template; a sample is its template at a random contrast plus noise."""
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(seed)
    coarse_shape = (num_classes, input_shape[0]) + tuple(max(1, d // 4) for d in input_shape[1:])
    templates = torch.randn(coarse_shape, generator=generator)
    if len(input_shape) == 3:
        templates = F.interpolate(templates, size=tuple(input_shape[1:]), mode="bilinear",
                                  align_corners=False)
    elif len(input_shape) == 2:
        templates = F.interpolate(templates, size=input_shape[1], mode="linear",
                                  align_corners=False)
    else:
        templates = templates.reshape(num_classes, *input_shape)
    labels = torch.randint(0, num_classes, (samples,), generator=generator)
    contrast = 0.5 + torch.rand((samples,) + (1,) * len(input_shape), generator=generator)
    noise = torch.randn((samples, *input_shape), generator=generator)
    x = templates[labels] * contrast + 0.7 * noise
    return _split("synthetic", f"{samples:,} synthetic class-conditional patterns, "
                  f"{num_classes} classes", x, labels, num_classes, seed)


def check_labels(name: str, y, samples: int):
    """Labels a classifier can train on: one per sample, integers from 0 (as
    cross-entropy needs), as a 1-D array. Returns them as a long tensor."""
    import numpy as np
    import torch

    y = np.asarray(y)
    if y.dtype == object or y.ndim != 1:
        raise CnnauditError(f"--data {name}: labels must be a 1-D array of class numbers, "
                            f"not {y.dtype} of shape {list(y.shape)}")
    if len(y) != samples:
        raise CnnauditError(f"--data {name}: {samples} samples but {len(y)} labels")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise CnnauditError(f"--data {name}: labels must be whole class numbers, "
                                "found fractions or NaN")
    elif y.dtype.kind not in "iub":
        raise CnnauditError(f"--data {name}: labels must be class numbers, not {y.dtype}")
    if len(y) and y.min() < 0:
        raise CnnauditError(f"--data {name}: labels must start at 0, found {int(y.min())}")
    return torch.from_numpy(y.astype(np.int64))


def from_npz(path, input_shape, seed) -> ProbeData:
    import numpy as np
    import torch

    if not os.path.isfile(path):
        raise CnnauditError(f"--data npz:{path}: no such file")
    import zipfile

    if not zipfile.is_zipfile(path):  # numpy would call any other file "pickled data"
        raise CnnauditError(f"--data npz:{path}: not an .npz archive (numpy.savez writes one)")
    try:
        arrays = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise CnnauditError(f"--data npz:{path}: not a readable .npz ({exc})") from None
    x_key = next((k for k in ("x", "images", "X", "data") if k in arrays), None)
    y_key = next((k for k in ("y", "labels", "Y", "targets") if k in arrays), None)
    if x_key is None or y_key is None:
        raise CnnauditError(f"--data npz:{path}: expected arrays named x (or images) and y "
                            f"(or labels), found {', '.join(arrays.files)}")
    try:
        raw_x, raw_y = arrays[x_key], arrays[y_key]
    except ValueError:  # object arrays need pickle, which a data file must not run
        raise CnnauditError(f"--data npz:{path}: object arrays are not data; save numbers") \
            from None
    if raw_x.dtype.kind not in "uif":
        raise CnnauditError(f"--data npz:{path}: samples must be numbers, not {raw_x.dtype}")
    if raw_x.ndim < 2:
        raise CnnauditError(f"--data npz:{path}: {x_key} has shape {list(raw_x.shape)}; "
                            "expected one sample per row: [N, C, H, W] (or [N, H, W])")
    x = torch.from_numpy(raw_x)
    x = x.float().div(255) if x.dtype == torch.uint8 else x.float()
    if x.dim() == len(input_shape):  # grayscale without a channel axis
        x = x.unsqueeze(1)
    _check_shape(f"npz:{path}", x, input_shape)
    y = check_labels(f"npz:{path}", raw_y, len(x))
    return _split(f"npz:{path}", f"{len(x):,} samples from {path}", x, y, None, seed)


def _torchvision_dataset(kind, root, input_shape, seed, limit=20000) -> ProbeData:
    import torch
    from torchvision import datasets, transforms

    steps = [transforms.Resize(tuple(input_shape[1:])), transforms.ToTensor()]
    if input_shape[0] == 1:  # a 1-channel model reads grayscale, whatever the files are
        steps.insert(0, transforms.Grayscale(1))
    to_tensor = transforms.Compose(steps)
    try:
        if kind == "imagefolder":
            dataset = datasets.ImageFolder(root, transform=to_tensor)
        elif kind == "mnist":
            dataset = datasets.MNIST(root, train=True, download=False, transform=to_tensor)
        else:
            dataset = datasets.CIFAR10(root, train=True, download=False, transform=to_tensor)
    except (RuntimeError, FileNotFoundError) as exc:
        raise CnnauditError(f"--data {kind}:{root}: {exc} (cnnaudit never downloads)") from None
    count = min(len(dataset), limit)
    samples = []
    for index in range(count):
        try:
            samples.append(dataset[index])
        except (OSError, ValueError) as exc:  # PIL: truncated or not an image
            where = dataset.samples[index][0] if hasattr(dataset, "samples") else index
            raise CnnauditError(f"--data {kind}:{root}: cannot read {where}: {exc}") from None
    if not samples:
        raise CnnauditError(f"--data {kind}:{root}: no samples")
    xs, ys = zip(*samples)
    x, y = torch.stack(xs), torch.tensor(ys)
    _check_shape(f"{kind}:{root}", x, input_shape)
    return _split(f"{kind}:{root}", f"{count:,} samples of {kind} at {root}", x, y, None, seed)


def load_data(spec: str | None, input_shape, num_classes: int, seed: int = 0) -> ProbeData:
    """``spec``: None (mnist5k for 1×28×28, else synthetic), ``mnist5k``,
    ``synthetic``, ``npz:PATH``, ``imagefolder:PATH``, ``mnist:ROOT``, ``cifar10:ROOT``."""
    input_shape = tuple(input_shape)
    if spec is None:
        spec = "mnist5k" if input_shape == (1, 28, 28) and num_classes == 10 else "synthetic"
    kind, _, argument = spec.partition(":")
    if kind in ("mnist5k", "synthetic") and argument:
        raise CnnauditError(f"--data {spec}: {kind} takes no path")
    if kind == "mnist5k":
        return mnist5k(input_shape, seed)
    if kind == "synthetic":
        return synthetic(input_shape, num_classes, seed)
    if kind == "npz" and argument:
        return from_npz(argument, input_shape, seed)
    if kind in ("imagefolder", "mnist", "cifar10") and argument:
        return _torchvision_dataset(kind, argument, input_shape, seed)
    raise CnnauditError(f"unknown --data {spec!r}: use mnist5k, synthetic, npz:PATH, "
                        "imagefolder:PATH, mnist:ROOT or cifar10:ROOT")
