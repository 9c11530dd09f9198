"""The observation: one figure, from one source, about one series at one time."""

from __future__ import annotations

import re
from typing import NamedTuple

from tracker.dates import Period
from tracker.values import Value

KINDS = ("observed", "baseline", "announced", "forecast")
METRIC_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Metrics whose values can never be negative: a price or lead time below zero is a typo.
NON_NEGATIVE_METRICS = ("price", "lead_time")


class Observation(NamedTuple):
    """One time-stamped figure.

    Attributes:
        period: the date with its precision (day, month, quarter, year).
        supplier: canonical supplier name; None for a market-wide figure.
        material: material family, e.g. ``BT resin``, ``glass cloth``.
        product: grade or product (``NSA``, ``7628``); None when not specific.
        metric: snake_case metric (``lead_time``, ``price``, ``capacity``...).
        value: the figure in the canonical unit: bounds, openness, approximation.
        unit: the canonical unit (``weeks``, ``CNY/t``).
        entered: value and unit as first entered (``28-30 万元/吨``), kept verbatim.
        kind: ``observed``, ``baseline`` (a stated normal level), ``announced``
            (a supplier's announced change or plan) or ``forecast``.
        source: title, URL or source id; None when unknown.
        quote: the sentence the figure was taken from.
        note: free text.
        recorded_at: when it was recorded, ISO 8601 UTC; set by the store.
        id: the store's id; None before it is stored.
    """

    period: Period
    supplier: str | None
    material: str
    product: str | None
    metric: str
    value: Value
    unit: str
    entered: str
    kind: str = "observed"
    source: str | None = None
    quote: str | None = None
    note: str | None = None
    recorded_at: str | None = None
    id: int | None = None

    @property
    def series(self) -> tuple[str | None, str, str | None, str, str]:
        """What makes figures comparable: (supplier, material, product, metric, unit)."""
        return (self.supplier, self.material, self.product, self.metric, self.unit)
