"""Summary speed on timm's zoo: cnnaudit.summary against torchinfo.summary.

For each model (≥ 100 CNN-style architectures of ~30 families, no weights, at
the default input size of its pretrained config, batch 1): both tools from the
model's name to a finished summary, model construction included, alternating
in one process (cnnaudit, torchinfo, cnnaudit, ...), best of ``--repeats``
each; one untimed warm-up of each first. The ratio is cnnaudit's time over
torchinfo's. Targets (issue 13): ratio ≤ 1 on every model, median ≤ 0.5.
Threads fixed at 1 (times on a shared 2-core machine are only comparable so).

    python benchmarks/speed_timm.py [--repeats 5] [--limit N] [--markdown]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings

from timing import best_of

FAMILIES = [
    "resnet", "resnext", "seresnet", "efficientnet", "tf_efficientnet", "efficientnetv2",
    "mobilenetv2", "mobilenetv3", "mnasnet", "lcnet", "tinynet", "ghostnet", "regnetx",
    "regnety", "rexnet", "densenet", "dla", "dpn", "hrnet", "cspresnet", "cspdarknet", "res2net",
    "resnest", "selecsls", "repvgg", "vgg", "xception", "inception", "convnext", "edgenext",
    "efficientvit", "fastvit", "mobilevit", "poolformer", "nfnet", "mixnet", "fbnet", "hardcorenas",
    "semnasnet", "spnasnet", "dm_nfnet", "gernet", "darknet", "hgnet", "mobileone",
]
TOO_BIG = ("xxl", "xl", "huge", "giant", "large", "_l_", "152", "200", "269", "b5", "b6", "b7",
           "b8", "l2", "f3", "f4", "f5", "f6", "f7", "w64", "w48", "w44", "w40", "w32", "161",
           "201", "264", "v2_m", "v2_l", "v2_xl", "_m_", "_l", "131", "107", "98", "92", "120",
           "160", "320", "256", "384", "448", "512")
PER_FAMILY = 3


def pick_models(limit: int | None, per_family: int = PER_FAMILY) -> list[str]:
    import timm

    chosen: list[str] = []
    for family in FAMILIES:
        names = [n for n in timm.list_models(f"{family}*")
                 if n.split(".")[0] == n and not any(t in n for t in TOO_BIG)
                 and n not in chosen]
        chosen += names[:per_family]
    return chosen[:limit] if limit else chosen



def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import timm
    import torch
    import torchinfo

    import cnnaudit

    torch.set_num_threads(1)
    rows = []
    for name in pick_models(args.limit):
        try:
            size = timm.create_model(name, pretrained=False).pretrained_cfg["input_size"]
        except Exception as exc:  # a model timm cannot build here is not a data point
            print(f"skip {name}: {type(exc).__name__}", file=sys.stderr)
            continue

        def ours(name=name, size=size):
            cnnaudit.summary("timm:create_model", size, model_args={"model_name": name})

        def theirs(name=name, size=size):
            torchinfo.summary(timm.create_model(name), (1, *size), verbose=0)

        try:
            ours(), theirs()  # warm-up: imports, caches
            ours_s, theirs_s = [], []
            for _ in range(args.repeats):
                ours_s.append(best_of(1, ours))
                theirs_s.append(best_of(1, theirs))
        except Exception as exc:
            print(f"skip {name}: {type(exc).__name__}: {str(exc)[:80]}", file=sys.stderr)
            continue
        ratio = min(ours_s) / min(theirs_s)
        rows.append((name, "×".join(map(str, size)), min(ours_s), min(theirs_s), ratio))
        print(f"{name:32s} {min(ours_s):7.3f} s {min(theirs_s):7.3f} s ratio {ratio:5.2f}",
              file=sys.stderr, flush=True)

    ratios = [r[-1] for r in rows]
    faster = sum(r <= 1 for r in ratios)
    if args.markdown:
        print("| model | input | cnnaudit (s) | torchinfo (s) | cnnaudit / torchinfo |")
        print("|---|---|---|---|---|")
        for name, size, a, b, r in sorted(rows, key=lambda row: -row[-1]):
            print(f"| {name} | {size} | {a:.3f} | {b:.3f} | {r:.2f} |")
    print(f"\n{len(rows)} models: cnnaudit at most torchinfo's time on {faster}; ratio median "
          f"{statistics.median(ratios):.2f}, worst {max(ratios):.2f} "
          f"({max(rows, key=lambda row: row[-1])[0]}), best {min(ratios):.2f}; torch "
          f"{torch.__version__}, timm {timm.__version__}, 1 thread")
    return 0 if ratios and max(ratios) <= 1 and statistics.median(ratios) <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
