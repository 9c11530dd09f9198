"""How figures moved: pure functions on observations, no database, no I/O.

Changes are bound to bound: 28-30 -> 32-35 is +14.3% on the low bound and
+16.7% on the high bound, and the midpoint moves +15.5%.  A bound that is open
at either end has no change (None), never a made-up number; instead
:attr:`Change.at_least` / :attr:`Change.at_most` give what can honestly be said
("4-6 weeks -> >=6 weeks" is "at least +0%").

Zero or missing base: a percentage change from a base of 0 is undefined, so
it is None (empty in CSV, null in JSON, "n/a" in tables); the absolute change
is still given.  A series with one observation has no change at all.

Units: observations are stored in canonical units (days and months already
converted to weeks), so a series compares like with like.  Two different
canonical units, e.g. CNY/t and USD/t, are never compared: there is no FX
conversion, and :func:`change` raises instead of guessing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from tracker.dates import RANK
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.values import Value


class Change(NamedTuple):
    """From one value to another.

    Attributes:
        low_abs, high_abs, mid_abs: absolute change of each bound / midpoint.
        low_pct, high_pct, mid_pct: percentage change (14.2857 for +14.29%);
            None where the bound is open at either end or its base is zero.
        at_least: for a move to an open-above value (">=6"), the smallest
            change consistent with both figures, in percent; else None.
        at_most: for a move to an open-below value ("<=22"), the largest.
    """

    low_abs: float | None
    high_abs: float | None
    mid_abs: float | None
    low_pct: float | None
    high_pct: float | None
    mid_pct: float | None
    at_least: float | None = None
    at_most: float | None = None


NO_CHANGE = Change(None, None, None, None, None, None)


@lru_cache(maxsize=65536)
def _exact(x: float) -> Decimal:
    """The decimal the user typed (repr is the shortest text of the float).

    Decimal arithmetic (28 significant digits, then one rounding to float)
    keeps the binary noise of 4.1 - 3.6 out of percentages people compare
    with the source, and is fast enough for a million rows.
    """
    return Decimal(repr(x))


def pct(old: float | None, new: float | None) -> float | None:
    """Percentage change old -> new; None when either is missing or old is zero.

    Computed exactly on the decimals and rounded once, so 3.6 -> 4.1 gives
    13.88888888888889 rather than binary noise (13.888888888888875).
    """
    if old is None or new is None or old == 0:
        return None
    result = float((_exact(new) - _exact(old)) / abs(_exact(old)) * 100)
    return result if math.isfinite(result) else None  # beyond a float: no number to give


def _sub(a: float, b: float) -> float:
    return float(_exact(a) - _exact(b))


def _diff(old: float | None, new: float | None) -> float | None:
    """new - old on the decimals: 4.1 - 3.6 is 0.5, not 0.49999999999999956 (None beyond
    a float: -1e308 -> 1e308 in a database from before values were bounded)."""
    if old is None or new is None:
        return None
    d = float(_exact(new) - _exact(old))
    return d if math.isfinite(d) else None


def change(
    old: Value, new: Value, old_unit: str | None = None, new_unit: str | None = None
) -> Change:
    """Bound-to-bound change from `old` to `new` (both in the same canonical unit)."""
    if old_unit is not None and new_unit is not None and old_unit != new_unit:
        raise TrackerError(
            f"cannot compare {old_unit} with {new_unit}: different units "
            "(the tracker does no currency conversion)"
        )
    at_least = at_most = None
    if new.high is None and new.low is not None:
        # new is ">= x": the change is at least from old's highest possible value
        at_least = pct(old.high, new.low)
    if new.low is None and new.high is not None:
        at_most = pct(old.low, new.high)
    if old.is_point and new.is_point:  # one figure each: low, high and midpoint move alike
        d, p = _diff(old.low, new.low), pct(old.low, new.low)
        return Change(d, d, d, p, p, p, at_least, at_most)
    return Change(
        low_abs=_diff(old.low, new.low),
        high_abs=_diff(old.high, new.high),
        mid_abs=_diff(old.midpoint, new.midpoint),
        low_pct=pct(old.low, new.low),
        high_pct=pct(old.high, new.high),
        mid_pct=pct(old.midpoint, new.midpoint),
        at_least=at_least,
        at_most=at_most,
    )


def ratio(value: Value, base: Value) -> tuple[float | None, float | None]:
    """Bound-to-bound ratio to a baseline: 16-20 weeks vs normal 8-10 is (2.0, 2.0)."""

    def r(a: float | None, b: float | None) -> float | None:
        if a is None or b is None or b == 0:
            return None
        q = float(_exact(a) / _exact(b))
        return q if math.isfinite(q) else None  # 1e15 / 1e-300: no number to give

    return r(value.low, base.low), r(value.high, base.high)


Series = tuple[str | None, str, str | None, str, str]


def series_key(o: Observation) -> tuple[str, str, str, str, str]:
    """Grouping key: case-insensitive names, so 'BT Resin' and 'BT resin' are one series."""
    return ((o.supplier or "").casefold(), o.material.casefold(), (o.product or "").casefold(),
            o.metric, o.unit)  # fmt: skip


def order_key(
    supplier: str | None, material: str, product: str | None, metric: str, unit: str
) -> str:
    """Report order: metric, supplier (market-wide last), material, product, unit, as
    one string, which compares faster than a tuple and sorts the same way: the parts
    joined by NUL, which no stored text holds and which sorts first."""
    return "\x00".join((metric, "1" if supplier is None else "0", (supplier or "").casefold(),
                        material.casefold(), (product or "").casefold(), unit))  # fmt: skip


def ordered(observations: Iterable[Observation]) -> list[Observation]:
    """By start of period; on a tie a coarser period first, then a normal level (the
    reference the others are read against), then in recorded order."""
    return sorted(observations, key=_order)


def _order(o: Observation) -> tuple[date, int, bool, int]:
    p = o.period
    return (p.start, RANK[p.precision], o.kind != "baseline", o.id or 0)


class Summary(NamedTuple):
    """One series: where it started, where it is, and how far it moved.

    Attributes:
        series: (supplier, material, product, metric, unit).
        first, previous, last: observations in period order (a stated normal level
            counts: "8-10 weeks normally, 16-20 now" is a move of +100%);
            previous is None for a one-observation series.
        n_observations: number of observations in the series.
        change: first -> last (NO_CHANGE for a one-observation series).
        baseline: the latest `baseline` observation (a stated normal level), if any.
        ratio_low, ratio_high: last / baseline, bound to bound (when last is not it).
    """

    series: Series
    first: Observation
    previous: Observation | None
    last: Observation
    n_observations: int
    change: Change
    baseline: Observation | None
    ratio_low: float | None
    ratio_high: float | None

    @property
    def supplier(self) -> str | None:
        return self.series[0]

    @property
    def metric(self) -> str:
        return self.series[3]


def group(observations: Iterable[Observation]) -> dict[tuple[str, ...], list[Observation]]:
    """Observations per series, each list in period order."""
    groups: dict[tuple[str, ...], list[Observation]] = {}
    for o in ordered(observations):
        groups.setdefault(series_key(o), []).append(o)
    return groups


def summarise(observations: Iterable[Observation]) -> list[Summary]:
    """A Summary per series, sorted by metric, supplier (market-wide last), material, product."""
    out: list[Summary] = []
    for obs in group(observations).values():
        baselines = [o for o in obs if o.kind == "baseline"]
        summary = summary_of(obs, len(obs), baselines[-1] if baselines else None)
        if summary is not None:
            out.append(summary)
    out.sort(key=_summary_order)
    return out


def summary_of(
    candidates: list[Observation], n: int, baseline: Observation | None
) -> Summary | None:
    """The Summary of one series from the observations that can be first, previous or last.

    `candidates` may be the whole series or only its rows at the earliest,
    the latest and the previous start (what the store reads from its index);
    `n` is the size of the whole series.  None when there are no candidates.
    """
    regular = ordered(candidates)
    if not regular:
        return None
    first, last = regular[0], regular[-1]
    ch = change(first.value, last.value) if n > 1 else NO_CHANGE
    compare = baseline is not None and last is not baseline and last.kind != "baseline"
    rl, rh = ratio(last.value, baseline.value) if compare and baseline else (None, None)
    previous = regular[-2] if n > 1 and len(regular) > 1 else None
    return Summary(last.series, first, previous, last, n, ch, baseline, rl, rh)


def sort_summaries(summaries: Iterable[Summary]) -> list[Summary]:
    """Report order: metric, then supplier (market-wide last), material, product, unit."""
    return sorted(summaries, key=_summary_order)


def _summary_order(s: Summary) -> str:
    return order_key(*s.series)


# --- stated against computed -----------------------------------------------

CHANGE_SUFFIX = "_change"


class Check(NamedTuple):
    """A percentage the source stated, next to the one its own figures give.

    Attributes:
        stated: the `<metric>_change` observation (unit %).
        base, target: the observations the computed change runs between; None
            when the dataset holds nothing to compute it from.
        computed: the computed change (NO_CHANGE when there is nothing to compute).
        differences: per compared bound, stated minus computed, in percentage points.
        tolerance: the allowed difference in points.
        status: ``ok``, ``differs`` or ``unchecked`` (no figures to compute from).
    """

    stated: Observation
    base: Observation | None
    target: Observation | None
    computed: Change
    differences: tuple[float, ...]
    tolerance: float
    status: str


def rounding_tolerance(stated: Value) -> float:
    """Half a unit in the last digit the source gave: 15 -> 0.5, 14.3 -> 0.05."""
    decimals = 0
    for b in (stated.low, stated.high):
        if b is not None:
            text = repr(b)
            if "." in text and "e" not in text:
                frac = text.split(".")[1].rstrip("0")
                decimals = max(decimals, len(frac))
    return 0.5 * 10 ** (-decimals)


def check_stated(
    observations: Iterable[Observation], tolerance: float | None = None
) -> list[Check]:
    """Every stated percentage change in `observations`, checked against the figures.

    A stated row is metric `X_change` in %, dated when the change was reported.
    It is compared with series X of the same supplier, material and product:
    from its first observation to its last observation starting no later than
    the stated row's period ends.  With a single observation the base is the
    series' baseline (the "twice normal" case).  A stated range is compared
    bound to bound (250-300% against a computed +300% differs by 50 points on
    the low bound); a stated open bound (">0") only has to contain the
    computed change.  `tolerance` (points) defaults to rounding of the stated figure.
    """
    obs = list(observations)
    groups = group(obs)
    checks: list[Check] = []
    for s in ordered(obs):
        if not (s.metric.endswith(CHANGE_SUFFIX) and s.unit == "%"):
            continue
        base_metric = s.metric[: -len(CHANGE_SUFFIX)]
        candidates = [
            g for k, g in groups.items()
            if k[0] == (s.supplier or "").casefold() and k[1] == s.material.casefold()
            and k[2] == (s.product or "").casefold() and k[3] == base_metric
        ]  # fmt: skip
        tol = rounding_tolerance(s.value) if tolerance is None else tolerance
        base = target = None
        for g in candidates:
            upto = [o for o in g if o.period.start <= s.period.end]
            if len(upto) >= 2:  # first to last, a stated normal level first on a tie
                base, target = upto[0], upto[-1]
                break
        if base is None or target is None:
            checks.append(Check(s, None, None, NO_CHANGE, (), tol, "unchecked"))
            continue
        computed = change(base.value, target.value)
        diffs = _differences(s.value, computed)
        ok = diffs is not None and all(abs(d) <= tol + 1e-9 for d in diffs)
        status = "ok" if ok else ("differs" if diffs is not None else "unchecked")
        checks.append(Check(s, base, target, computed, tuple(diffs or ()), tol, status))
    return checks


def _differences(stated: Value, computed: Change) -> list[float] | None:
    lo, hi = computed.low_pct, computed.high_pct
    if lo is None and hi is None:
        return None
    lo = hi if lo is None else lo
    hi = lo if hi is None else hi
    assert lo is not None and hi is not None
    if stated.low is not None and stated.high is not None:
        return [_sub(stated.low, lo), _sub(stated.high, hi)]
    # an open stated bound: only how far the computed change falls outside it counts
    out = []
    if stated.low is not None:
        out.append(min(0.0, _sub(lo, stated.low)))
    if stated.high is not None:
        out.append(max(0.0, _sub(hi, stated.high)))
    return out
