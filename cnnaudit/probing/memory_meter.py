"""Peak memory of training steps, per phase (forward, backward, step).

On CUDA the caching allocator counts for us: ``max_memory_allocated`` read
and reset at each phase boundary. The CPU allocator keeps no such count and
the profiler's CPU memory events miss allocations made on the autograd
engine's side, so on the CPU a ``TorchDispatchMode`` watches every op: an
output whose storage is not one of the op's inputs' storages is a new
allocation (in-place ops and views share their input's storage), counted
until its storage is freed (``weakref.finalize``). Storages that existed
before the steps (parameters, buffers, the data) are counted once at the
start. Both ways count what tensors hold, not what the allocator reserves.
"""

from __future__ import annotations

import weakref
from functools import lru_cache


class MemoryMeter:
    """``start()``, ``phase(name)`` at each boundary, ``stop()``; then
    ``peak`` (bytes, from the start) and ``peak_phase``."""

    def __init__(self, torch, device):
        self.torch = torch
        self.cuda = device.type == "cuda"
        self.current = None
        self.peaks: dict[str, int] = {}
        self._mode = None
        self._baseline = 0

    def start(self, preexisting=()) -> None:
        """Count from here; ``preexisting``: tensors already allocated that
        the peak must include (on CUDA, only those on the device are: the
        allocator cannot tell, so those still on the CPU count when moved)."""
        torch = self.torch
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            on_device = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes()
                         for t in preexisting if t.device.type == "cuda"}
            self._baseline = torch.cuda.memory_allocated() - sum(on_device.values())
        else:
            self._mode = _live_storage_mode(torch)(preexisting)
            self._mode.__enter__()

    def phase(self, name: str) -> None:
        self._close_phase()
        self.current = name

    def stop(self) -> None:
        self._close_phase()
        if self._mode is not None:
            self._mode.__exit__(None, None, None)
            self._mode = None

    @property
    def peak(self) -> int | None:
        return max(self.peaks.values()) if self.peaks else None

    @property
    def peak_phase(self) -> str | None:
        return max(self.peaks, key=self.peaks.get) if self.peaks else None

    def _close_phase(self) -> None:
        if self.current is None:
            return
        torch = self.torch
        if self.cuda:
            torch.cuda.synchronize()
            high = torch.cuda.max_memory_allocated() - self._baseline
            torch.cuda.reset_peak_memory_stats()
        else:
            high = self._mode.take_phase_peak()
        self.peaks[self.current] = max(self.peaks.get(self.current, 0), high)
        self.current = None


def _storages(torch, values):
    from torch.utils._pytree import tree_flatten

    return [value.untyped_storage() for value in tree_flatten(values)[0]
            if isinstance(value, torch.Tensor)]


@lru_cache(maxsize=1)
def _live_storage_mode(torch):
    """The dispatch mode class, defined once torch is imported."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.weak import WeakIdKeyDictionary

    class LiveStorages(TorchDispatchMode):
        def __init__(self, preexisting):
            super().__init__()
            self.counted = WeakIdKeyDictionary()
            self.live = 0
            for storage in _storages(torch, list(preexisting)):
                self._count(storage)
            self.phase_peak = self.live

        def _count(self, storage) -> None:
            if storage in self.counted or storage.device.type == "meta":
                return
            nbytes = storage.nbytes()
            self.counted[storage] = nbytes
            self.live += nbytes
            weakref.finalize(storage, self._release, nbytes)

        def _release(self, nbytes: int) -> None:
            self.live -= nbytes

        def take_phase_peak(self) -> int:
            peak, self.phase_peak = self.phase_peak, self.live
            return peak

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            inputs = {id(s) for s in _storages(torch, (args, kwargs))}
            for storage in _storages(torch, out):
                if id(storage) not in inputs:
                    self._count(storage)
            self.phase_peak = max(self.phase_peak, self.live)
            return out

    return LiveStorages


def measure_plain_steps(torch, model, optimizer, batches, amp_dtype=None) -> MemoryMeter:
    """The peak, phase by phase, of a plain training loop over ``batches``
    ((x, y) pairs, on the model's device): ``zero_grad(set_to_none=True)``,
    then the batch (forward phase), cross-entropy, backward, step — the
    probe's order. What the estimate is checked against (tests/test_memory.py,
    benchmarks/memory_estimate.py, and on CUDA benchmarks/gpu_check.py)."""
    device = next(model.parameters()).device
    meter = MemoryMeter(torch, device)
    meter.start(preexisting=[*model.parameters(), *model.buffers()])
    try:
        for x, y in batches:
            optimizer.zero_grad(set_to_none=True)
            meter.phase("forward")
            x = x.clone()  # the batch is allocated in the step, as a loader's would be
            with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
                loss = torch.nn.functional.cross_entropy(model(x), y)
            meter.phase("backward")
            loss.backward()
            meter.phase("step")
            optimizer.step()
    finally:
        meter.stop()
    return meter
