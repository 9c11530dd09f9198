"""How figures read for people: one wording for the report, the charts and the briefing.

Machines get exact numbers (export, csv, json); people get these: thousands
separators, one decimal on percentages, "≥6 weeks", and for a change to an
open bound only what can honestly be said ("at least +0.0%").
"""

from __future__ import annotations

from tracker.analysis import Change
from tracker.values import ALLOCATION, Value


def human_number(x: float) -> str:
    """320,000 / 4.1 / 4.3482: thousands separators, at most 4 decimals; a figure too
    small for that in 4 significant digits (2.5e-05), never as 0."""
    if x.is_integer():
        return f"{int(x):,}"
    if abs(x) < 0.0001:
        return f"{x:.4g}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def human_value(v: Value, unit: str) -> str:
    """'16-20 weeks', '≥6 weeks', '~15%', '320,000-350,000 CNY/t', 'allocation'."""
    if v.special == ALLOCATION or (v.low is None and v.high is None):
        return ALLOCATION
    approx = "~" if v.approx else ""
    lo, hi = v.low, v.high
    if lo is not None and hi is not None:
        body = human_number(lo) if lo == hi else f"{human_number(lo)}-{human_number(hi)}"
    elif lo is not None:
        body = (">" if v.low_strict else "≥") + human_number(lo)
    else:
        assert hi is not None
        body = ("<" if v.high_strict else "≤") + human_number(hi)
    return f"{approx}{body}{unit}" if unit == "%" else f"{approx}{body} {unit}"


def signed_pct(x: float | None) -> str:
    """+14.3%, -2.0%, n/a."""
    return "n/a" if x is None else f"{x:+.1f}%"


def describe_change(ch: Change, n_observations: int) -> str:
    """'+14.3% / +16.7%', '+13.9%', 'at least +0.0%', '+50.0% (low)', '—' (nothing to compare)."""
    if n_observations < 2:
        return "—"
    lo, hi = ch.low_pct, ch.high_pct
    if lo is not None and hi is not None:
        return signed_pct(lo) if abs(lo - hi) < 1e-9 else f"{signed_pct(lo)} / {signed_pct(hi)}"
    if ch.at_least is not None:
        return f"at least {signed_pct(ch.at_least)}"
    if ch.at_most is not None:
        return f"at most {signed_pct(ch.at_most)}"
    if lo is not None:
        return f"{signed_pct(lo)} (low)"
    if hi is not None:
        return f"{signed_pct(hi)} (high)"
    return "n/a"
