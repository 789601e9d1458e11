"""``cnnaudit probe --nproc N``: the same variants under DistributedDataParallel.

Launched the way torchrun launches (one process per rank, ``MASTER_ADDR``,
``MASTER_PORT``, ``RANK``, ``WORLD_SIZE``), with the gloo backend on the CPU
and NCCL on CUDA (one GPU per rank). Every rank trains its own shard of each
step's samples at the probe's per-process batch size; rank 0 reports the
median step time and the throughput against the single-process run.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import tempfile
import time
from dataclasses import asdict


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker(rank, nproc, port, spec, shapes, model_args, options_dict, out_path):
    import torch
    import torch.distributed as dist

    from ..load import load
    from ..training import first_tensor, load_data, make_optimizer, number_of_classes
    from .plan import plan_variants
    from .results import ProbeOptions

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(nproc))
    options = ProbeOptions(**options_dict)
    cuda = options.device.startswith("cuda")
    device = torch.device(f"cuda:{rank}") if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    else:
        torch.set_num_threads(max(1, torch.get_num_threads() // nproc))
    dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=nproc)
    try:
        torch.manual_seed(options.seed)
        loaded = load(spec, model_args, device="cpu")
        variants, base = plan_variants(loaded, shapes, options, [])
        data = load_data(options.data, shapes[0], number_of_classes(base),
                         options.seed).to(device)
        results = []
        for variant in variants:
            if variant.status != "ok":
                continue
            model = variant.model.to(device)
            ddp = torch.nn.parallel.DistributedDataParallel(
                model, device_ids=[rank] if cuda else None)
            optimizer = make_optimizer(torch, ddp, options.optimizer, options.lr)
            generator = torch.Generator().manual_seed(options.seed + 1)
            times = []
            total = options.warmup + options.steps
            for step in range(total):
                index = torch.randint(0, len(data.train_x), (options.batch_size * nproc,),
                                      generator=generator)[rank::nproc].to(device)
                x, y = data.train_x[index], data.train_y[index]
                dist.barrier()
                started = time.perf_counter()
                optimizer.zero_grad(set_to_none=True)
                loss = torch.nn.functional.cross_entropy(first_tensor(ddp(x)), y)
                loss.backward()
                optimizer.step()
                if cuda:
                    torch.cuda.synchronize(device)
                elapsed = time.perf_counter() - started
                if step >= options.warmup:
                    times.append(elapsed)
            # The slowest rank sets the pace of a synchronous step.
            median = torch.tensor(statistics.median(times))
            dist.all_reduce(median, op=dist.ReduceOp.MAX)
            results.append({"name": variant.name, "median_s": float(median)})
        if rank == 0:
            with open(out_path, "w") as handle:
                json.dump(results, handle)
    finally:
        dist.destroy_process_group()


def run_ddp(spec, shapes, model_args, options, nproc: int, report) -> dict:
    """Per-variant DDP step time over ``nproc`` processes, against ``report``'s
    single-process run."""
    import torch.multiprocessing as mp

    from ..errors import CnnauditError

    if spec is None:
        raise CnnauditError("--nproc needs a SPEC: every process builds the model itself")
    if options.device.startswith("cuda"):
        import torch

        if torch.cuda.device_count() < nproc:
            raise CnnauditError(f"--nproc {nproc} on CUDA needs {nproc} GPUs, "
                                f"found {torch.cuda.device_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "ddp.json")
        mp.spawn(_worker, args=(nproc, _free_port(), spec, shapes, model_args,
                                asdict(options), out_path), nprocs=nproc, join=True)
        with open(out_path) as handle:
            results = json.load(handle)
    single = {v.name: v.step_time_ms() for v in report.variants}
    variants = []
    for item in results:
        median_ms = item["median_s"] * 1000
        base = single.get(item["name"])
        samples = options.batch_size * nproc / item["median_s"]
        variants.append({
            "name": item["name"],
            "step_time_ms": {"median": median_ms},
            "samples_per_s": samples,
            # throughput of N processes against one: N × t1 / tN
            "scaling": (nproc * base["median"] / median_ms) if base else None,
        })
    return {"nproc": nproc, "backend": "nccl" if options.device.startswith("cuda") else "gloo",
            "batch_size_per_process": options.batch_size, "variants": variants}
