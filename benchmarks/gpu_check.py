"""Everything GPU-side in one call of a few minutes (see docs/benchmarks.md, "On a GPU").

Each item below runs in turn; one that fails is recorded with its error and
the next one still runs, so a single call on a card yields every figure.

1. ``cli``       — the CLI ``cnnaudit probe --device cuda``: the cheatsheet
                   network (every suggestion, text and JSON) and resnet18
                   (bf16 autocast, channels_last, every suggestion).
2. ``memory``    — the training-memory estimate against the allocator's peak,
                   per phase: resnet18 at batch 32 and 128, float32 and bf16
                   autocast, SGD and Adam (for-each and fused: CUDA's defaults
                   differ from the CPU's); plus the probe's own per-variant
                   peaks from item 1. Target ±15 %.
3. ``overhead``  — the probe's step time against a bare hand-written loop
                   (same model, batch, precision, layout; alternating rounds;
                   target ≤ 5 %), and samples/s by timm's ``benchmark.py``
                   method (synchronize, wall clock around each step) beside it.
4. ``oom``       — a batch that cannot fit (sized from the estimate to 1.6×
                   the card): the probe must halve it, retry and say so.
5. ``compile``   — ``--compile`` once (first step, compilation included,
                   apart from the step time) and ``--amp fp16`` with
                   GradScaler once.
6. ``ddp``       — ``--nproc 1`` through the DistributedDataParallel path
                   (NCCL on CUDA, gloo on the CPU).
7. ``summary``   — ``cnnaudit summary --device cuda`` against the meta trace
                   of the same model: every count identical.
8. ``doctor``    — the doctor under AMP, where this checkout has one.

Items with no CPU meaning print "skipped on CPU" in the dry run. Writes the
JSON to $OUT/gpu_check.json when OUT is set (the device machine), else to
benchmarks/results/gpu_check_<device>.json, and prints a markdown summary for
docs/benchmarks.md. Exit 1 when a target is missed or an item failed.

    python benchmarks/gpu_check.py                        # on a CUDA machine
    python benchmarks/gpu_check.py --device cpu --quick   # dry run of the script itself
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

EXAMPLE = "examples/cheatsheet_net.py:Net"
RESNET = "torchvision.models:resnet18"
HOG = "benchmarks/gpu_models.py:MemoryHog"
MEMORY_TOLERANCE = 0.15
OVERHEAD_TARGET = 1.05


class Check:
    """What every item reads: torch, the device, the sizes for this run."""

    def __init__(self, torch, device, quick: bool):
        self.torch = torch
        self.device = device
        self.cuda = device.type == "cuda"
        self.quick = quick
        self.size = 64 if quick else 224
        self.batch = 8 if quick else 64
        self.steps = 5 if quick else 60
        self.warmup = 2 if quick else 15
        self.shared: dict = {}  # results later items read (the CLI reports)

    def cli(self, *args, timeout=900) -> tuple[int, str, str]:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        done = subprocess.run([sys.executable, "-m", "cnnaudit", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout, done.stderr


def item_cli(check: Check) -> dict:
    """The probe as a user runs it, text and JSON."""
    device = str(check.device)
    example = ["probe", EXAMPLE, "--input-size", "1,28,28", "--device", device, "--quiet",
               "--steps", "20" if check.quick else "200", "--warmup", "3" if check.quick else "20",
               "--batch-size", "128"]
    resnet = ["probe", RESNET, "--input-size", f"3,{check.size},{check.size}", "--device", device,
              "--quiet", "--model-args", "num_classes=10", "--amp", "bf16", "--channels-last",
              "--lr", "0.001", "--steps", str(check.steps), "--warmup", str(check.warmup),
              "--batch-size", str(check.batch)]
    out = {}
    for label, args in (("example", example), ("resnet18", resnet)):
        code, text, err = check.cli(*args)
        print(text, flush=True)
        json_code, raw, json_err = check.cli(*args, "--format", "json")
        report = json.loads(raw) if json_code in (0, 1) and raw.strip() else None
        check.shared[label] = report
        out[label] = {"text_exit": code, "json_exit": json_code,
                      "stderr": (err + json_err)[-2000:], "report": report}
        if report is None:
            raise RuntimeError(f"{label}: the JSON run exited {json_code}: {json_err[-500:]}")
        out[label]["met"] = code == 0 and json_code == 0 and all(
            v["status"] == "ok" for v in report["variants"])
    out["met"] = all(out[label]["met"] for label in ("example", "resnet18"))
    return out


def _optimizer(torch, params, name, implementation):
    flags = {"for-loop": {"foreach": False}, "foreach": {"foreach": True},
             "fused": {"fused": True}}[implementation]
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01, momentum=0.9, **flags)
    return torch.optim.Adam(params, lr=1e-3, **flags)


def item_memory(check: Check) -> dict:
    """Estimate against measured peak, per phase; and the probe's own peaks."""
    import cnnaudit
    from cnnaudit.load import load
    from cnnaudit.probing.memory_meter import measure_plain_steps

    torch = check.torch
    batches = (4, 8) if check.quick else (32, 128)
    # torch's default implementation is the for-each one on CUDA, the
    # for-loop one on the CPU; fused Adam on the CPU: benchmarks/memory_estimate.py.
    default = "foreach" if check.cuda else "for-loop"
    optimizers = [("sgd", default), ("adam", default)] + (
        [("adam", "fused")] if check.cuda else [])
    rows = []
    for batch in batches:
        for name, implementation in optimizers:
            for amp in (None, "bf16"):
                torch.manual_seed(0)
                model = load(RESNET, {"num_classes": 10}, device="cpu").model.train()
                shape = (3, check.size, check.size)
                estimate = cnnaudit.summary(
                    model, shape, batch_size=batch, optimizer="momentum" if name == "sgd" else name,
                    amp=amp, optimizer_impl=implementation).training_memory
                model = model.to(check.device)
                opt = _optimizer(torch, list(model.parameters()), name, implementation)
                data = [(torch.randn(batch, *shape, device=check.device),
                         torch.randint(0, 10, (batch,), device=check.device)) for _ in range(2)]
                meter = measure_plain_steps(torch, model, opt, data,
                                            torch.bfloat16 if amp else None)
                ratio = estimate.total_bytes / meter.peak
                rows.append({"batch": batch, "optimizer": f"{name} ({implementation})",
                             "precision": amp or "float32", "measured_bytes": meter.peak,
                             "measured_phase": meter.peak_phase,
                             "measured_by_phase": dict(meter.peaks),
                             "estimate_bytes": estimate.total_bytes,
                             "estimate_phase": estimate.peak_phase,
                             "ratio": ratio, "met": abs(ratio - 1) <= MEMORY_TOLERANCE})
                del model, opt, data
                if check.cuda:
                    torch.cuda.empty_cache()
    probe_rows = []
    for label in ("example", "resnet18"):
        for variant in (check.shared.get(label) or {}).get("variants", []):
            if variant["peak_memory_bytes"] and variant["estimated_memory_bytes"]:
                ratio = variant["estimated_memory_bytes"] / variant["peak_memory_bytes"]
                probe_rows.append({"model": label, "variant": variant["name"],
                                   "measured_bytes": variant["peak_memory_bytes"],
                                   "measured_phase": variant["peak_memory_phase"],
                                   "estimate_bytes": variant["estimated_memory_bytes"],
                                   "estimate_phase": variant["estimated_peak_phase"],
                                   "ratio": ratio, "met": abs(ratio - 1) <= MEMORY_TOLERANCE})
    everything = rows + probe_rows
    return {"plain_loop": rows, "probe_variants": probe_rows,
            "worst_ratio_error": max(abs(r["ratio"] - 1) for r in everything),
            "met": all(r["met"] for r in everything)}


def bare_loop(torch, model, x, y, steps, warmup, device, amp_dtype):
    """The probe's step with nothing around it (CUDA events on CUDA)."""
    from probe_overhead import bare_loop as loop

    return loop(model, x, y, steps, warmup, device, amp_dtype)


def timm_method(torch, model, x, y, steps, warmup, device, amp_dtype) -> float:
    """Samples/s measured the way timm's benchmark.py times training: the
    device synchronized and the wall clock read around each whole step,
    the mean over the timed steps (our own code, after its TrainBenchmarkRunner)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

    def now():
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter()

    total = 0.0
    for step in range(warmup + steps):
        started = now()
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if step >= warmup:
            total += now() - started
    return x.shape[0] * steps / total


def item_overhead(check: Check) -> dict:
    import cnnaudit
    from cnnaudit.load import load

    torch = check.torch
    amp = "bf16"
    probe_ms, bare_ms, timm_rates = [], [], []
    for _ in range(2 if check.quick else 3):
        # Only the original (CNA202 has nothing to apply to resnet18): the
        # harness itself, not the cache effects of interleaving several models.
        report = cnnaudit.probe(RESNET, (3, check.size, check.size), device=str(check.device),
                                apply="CNA202", steps=check.steps, warmup=check.warmup,
                                batch_size=check.batch, amp=amp, channels_last=True,
                                model_args={"num_classes": 10}, progress=False)
        probe_ms.append(report.variants[0].step_time_ms()["median"])
        torch.manual_seed(0)
        model = load(RESNET, {"num_classes": 10}, device="cpu").model
        model = model.to(check.device).to(memory_format=torch.channels_last).train()
        x = torch.randn(check.batch, 3, check.size, check.size, device=check.device).contiguous(
            memory_format=torch.channels_last)
        y = torch.randint(0, 10, (check.batch,), device=check.device)
        bare_ms.append(bare_loop(torch, model, x, y, check.steps, check.warmup, check.device,
                                 torch.bfloat16) * 1000)
        timm_rates.append(timm_method(torch, model, x, y, check.steps, check.warmup,
                                      check.device, torch.bfloat16))
    ratio = statistics.median(probe_ms) / statistics.median(bare_ms)
    return {"model": "resnet18", "batch": check.batch, "precision": amp, "channels_last": True,
            "probe_ms": probe_ms, "bare_ms": bare_ms, "ratio": ratio,
            "probe_samples_per_s": check.batch / (statistics.median(probe_ms) / 1000),
            "timm_method_samples_per_s": timm_rates, "met": ratio <= OVERHEAD_TARGET}


def item_oom(check: Check) -> dict:
    if not check.cuda:
        return {"skipped": "skipped on CPU: host memory does not run out the way a card's does"}
    import cnnaudit

    torch = check.torch
    shape = (3, 128, 128)
    one, two = (cnnaudit.summary(HOG, shape, batch_size=b, optimizer="adam").training_memory
                .total_bytes for b in (1, 2))
    per_sample = two - one
    card = torch.cuda.get_device_properties(check.device).total_memory
    batch = int(1.6 * card / per_sample) + 1
    report = cnnaudit.probe(HOG, shape, device=str(check.device), apply="CNA202", steps=3,
                            warmup=1, batch_size=batch, data="synthetic", progress=False)
    original = report.variants[0]
    halved = bool(original.note and "batch reduced" in original.note)
    return {"card_bytes": card, "estimated_bytes_per_sample": per_sample,
            "asked_batch": batch, "final_batch": original.batch_size, "note": original.note,
            "status": original.status, "peak_memory_bytes": original.peak_memory_bytes,
            "met": halved and original.status == "ok" and original.batch_size < batch}


def item_compile(check: Check) -> dict:
    import cnnaudit

    out = {}
    # Only the original (CNA304 has nothing to apply to the example).
    report = cnnaudit.probe(EXAMPLE, (1, 28, 28), device=str(check.device), apply="CNA304",
                            steps=50, warmup=5, batch_size=128, compile=True, progress=False)
    plain = cnnaudit.probe(EXAMPLE, (1, 28, 28), device=str(check.device), apply="CNA304",
                           steps=50, warmup=5, batch_size=128, progress=False)
    compiled, eager = report.variants[0], plain.variants[0]
    out["compile"] = {"first_step_ms": compiled.first_step_seconds * 1000,
                      "step_ms": compiled.step_time_ms()["median"],
                      "eager_first_step_ms": eager.first_step_seconds * 1000,
                      "eager_step_ms": eager.step_time_ms()["median"],
                      "status": compiled.status, "met": compiled.status == "ok"}
    if check.cuda:
        report = cnnaudit.probe(EXAMPLE, (1, 28, 28), device=str(check.device), apply="CNA304",
                                steps=100, warmup=5, batch_size=128, amp="fp16", progress=False)
        variant = report.variants[0]
        out["fp16"] = {"status": variant.status, "final_loss": variant.to_dict()["final_loss"],
                       "accuracy": variant.accuracy, "scale": variant.scaler.get_scale(),
                       "step_ms": variant.step_time_ms()["median"],
                       "met": variant.status == "ok" and variant.accuracy is not None}
    else:
        out["fp16"] = {"skipped": "skipped on CPU: fp16 autocast with GradScaler is CUDA's"}
    out["met"] = all(part.get("met", True) for part in out.values())
    return out


def item_ddp(check: Check) -> dict:
    import cnnaudit
    from cnnaudit.probing import ProbeOptions
    from cnnaudit.probing.ddp import run_ddp

    options = ProbeOptions(device=str(check.device), apply="CNA304", steps=check.steps,
                           warmup=check.warmup, batch_size=128, progress=False)
    report = cnnaudit.probe(EXAMPLE, (1, 28, 28), options=options)
    ddp = run_ddp(EXAMPLE, [(1, 28, 28)], {}, options, 1, report)
    scaling = ddp["variants"][0]["scaling"]
    return dict(ddp, met=ddp["backend"] == ("nccl" if check.cuda else "gloo")
                and scaling is not None)


def item_summary(check: Check) -> dict:
    """The real-tensor trace on the device against the meta trace."""
    results = {}
    for device in ("meta", str(check.device)):
        code, raw, err = check.cli("summary", RESNET, "--input-size",
                                   f"3,{check.size},{check.size}", "--device", device,
                                   "--format", "json")
        if code != 0:
            raise RuntimeError(f"summary --device {device} exited {code}: {err[-500:]}")
        results[device] = json.loads(raw)
    meta, real = results["meta"], results[str(check.device)]

    def counts(report):
        layers = report.get("layers", [])
        return ({k: v for k, v in report.get("totals", {}).items()},
                [(layer.get("name"), layer.get("output_shape"), layer.get("params"),
                  layer.get("macs")) for layer in layers])

    (meta_totals, meta_layers), (real_totals, real_layers) = counts(meta), counts(real)
    differing = [a for a, b in zip(meta_layers, real_layers) if a != b]
    return {"meta_totals": meta_totals, "device_totals": real_totals, "layers": len(meta_layers),
            "differing_layers": differing[:5],
            "met": meta_totals == real_totals and meta_layers == real_layers}


def item_doctor(check: Check) -> dict:
    """The doctor under autocast: bf16 (and fp16 with GradScaler on CUDA)."""
    import cnnaudit

    if not hasattr(cnnaudit, "doctor"):
        return {"skipped": "this checkout has no doctor"}
    out = {}
    for amp in ("bf16", "fp16") if check.cuda else ("bf16",):
        report = cnnaudit.doctor(EXAMPLE, (1, 28, 28), device=str(check.device), amp=amp,
                                 quick=True)
        data = report.to_dict()
        out[amp] = {"checks": {c["code"]: [c["status"], c["summary"]] for c in data["checks"]},
                    "findings": [f"{f['code']} {f['severity']} {f['message'][:120]}"
                                 for f in data["findings"]],
                    "seconds": data["seconds"],
                    "met": all(c["status"] != "failed" for c in data["checks"])}
    out["met"] = all(part["met"] for part in out.values())
    return out


def item_shrink(check: Check) -> dict:
    """`cnnaudit shrink` through the probe's CUDA path (bf16 autocast): the
    cheatsheet net to 10,000 parameters, one seed; every candidate must train
    (a verdict, not "not measured")."""
    import cnnaudit

    if not hasattr(cnnaudit, "shrink"):
        return {"skipped": "this checkout has no shrink"}
    report = cnnaudit.shrink(EXAMPLE, (1, 28, 28), max_params=10_000, device=str(check.device),
                             amp="bf16" if check.cuda else None, quick=True,
                             steps=100 if check.quick else 400, progress=False)
    data = report.to_dict()
    return {"original_accuracy": data["original"]["accuracy"],
            "candidates": {c["name"]: [c["params"], c["measured"].get("accuracy"), c["verdict"],
                                       (c["measured"].get("step_time_ms") or {}).get("median")]
                           for c in data["candidates"]},
            "chosen": data["chosen"], "seconds": data["seconds"],
            "met": all(not c["verdict"].startswith("not measured")
                       for c in data["candidates"])}


ITEMS = [("cli", item_cli), ("memory", item_memory), ("overhead", item_overhead),
         ("oom", item_oom), ("compile", item_compile), ("ddp", item_ddp),
         ("summary", item_summary), ("doctor", item_doctor), ("shrink", item_shrink)]


def main() -> int:
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to test the script")
    parser.add_argument("--only", default=None, help="comma-separated items (default: all)")
    parser.add_argument("--out", default=None, help="where the JSON goes")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 2
    check = Check(torch, device, args.quick)
    started = time.perf_counter()
    result = {"device": torch.cuda.get_device_name(device) if check.cuda
              else f"CPU {platform.machine()}", "torch": torch.__version__,
              "python": platform.python_version(), "quick": args.quick,
              "cuda": torch.version.cuda if check.cuda else None, "items": {}}
    wanted = set(args.only.split(",")) if args.only else None
    for name, run in ITEMS:
        if wanted is not None and name not in wanted:
            continue
        began = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            outcome = run(check)
        except Exception as exc:  # every item runs: one call must yield every figure
            outcome = {"error": f"{type(exc).__name__}: {exc}", "traceback":
                       traceback.format_exc()[-4000:], "met": False}
            print(outcome["traceback"], file=sys.stderr, flush=True)
        outcome["seconds"] = round(time.perf_counter() - began, 1)
        if "skipped" in outcome:
            print(f"   {outcome['skipped']}", flush=True)
        result["items"][name] = outcome
        if check.cuda:
            torch.cuda.empty_cache()
    result["seconds"] = time.perf_counter() - started
    out = Path(args.out) if args.out else (
        Path(os.environ["OUT"]) / "gpu_check.json" if os.environ.get("OUT")
        else HERE / "results" / f"gpu_check_{device.type}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(markdown(result))
    print(f"\nJSON: {out}")
    missed = [name for name, item in result["items"].items()
              if "skipped" not in item and not item.get("met", False)]
    if missed:
        print(f"missed or failed: {', '.join(missed)}")
    return 1 if missed else 0


def _mib(value) -> str:
    return "--" if value is None else f"{value / 2**20:,.1f}"


def markdown(result: dict) -> str:
    items = result["items"]
    lines = [f"\n## GPU check on {result['device']} (torch {result['torch']}, "
             f"Python {result['python']}){' — quick dry run' if result['quick'] else ''}\n",
             "| item | outcome | seconds |", "|---|---|---|"]
    for name, item in items.items():
        outcome = (item["skipped"] if "skipped" in item else item["error"] if "error" in item
                   else "target met" if item.get("met") else "TARGET MISSED")
        lines.append(f"| {name} | {outcome} | {item['seconds']} |")
    memory = items.get("memory", {})
    if "plain_loop" in memory:
        lines += ["", "| batch | optimizer | precision | measured MiB (phase) | "
                  "estimate MiB (phase) | est/measured |", "|---|---|---|---|---|---|"]
        for row in memory["plain_loop"]:
            lines.append(f"| {row['batch']} | {row['optimizer']} | {row['precision']} | "
                         f"{_mib(row['measured_bytes'])} ({row['measured_phase']}) | "
                         f"{_mib(row['estimate_bytes'])} ({row['estimate_phase']}) | "
                         f"{row['ratio']:.3f} |")
        for row in memory["probe_variants"]:
            lines.append(f"| probe {row['model']} | {row['variant']} | -- | "
                         f"{_mib(row['measured_bytes'])} ({row['measured_phase']}) | "
                         f"{_mib(row['estimate_bytes'])} ({row['estimate_phase']}) | "
                         f"{row['ratio']:.3f} |")
    overhead = items.get("overhead", {})
    if "ratio" in overhead:
        lines.append(f"\nprobe {statistics.median(overhead['probe_ms']):.3f} ms/step vs bare "
                     f"loop {statistics.median(overhead['bare_ms']):.3f}: ratio "
                     f"{overhead['ratio']:.3f} (target ≤ {OVERHEAD_TARGET}); probe "
                     f"{overhead['probe_samples_per_s']:,.0f} samples/s, timm's method "
                     f"{statistics.median(overhead['timm_method_samples_per_s']):,.0f}")
    oom = items.get("oom", {})
    if "asked_batch" in oom:
        lines.append(f"\nout of memory: asked batch {oom['asked_batch']}, trained at "
                     f"{oom['final_batch']} ({oom['note']}), status {oom['status']}")
    compiled = items.get("compile", {}).get("compile", {})
    if "first_step_ms" in compiled:
        lines.append(f"\n--compile: first step {compiled['first_step_ms']:,.0f} ms, then "
                     f"{compiled['step_ms']:.3f} ms/step (eager: first "
                     f"{compiled['eager_first_step_ms']:,.0f} ms, then "
                     f"{compiled['eager_step_ms']:.3f} ms/step)")
    fp16 = items.get("compile", {}).get("fp16", {})
    if "status" in fp16:
        lines.append(f"\n--amp fp16: {fp16['status']}, final loss {fp16['final_loss']}, "
                     f"accuracy {fp16['accuracy']}, GradScaler scale {fp16['scale']}")
    ddp = items.get("ddp", {})
    if "backend" in ddp:
        variant = ddp["variants"][0]
        lines.append(f"\n--nproc 1 ({ddp['backend']}): {variant['step_time_ms']['median']:.3f} "
                     f"ms/step, scaling against one process {variant['scaling']:.3f}")
    summary = items.get("summary", {})
    if "layers" in summary:
        lines.append(f"\nsummary on the device vs meta: {summary['layers']} layers, "
                     f"{'identical' if summary['met'] else 'DIFFERENT'} "
                     f"(totals {summary['device_totals']})")
    lines.append(f"\n{result['seconds']:.0f} s in all")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
