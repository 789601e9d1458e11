"""Exactness: cnnaudit's params and MACs against torchvision's published figures.

For every classification model in torchvision, build it from its SPEC on the
meta device and compare with its weights' metadata: ``meta["num_params"]``
(exact) and ``meta["_ops"]`` (GMACs, published to 3 decimals), at the crop
size of those weights. Writes a markdown table (``--out``) for
docs/benchmarks.md.

    python benchmarks/torchvision_exactness.py [--out FILE] [--models a,b]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

# Published with these constructor arguments (torchvision's docs).
MODEL_ARGS = {"googlenet": {"aux_logits": False}, "vit_h_14": {"image_size": 518}}


def published(name: str):
    from torchvision import models

    weights = list(models.get_model_weights(name))[0]
    crop = weights.transforms.keywords.get("crop_size", 224)
    crop = crop[0] if isinstance(crop, (list, tuple)) else crop
    return weights.meta["num_params"], weights.meta["_ops"], crop, weights.name


def check(name: str) -> dict:
    import cnnaudit

    num_params, gmacs, crop, weights = published(name)
    started = time.perf_counter()
    result = cnnaudit.summary(
        f"torchvision.models:{name}", (3, crop, crop), model_args=MODEL_ARGS.get(name, {}),
    )  # the default trace batch (2): batch-independent work must still count once
    seconds = time.perf_counter() - started
    ours_gmacs = round(result.totals.macs / 1e9, 3)
    return {
        "model": name,
        "crop": crop,
        "params": result.totals.params,
        "published_params": num_params,
        "gmacs": ours_gmacs,
        "published_gmacs": gmacs,
        "exact": result.totals.params == num_params and abs(ours_gmacs - gmacs) < 5e-4,
        "device": result.device,
        "seconds": seconds,
        "failure": result.failure["message"] if result.failure else None,
    }


def main() -> int:
    from torchvision import models

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--models", help="comma-separated subset")
    args = parser.parse_args()
    names = args.models.split(",") if args.models else sorted(models.list_models(module=models))
    rows = []
    for name in names:
        try:
            row = check(name)
        except Exception as exc:  # a benchmark reports, it does not stop
            row = {"model": name, "exact": False, "failure": f"{type(exc).__name__}: {exc}"}
        rows.append(row)
        mark = "ok " if row["exact"] else "DIFF"
        print(f"{mark} {name:<28} params {row.get('params')} / {row.get('published_params')}  "
              f"GMACs {row.get('gmacs')} / {row.get('published_gmacs')}  "
              f"{row.get('seconds', 0):.2f}s {row.get('failure') or ''}", flush=True)
    exact = sum(r["exact"] for r in rows)
    print(f"\n{exact} of {len(rows)} exact")
    if args.out:
        with open(args.out, "w") as out:
            out.write(f"Machine: {platform.machine()}, {platform.python_version()}, "
                      f"{sys.platform}; {exact} of {len(rows)} exact.\n\n")
            out.write("| model | crop | params | published | GMACs | published | exact |\n")
            out.write("|---|---|---|---|---|---|---|\n")
            for r in rows:
                out.write(
                    f"| {r['model']} | {r.get('crop', '')} | {r.get('params', '')} | "
                    f"{r.get('published_params', '')} | {r.get('gmacs', '')} | "
                    f"{r.get('published_gmacs', '')} | {'yes' if r['exact'] else 'NO'} |\n"
                )
    return 0 if exact == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
