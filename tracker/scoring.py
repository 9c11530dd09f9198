"""How good extraction is: recall and precision against hand-checked rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EVALUATED = ("price", "lead_time")


@dataclass
class Score:
    """Extracted rows against hand-checked ones, for one metric."""

    metric: str
    expected: int
    extracted: int
    matched: int
    missed: list[str]
    extra: list[str]

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0


def score(
    extracted: list[dict[str, str]], expected: list[dict[str, str]], aliases: dict[str, str]
) -> list[Score]:
    """Recall and precision per metric; a match is the same metric, supplier, date and value.

    Values are compared after normalising units (16-20 周 is 16-20 weeks);
    material and product names are labels and are not compared.
    """
    from tracker.importer import build_observation

    def key(row: dict[str, str]) -> tuple[Any, ...] | None:
        o, _ = build_observation(row, aliases, "", None)
        if o is None:
            return None
        v = o.value
        return (
            o.metric,
            o.supplier,
            o.period.text,
            v.low,
            v.high,
            v.low_strict,
            v.high_strict,
            v.special,
            o.unit,
        )

    out = []
    for metric in EVALUATED:
        want = [r for r in expected if r.get("metric") == metric]
        got = [r for r in extracted if r.get("metric") == metric]
        pool = [key(r) for r in want]
        matched, extra = 0, []
        for r in got:
            k = key(r)
            if k is not None and k in pool:
                pool[pool.index(k)] = None  # each expected row matches once
                matched += 1
            else:
                extra.append(_describe(r))
        missed = [_describe(r) for r, k in zip(want, pool, strict=True) if k is not None]
        out.append(Score(metric, len(want), len(got), matched, missed, extra))
    return out


def _describe(r: dict[str, str]) -> str:
    who = r.get("supplier") or "(market)"
    figure = f"{r.get('value')} {r.get('unit')}"
    return f"{r.get('date') or '?'} {who} {figure}: {(r.get('quote') or '')[:40]}"
