"""A verdict per variant from its measurements against the original's."""

from __future__ import annotations

from .results import ProbeOptions
from .stats import accuracy_claim, memory_claim, paired_accuracy, paired_ratio, speed_claim

IQR_WARNING = 0.10


def assign_verdicts(variants, options: ProbeOptions, interrupted: bool = False) -> None:
    """Each variant's claims (speed, accuracy, memory) judged against the
    original's, then one verdict derived from them: confirmed, refuted (naming
    the claims), inconclusive, or not measured (a variant that did not finish
    gets no verdict)."""
    original = variants[0]
    original.verdict, original.claims = "baseline", {}
    for variant in variants[1:]:
        if interrupted or variant.status != "ok":
            why = variant.status if variant.status != "ok" else "interrupted"
            variant.claims, variant.verdict = {}, f"not measured ({why})"
            continue
        variant.claims = {
            "speed": speed_claim(paired_ratio(variant.round_times, original.round_times,
                                              options.seed),
                                 options.speed_tolerance, options.round_steps),
            "accuracy": accuracy_claim(paired_accuracy(original.correct, variant.correct),
                                       options.accuracy_tolerance),
            "memory": memory_claim(variant.peak_memory_bytes, original.peak_memory_bytes,
                                   variant.estimated_memory_bytes,
                                   original.estimated_memory_bytes),
        }
        variant.verdict = verdict_of(variant.claims)


def verdict_of(claims: dict) -> str:
    refuted = [name for name, claim in claims.items() if claim["outcome"] == "refuted"]
    if refuted:
        return f"refuted ({', '.join(refuted)})"
    open_claims = [name for name in ("speed", "accuracy")
                   if claims[name]["outcome"] != "confirmed"]
    if not open_claims:
        return "confirmed"
    return f"inconclusive ({', '.join(open_claims)})"


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
