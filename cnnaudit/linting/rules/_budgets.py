"""Shared by the budget rules (CNA401-403)."""

from ...units import format_bytes, format_count


def over(value: int, budget: int, what: str, unit: str = "") -> str:
    # A budget of 0 has no percentage to be over by.
    pct = f" (+{(value - budget) / budget:.0%})" if budget > 0 else ""
    if unit == "bytes":
        return f"{what} {format_bytes(value)} is over the budget of {format_bytes(budget)}{pct}"
    return f"{what} {format_count(value, unit)} ({value:,}) is over the budget of " \
           f"{format_count(budget, unit)} ({budget:,}){pct}"
