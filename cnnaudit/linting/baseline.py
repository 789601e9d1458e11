"""``--baseline FILE``: only findings that are not in the baseline fail.

A finding is keyed by its model, code and layer name (and, for findings
without a layer, its message with the numbers taken out), not by its line, so
that moving code does not make an old finding new. Keys are counted: a second
instance of the same finding is new.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from ..errors import CnnauditError


def finding_key(report, finding) -> str:
    model = report.spec or report.model
    if finding.layer:
        return f"{model}|{finding.code}|{finding.layer}"
    return f"{model}|{finding.code}|{re.sub(r'[0-9][0-9,.]*', '#', finding.message)}"


def write_baseline(path: str, reports) -> int:
    counts = Counter(finding_key(r, f) for r in reports for f in r.findings)
    data = {"schema_version": 1, "tool": "cnnaudit",
            "findings": [{"key": k, "count": n} for k, n in sorted(counts.items())]}
    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise CnnauditError(f"cannot write the baseline: {exc.strerror}", path) from None
    return sum(counts.values())


def read_baseline(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return Counter({item["key"]: int(item["count"]) for item in data["findings"]})
    except FileNotFoundError:
        raise CnnauditError(f"no such baseline: {path} (create it with --update-baseline)") \
            from None
    except (ValueError, KeyError, TypeError, OverflowError):
        raise CnnauditError("not a cnnaudit baseline file", path) from None


def apply_baseline(reports, baseline: Counter) -> int:
    """Drop baselined findings from ``reports``; returns how many were dropped."""
    remaining = Counter(baseline)
    dropped = 0
    for report in reports:
        kept = []
        for finding in report.findings:
            key = finding_key(report, finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                dropped += 1
            else:
                kept.append(finding)
        report.baselined = len(report.findings) - len(kept)
        report.findings = kept
    return dropped
