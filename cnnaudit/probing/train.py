"""Training the variants: one ``Trainer`` feeds every variant the same batch
sequence; steps timed with CUDA events (or ``perf_counter`` on the CPU);
variants interleaved in rounds so that drift hits them alike; peak memory
measured per variant alone and per phase (on CUDA by the allocator, on the
CPU by a storage tracker: ``memory_meter``), halving the batch on
out-of-memory."""

from __future__ import annotations

import copy
import math
import statistics
import time

from ..training import amp_dtype, first_tensor, is_oom, make_optimizer
from .results import ProbeOptions, Variant


class Trainer:
    """Runs steps of one variant; every variant uses the same batch sequence."""

    def __init__(self, torch, data, options: ProbeOptions, device):
        self.torch = torch
        self.data = data
        self.options = options
        self.device = device
        self.cuda = device.type == "cuda"
        self.amp_dtype = amp_dtype(torch, options.amp)
        # One shuffle per pass over the data, drawn when a step first reaches
        # it: the same sequence as drawing them all up front, in memory for
        # the steps actually run (--steps 10**9 must not allocate them all).
        self.generator = torch.Generator().manual_seed(options.seed)
        self.epochs: list = []
        self.meter = None  # a MemoryMeter told each phase while memory is measured

    def _phase(self, name: str) -> None:
        if self.meter is not None:
            self.meter.phase(name)

    def batch(self, step: int, batch_size: int):
        start = step * self.options.batch_size  # the same samples whatever the variant's batch
        index = self.indices(start, start + batch_size)
        return self.layout(self.data.train_x[index]), self.data.train_y[index]

    def indices(self, start: int, stop: int):
        """Positions ``start`` to ``stop`` of the endless shuffled order."""
        n = len(self.data.train_x)
        while len(self.epochs) * n < stop:
            self.epochs.append(self.torch.randperm(n, generator=self.generator).to(self.device))
        first, last = start // n, (stop - 1) // n
        order = self.epochs[first] if first == last else self.torch.cat(self.epochs[first:last + 1])
        return order[start - first * n:stop - first * n]

    def layout(self, x):
        """Inputs in the model's memory format (NHWC with --channels-last)."""
        if self.options.channels_last and x.dim() == 4:
            return x.contiguous(memory_format=self.torch.channels_last)
        return x

    def prepare(self, variant: Variant) -> None:
        torch = self.torch
        model = variant.model.to(self.device)
        if self.options.channels_last:
            model = model.to(memory_format=torch.channels_last)
        model.train()
        variant.model = model
        variant.optimizer = make_optimizer(torch, model, self.options.optimizer, self.options.lr)
        if self.options.amp == "fp16":
            variant.scaler = torch.amp.GradScaler(self.device.type)
        variant.runner = torch.compile(model) if self.options.compile else model

    def step(self, variant: Variant, step: int) -> tuple[float, float]:
        """One training step: (seconds, loss)."""
        torch = self.torch
        # Gradients freed before the next batch is taken (its phase: forward),
        # as the estimate assumes; outside the timed span, it costs nothing.
        variant.optimizer.zero_grad(set_to_none=True)
        self._phase("forward")
        x, y = self.batch(step, variant.batch_size)
        # not `or`: truth-testing a compiled module calls len(), which it refuses
        runner = variant.runner if variant.runner is not None else variant.model
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        else:
            began = time.perf_counter()
        with torch.autocast(self.device.type, dtype=self.amp_dtype,
                            enabled=self.amp_dtype is not None):
            loss = torch.nn.functional.cross_entropy(first_tensor(runner(x)), y)
        self._phase("backward")
        if variant.scaler is not None:
            variant.scaler.scale(loss).backward()
            self._phase("step")
            variant.scaler.step(variant.optimizer)
            variant.scaler.update()
        else:
            loss.backward()
            self._phase("step")
            variant.optimizer.step()
        if self.cuda:
            end.record()
            end.synchronize()  # reading the events needs them done; outside the timed span
            seconds = start.elapsed_time(end) / 1000
        else:
            seconds = time.perf_counter() - began
        return seconds, float(loss.detach())

    def evaluate(self, variant: Variant) -> float:
        torch = self.torch
        model = variant.model
        model.eval()
        correct = []
        with torch.no_grad(), torch.autocast(self.device.type, dtype=self.amp_dtype,
                                             enabled=self.amp_dtype is not None):
            for start in range(0, len(self.data.test_x), 256):
                logits = first_tensor(model(self.layout(self.data.test_x[start:start + 256])))
                hits = logits.argmax(-1) == self.data.test_y[start:start + 256]
                correct += [bool(hit) for hit in hits.tolist()]
        model.train()
        variant.correct = correct  # per example: the paired accuracy test reads it
        return 100.0 * sum(correct) / len(correct)


def measure_memory(torch, trainer: Trainer, variant: Variant) -> None:
    """Peak bytes of two steps of a copy of ``variant`` alone (the second
    step has the optimizer's state), its parameters and buffers included (as
    in the estimate), and the phase that held the peak; out of memory halves
    the batch and retries."""
    if variant.status != "ok":
        return
    # Its steps draw random numbers (dropout): training must not see them.
    rng = torch.random.get_rng_state(), (torch.cuda.get_rng_state_all() if trainer.cuda else None)
    try:
        _measure_memory(torch, trainer, variant)
    finally:
        torch.random.set_rng_state(rng[0])
        if rng[1] is not None:
            torch.cuda.set_rng_state_all(rng[1])


def _measure_memory(torch, trainer: Trainer, variant: Variant) -> None:
    from .memory_meter import MemoryMeter

    while True:
        if trainer.cuda:
            torch.cuda.empty_cache()
        meter = MemoryMeter(torch, trainer.device)
        probe = copy.copy(variant)
        probe.model = copy.deepcopy(variant.model)
        meter.start(preexisting=[*probe.model.parameters(), *probe.model.buffers()])
        trainer.meter = meter
        try:
            trainer.prepare(probe)
            for step in range(2):
                trainer.step(probe, step)
            meter.stop()
            variant.peak_memory_bytes, variant.peak_memory_phase = meter.peak, meter.peak_phase
            return
        except Exception as exc:
            if not is_oom(torch, exc) or variant.batch_size <= 1:
                raise
            variant.batch_size //= 2
            variant.note = f"out of memory: batch reduced to {variant.batch_size}"
        finally:
            trainer.meter = None
            meter.stop()
            del probe
            if trainer.cuda:
                torch.cuda.empty_cache()


def train_interleaved(torch, trainer, variants, options, progress) -> None:
    """Rounds of ``round_steps`` steps per variant, in turn, until every
    variant has done warm-up + steps; warm-up steps are not timed."""
    total = options.warmup + options.steps
    done = {id(v): 0 for v in variants}
    while any(done[id(v)] < total and v.status == "ok" for v in variants):
        for variant in variants:
            if variant.status != "ok":
                continue
            timed_before = len(variant.step_times)
            _train_round(torch, trainer, variant, options, done, progress)
            this_round = variant.step_times[timed_before:]
            variant.round_times.append(statistics.median(this_round) if this_round else None)


def _train_round(torch, trainer, variant, options, done, progress) -> None:
    """Up to ``round_steps`` steps of one variant (fewer when it finishes,
    diverges or runs out of memory)."""
    total = options.warmup + options.steps
    for _ in range(options.round_steps):
        step = done[id(variant)]
        if step >= total:
            break
        began = time.perf_counter()
        try:
            seconds, loss = trainer.step(variant, step)
        except Exception as exc:
            if is_oom(torch, exc):
                variant.status, variant.note = "out of memory", str(exc).splitlines()[0]
                torch.cuda.empty_cache()
                break
            raise
        if step == 0:  # wall time: a compiling first step is mostly host work
            variant.first_step_seconds = time.perf_counter() - began
        done[id(variant)] += 1
        if progress is not None:
            progress.update(1)
        if not math.isfinite(loss):
            variant.losses.append(loss)
            variant.status = "diverged"
            variant.note = f"loss became {loss} at step {step}"
            break
        if step >= options.warmup:
            variant.step_times.append(seconds)
            variant.losses.append(loss)
