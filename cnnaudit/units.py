"""Parsing and formatting of sizes and counts. No torch here: the CLI parses
options with it before anything heavy is imported."""

from __future__ import annotations

import re
from math import prod

from .errors import CnnauditError

# Sizes whose element count (times a batch) overflows torch's int64 indexing.
MAX_SAMPLE_ELEMENTS = 1 << 48

_BYTE_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "t": 1000**4, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}


def parse_bytes(text: str) -> int:
    """``"8GiB"`` → 8589934592; ``"500MB"`` → 500000000; a bare number is bytes."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _BYTE_UNITS:
        raise CnnauditError(
            f"malformed memory size {text!r}: expected a number with an optional unit "
            "(B, KB, MB, GB, KiB, MiB, GiB), for example 8GiB"
        )
    return int(float(match.group(1)) * _BYTE_UNITS[unit])


def parse_input_size(text: str) -> tuple[int, ...]:
    """``"1,28,28"`` → ``(1, 28, 28)``: the shape of one sample, without the batch."""
    parts = [p.strip() for p in text.replace("x", ",").replace("×", ",").split(",")]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise CnnauditError(
            f"malformed --input-size {text!r}: expected comma-separated positive integers "
            "for one sample without the batch dimension, for example 3,224,224"
        ) from None
    if not dims or any(d <= 0 for d in dims):
        raise CnnauditError(
            f"malformed --input-size {text!r}: every dimension must be a positive integer"
        )
    if prod(dims) > MAX_SAMPLE_ELEMENTS:
        raise CnnauditError(
            f"malformed --input-size {text!r}: {prod(dims):,} elements per sample is more "
            f"than any tensor can index ({MAX_SAMPLE_ELEMENTS:,} at most)"
        )
    if len(dims) > 4:
        raise CnnauditError(
            f"malformed --input-size {text!r}: at most 4 dimensions (C,D,H,W) per sample; "
            "leave the batch dimension out"
        )
    return dims


def format_count(n: float | None, unit: str = "") -> str:
    """Exact below 10,000, then K/M/G/T with two decimals: ``5_383_000`` → ``5.38 M``."""
    if n is None:
        return ""
    if abs(n) < 10_000:
        text = f"{int(n):,}" if float(n).is_integer() else f"{n:.2f}"
        return f"{text} {unit}".rstrip()
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= factor:
            return f"{n / factor:.2f} {prefix}{unit}".rstrip()
    return str(n)


def format_bytes(n: float | None) -> str:
    """Binary units, as memory is sized: ``1536`` → ``1.50 KiB``."""
    if n is None:
        return ""
    if abs(n) < 1024:
        return f"{int(n)} B"
    for factor, prefix in ((1024**4, "TiB"), (1024**3, "GiB"), (1024**2, "MiB"), (1024, "KiB")):
        if abs(n) >= factor:
            return f"{n / factor:.2f} {prefix}"
    return f"{n} B"
