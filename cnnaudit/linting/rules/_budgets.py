"""Shared by the budget rules (CNA401-403)."""

from ...units import format_bytes, format_count


def over(value: int, budget: int, what: str, unit: str = "") -> str:
    pct = (value - budget) / budget
    if unit == "bytes":
        return f"{what} {format_bytes(value)} is over the budget of {format_bytes(budget)} " \
               f"(+{pct:.0%})"
    return f"{what} {format_count(value, unit)} ({value:,}) is over the budget of " \
           f"{format_count(budget, unit)} ({budget:,}) (+{pct:.0%})"
