"""The statistics behind a probe verdict: plain Python, seeded, no numpy.

Timing is a paired experiment. Variants train in interleaved rounds, so round
r of a variant and round r of the original ran under the same machine state;
the per-round ratio variant/original cancels drift that hits both. Its median
over rounds is the estimate, and a percentile bootstrap over rounds (Efron &
Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13) gives a 95 %
interval: rounds are resampled with replacement and the median ratio taken
each time. A bootstrap rather than a rank test (Wilcoxon signed-rank) because
a user needs the size of the effect with its uncertainty ("15 % faster, 12 to
18 %"), not only a p-value, and the median of ratios has no closed-form interval.

Accuracy is a paired comparison on the same held-out examples: only the
discordant pairs carry information (b: the original right and the variant
wrong; c: the reverse). McNemar's exact test (McNemar 1947; the binomial form,
Fagerland et al., BMC Med Res Methodol 13:91, 2013) gives the p-value; the
difference of the two accuracies, (c − b)/n, gets the Wald interval for paired
proportions (Agresti, *Categorical Data Analysis*, 3rd ed., §11.1):
se = sqrt(b + c − (c − b)²/n) / n.
"""

from __future__ import annotations

import math
import random
import statistics

Z95 = 1.959963984540054
RESAMPLES = 2000
# Below this many paired rounds a bootstrap interval means little (with one
# round it is a point): no speed verdict, however clear the ratio looks.
MIN_ROUNDS = 5
MEMORY_CLAIM = 0.02  # a predicted saving smaller than this is no claim


def paired_ratio(variant_rounds, base_rounds, seed: int = 0) -> dict | None:
    """Median of per-round ratios variant/original with its 95 % bootstrap
    interval; rounds where either has no timed steps are left out."""
    ratios = [v / b for v, b in zip(variant_rounds, base_rounds)
              if v is not None and b is not None and b > 0]
    if not ratios:
        return None
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios)))
                     for _ in range(RESAMPLES))
    low = medians[int(0.025 * RESAMPLES)]
    high = medians[int(0.975 * RESAMPLES) - 1]
    return {"median": statistics.median(ratios), "low": low, "high": high,
            "rounds": len(ratios)}


def speed_claim(ratio: dict | None, tolerance: float, round_steps: int) -> dict:
    """The claim "at least ``tolerance`` faster": confirmed when the whole
    interval of the step-time ratio lies below 1 − tolerance, refuted when it
    lies wholly above, else inconclusive with the steps that would likely
    resolve it (the interval narrows as 1/sqrt(rounds)); inconclusive too
    with fewer than ``MIN_ROUNDS`` rounds."""
    if ratio is None:
        return {"outcome": "not measured"}
    threshold = 1 - tolerance
    claim = {"ratio": ratio, "threshold": threshold}
    if ratio["rounds"] < MIN_ROUNDS:
        return {"outcome": "inconclusive", "too_few_rounds": True,
                "steps_to_resolve": MIN_ROUNDS * round_steps, **claim}
    if ratio["high"] < threshold:
        return {"outcome": "confirmed", **claim}
    if ratio["low"] > threshold:
        return {"outcome": "refuted", **claim}
    half = (ratio["high"] - ratio["low"]) / 2
    distance = abs(ratio["median"] - threshold)
    if distance > 0:
        rounds = math.ceil(ratio["rounds"] * (half / distance) ** 2)
        claim["steps_to_resolve"] = rounds * round_steps
    return {"outcome": "inconclusive", **claim}


def mcnemar_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: the smaller discordant count under
    Binomial(b + c, 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def paired_accuracy(base_correct, variant_correct) -> dict | None:
    """Accuracy difference (variant − original, in points) with its 95 %
    interval and McNemar's p, over the same held-out examples."""
    if base_correct is None or variant_correct is None or \
            len(base_correct) != len(variant_correct) or not base_correct:
        return None
    n = len(base_correct)
    b = sum(1 for o, v in zip(base_correct, variant_correct) if o and not v)
    c = sum(1 for o, v in zip(base_correct, variant_correct) if v and not o)
    diff = (c - b) / n
    se = math.sqrt(max(b + c - (c - b) ** 2 / n, 0)) / n
    return {"difference": 100 * diff, "low": 100 * (diff - Z95 * se),
            "high": 100 * (diff + Z95 * se), "p_value": mcnemar_p(b, c),
            "discordant": [b, c], "examples": n}


def accuracy_claim(accuracy: dict | None, tolerance: float) -> dict:
    """The claim "no accuracy loss beyond ``tolerance`` points": refuted when
    the whole interval lies below −tolerance (a significant drop larger than
    the tolerance), confirmed when it lies wholly above, else inconclusive."""
    if accuracy is None:
        return {"outcome": "not measured"}
    if accuracy["high"] < -tolerance:
        return {"outcome": "refuted", **accuracy}
    if accuracy["low"] > -tolerance:
        return {"outcome": "confirmed", **accuracy}
    return {"outcome": "inconclusive", **accuracy}


def memory_claim(variant_peak: int | None, base_peak: int | None,
                 variant_estimate: int | None = None, base_estimate: int | None = None) -> dict:
    """Peak memory is measured once per variant, alone, by counting allocations
    (the CUDA allocator, or the CPU storage tracker): a count, not a noisy
    time, so a plain comparison. A suggestion claims a memory saving only
    where the estimates predict one (by more than ``MEMORY_CLAIM``); otherwise
    the measured change is reported without a claim."""
    if not variant_peak or not base_peak:
        return {"outcome": "not measured"}
    ratio = variant_peak / base_peak
    predicted = (variant_estimate / base_estimate
                 if variant_estimate and base_estimate else None)
    if predicted is None or predicted > 1 - MEMORY_CLAIM:
        return {"outcome": "no claim", "ratio": ratio, "predicted_ratio": predicted}
    outcome = "confirmed" if ratio < 1 else "refuted"
    return {"outcome": outcome, "ratio": ratio, "predicted_ratio": predicted}
