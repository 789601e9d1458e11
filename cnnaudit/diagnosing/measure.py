"""Measurements several checks read, each made once per session
(``Session.memo``): the first backward pass and the first step, the
learning-rate range test, and a short run at the configured rate."""

from __future__ import annotations

import math


def gradients(session) -> dict:
    """One backward at initialization on a real batch, one step at the
    configured rate, a second backward: per parameter whether a gradient
    arrived (None), whether it was exactly zero, its norm against the
    weight's, and the step's change against the weight; per module whether
    it ran with autograd off."""
    return session.memo("gradients", lambda: _gradients(session))


def _gradients(session) -> dict:
    torch = session.torch
    model = session.fresh_model()
    calls: dict[str, dict] = {}

    def hook(name):
        def record(module, args, output):
            entry = calls.setdefault(name, {"grad_enabled": True})
            entry["grad_enabled"] = entry["grad_enabled"] and torch.is_grad_enabled()
        return record

    handles = [module.register_forward_hook(hook(name))
               for name, module in model.named_modules() if name]
    optimizer = session.optimizer(model)
    # Under fp16 small gradients underflow to zero unless the loss is scaled:
    # scaled and unscaled as GradScaler does, so "exactly zero" means zero.
    scaler = torch.amp.GradScaler(session.device.type) if session.options.amp == "fp16" \
        else None
    try:
        x, y = session.batch(0)
        _, loss = session.forward_loss(model, x, y)
        (scaler.scale(loss) if scaler is not None else loss).backward()
        if scaler is not None:
            scaler.unscale_(optimizer)
    finally:
        for handle in handles:
            handle.remove()
    params = {name: p for name, p in model.named_parameters() if p.requires_grad}
    before = {name: p.detach().clone() for name, p in params.items()}
    first = {}
    for name, p in params.items():
        grad = p.grad
        first[name] = {
            "none": grad is None,
            "zero": grad is not None and not bool(grad.detach().ne(0).any()),
            "grad_norm": float(grad.detach().float().norm()) if grad is not None else 0.0,
            "weight_norm": float(p.detach().float().norm()),
        }
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    for name, p in params.items():
        change = float((p.detach() - before[name]).float().norm())
        first[name]["update_norm"] = change
    optimizer.zero_grad(set_to_none=True)
    x, y = session.batch(1)
    _, loss2 = session.forward_loss(model, x, y)
    (scaler.scale(loss2) if scaler is not None else loss2).backward()
    for name, p in params.items():
        first[name]["zero_again"] = p.grad is None or not bool(p.grad.detach().ne(0).any())
        first[name]["none_again"] = p.grad is None
    return {"params": first, "calls": calls}


def range_test(session) -> dict:
    """The learning-rate range test (Smith 2017; as torch-lr-finder runs it):
    from 1e-7 to 10 in ``range_steps`` exponential steps on a fresh copy, a
    new batch each step, the loss smoothed (exponential average, weight 0.05
    on the newest), stopped once it exceeds 5 × the best. The suggestion is
    the rate where the smoothed loss falls fastest (the steepest negative
    gradient over log-spaced rates, the first 10 and last 5 points left
    out); the divergence point is the rate where it stopped."""
    return session.memo("range_test", lambda: _range_test(session))


START_LR, END_LR, SMOOTH, DIVERGE, SKIP_START, SKIP_END = 1e-7, 10.0, 0.05, 5.0, 10, 5


def _range_test(session) -> dict:
    steps = session.options.steps("range_steps")
    model = session.fresh_model()
    optimizer = session.optimizer(model, lr=START_LR)
    ratio = (END_LR / START_LR) ** (1 / max(1, steps - 1))
    lrs, losses, best, diverged = [], [], math.inf, None
    smoothed = None
    for step in range(steps):
        lr = START_LR * ratio ** step
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = session.batch(step)
        optimizer.zero_grad(set_to_none=True)
        _, loss = session.forward_loss(model, x, y)
        value = float(loss.detach())
        if not math.isfinite(value):
            diverged = lr
            break
        loss.backward()
        optimizer.step()
        smoothed = value if smoothed is None else SMOOTH * value + (1 - SMOOTH) * smoothed
        lrs.append(lr)
        losses.append(smoothed)
        best = min(best, smoothed)
        if smoothed > DIVERGE * best:
            diverged = lr
            break
    return {"lrs": lrs, "losses": losses, "divergence": divergence(lrs, losses, diverged),
            "suggestion": steepest(lrs, losses), "onset": onset(lrs, losses)}


def reference(losses) -> float:
    """Where the test started: the median of its first points (the smoothing
    begins at one batch's loss, which may be low or high by chance)."""
    head = sorted(losses[:SKIP_START])
    return head[len(head) // 2]


def onset(lrs, losses, share: float = 0.1) -> float | None:
    """The first rate at which the smoothed loss has made ``share`` of its
    whole fall (from the start to the lowest): below it, a test this short
    learns nothing."""
    if len(losses) <= SKIP_START:
        return None
    start, lowest = reference(losses), min(losses[SKIP_START:])
    if start - lowest <= 0:
        return None
    return next(lr for lr, loss in zip(lrs[SKIP_START:], losses[SKIP_START:])
                if start - loss >= share * (start - lowest))


def divergence(lrs, losses, stopped) -> float | None:
    """The first rate past the lowest loss where the smoothed loss is back
    above where it started — worse than not training — or where the test
    stopped (5× the best, or a non-finite loss), whichever comes first."""
    if len(losses) > SKIP_START:
        start = reference(losses)
        lowest = min(range(SKIP_START, len(losses)), key=losses.__getitem__)
        for index in range(lowest, len(losses)):
            if losses[index] > start:
                return lrs[index]
    return stopped


def steepest(lrs, losses) -> float | None:
    """The rate where the loss falls fastest against log(rate), on the
    descent before the lowest loss (past it, a spike's fall back is steep too
    and would be a rate that diverges)."""
    lo, hi = SKIP_START, len(losses) - SKIP_END
    if hi - lo >= 3:
        hi = min(hi, lo + max(3, min(range(lo, hi), key=losses.__getitem__) - lo + 1))
    if hi - lo < 3:
        return None
    xs = [math.log(v) for v in lrs[lo:hi]]
    ys = losses[lo:hi]
    slopes = []
    for i in range(len(ys)):  # numpy.gradient's central differences
        if i == 0:
            slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
        elif i == len(ys) - 1:
            slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        else:
            slope = (ys[i + 1] - ys[i - 1]) / (xs[i + 1] - xs[i - 1])
        slopes.append(slope)
    best = min(range(len(slopes)), key=slopes.__getitem__)
    return lrs[lo + best] if slopes[best] < 0 else None


def short_run(session) -> dict:
    """``train_steps`` steps at the configured rate, optimizer and precision
    (GradScaler for fp16) on a fresh copy; stops at the first non-finite
    loss, gradient or weight, keeping the state before that step so that the
    step can be replayed to find the op. Returns the losses, what went
    non-finite where, and the model after (for the dead units)."""
    return session.memo("short_run", lambda: _short_run(session))


def _short_run(session) -> dict:
    import copy

    torch = session.torch
    model = session.fresh_model()
    optimizer = session.optimizer(model)
    scaler = torch.amp.GradScaler(session.device.type) if session.options.amp == "fp16" \
        else None
    losses, problem = [], None
    steps = session.options.steps("train_steps")
    for step in range(steps):
        state = copy.deepcopy(model.state_dict())
        x, y = session.batch(step)
        optimizer.zero_grad(set_to_none=True)
        _, loss = session.forward_loss(model, x, y)
        value = float(loss.detach())
        if not math.isfinite(value):
            problem = {"step": step, "where": "loss", "value": value, "state": state}
            break
        losses.append(value)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)  # skips a step with inf gradients: fp16's way
            scaler.update()
            continue
        loss.backward()
        bad = [name for name, p in model.named_parameters()
               if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
        if bad:
            problem = {"step": step, "where": "gradient", "parameters": bad, "state": state}
            break
        optimizer.step()
        bad = [name for name, p in model.named_parameters()
               if not bool(torch.isfinite(p.detach()).all())]
        if bad:
            problem = {"step": step, "where": "weights", "parameters": bad, "state": state}
            break
    return {"losses": losses, "steps": steps, "problem": problem, "model": model}
