"""What torchinfo, fvcore and ptflops report for the same model, beside
cnnaudit and torchvision's published figure, and what each one counts.

    python benchmarks/peer_counts.py [--model resnet50] [--size 224]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet50")
    parser.add_argument("--size", type=int, default=224)
    args = parser.parse_args()

    import torch
    import torchvision.models as models

    import cnnaudit

    shape = (3, args.size, args.size)
    rows = []
    ours = cnnaudit.summary(f"torchvision.models:{args.model}", shape)
    published = next(iter(models.get_model_weights(args.model))).meta["_ops"]
    rows.append(("torchvision (published `_ops`)", published * 1e9, "conv + linear, aten level"))
    rows.append(("cnnaudit", ours.totals.macs, "conv + linear + matmul MACs, aten level"))

    model = getattr(models, args.model)().eval()
    x = torch.randn(1, *shape)

    import torchinfo

    info = torchinfo.summary(model, input_data=x, verbose=0)
    rows.append(("torchinfo 1.8 `total_mult_adds`", info.total_mult_adds,
                 "conv/linear weight × output positions, plus BatchNorm's own "
                 "parameters × batch (not × positions)"))

    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model, x)
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    by_op = analysis.by_operator()
    rows.append(("fvcore `FlopCountAnalysis.total()`", analysis.total(),
                 "one multiply-add = one 'flop'; adds batch_norm (1 per element in "
                 "eval), adaptive_avg_pool2d; "
                 + ", ".join(f"{k} {v / 1e9:.4f} G" for k, v in sorted(by_op.items()))))

    try:
        from ptflops import get_model_complexity_info

        with contextlib.redirect_stdout(io.StringIO()):
            macs, _ = get_model_complexity_info(model, shape, as_strings=False,
                                                print_per_layer_stat=False, backend="pytorch")
        rows.append(("ptflops (pytorch backend) MACs", macs,
                     "module hooks: conv + linear plus BatchNorm, ReLU, pooling and "
                     "bias additions, one 'MAC' per element each"))
    except ImportError:
        rows.append(("ptflops", None, "not installed"))

    print(f"{args.model} at {args.size}×{args.size}, batch 1\n")
    print("| counter | GMACs | vs published | what it counts |")
    print("|---|---|---|---|")
    for label, value, what in rows:
        if value is None:
            print(f"| {label} | — | — | {what} |")
            continue
        ratio = (value / (published * 1e9) - 1) * 100
        print(f"| {label} | {value / 1e9:.4f} | {ratio:+.2f} % | {what} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
