"""A verdict per variant from its measurements against the original's."""

from __future__ import annotations

from .results import ProbeOptions

IQR_WARNING = 0.10


def assign_verdicts(variants, options: ProbeOptions) -> None:
    original = variants[0]
    base = original.step_time_ms()
    original.verdict = "baseline"
    for variant in variants[1:]:
        if variant.status != "ok":
            variant.verdict = variant.status
            continue
        timing = variant.step_time_ms()
        if (original.accuracy is not None and variant.accuracy is not None
                and original.accuracy - variant.accuracy > options.accuracy_tolerance):
            variant.verdict = "hurts accuracy"
        elif base and timing and timing["median"] < base["median"] * (1 - options.speed_tolerance):
            variant.verdict = "confirmed"
        else:
            variant.verdict = "no speed-up on this device"


def timing_warnings(variants) -> list[str]:
    """A warning per variant whose step times vary too much to trust."""
    warnings = []
    for variant in variants:
        timing = variant.step_time_ms()
        if timing and timing["median"] and timing["iqr"] / timing["median"] > IQR_WARNING:
            warnings.append(f"{variant.name}: step times vary (IQR {timing['iqr']:.2f} ms is "
                            f"{timing['iqr'] / timing['median']:.0%} of the median); "
                            "more --steps or a quieter machine give firmer numbers")
    return warnings
