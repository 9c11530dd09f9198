"""How good extraction is: recall and precision against hand-checked rows.

Two rows are the same figure when they agree on the supplier (any alias),
the metric, the product, the value (each bound within 0.5%, with the same
openness), the canonical unit, and their dates overlap (2025-01 holds
2025-01-01).  Products agree when they are the same after folding case,
spaces and hyphens, or when every word of one is a word of the other ("0.04mm"
and "Low CTE 0.04mm"): a reviewer reads both as the same grade.  Material,
kind, quote and note are not compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EVALUATED = ("price", "price_change", "lead_time")
TOLERANCE = 0.005


@dataclass
class Score:
    """Extracted rows against hand-checked ones, for one metric (or 'total')."""

    metric: str
    expected: int
    extracted: int
    matched: int
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0


@dataclass
class _Row:
    text: dict[str, str]
    key: dict[str, Any] | None  # None: the row does not even parse


def _key(row: dict[str, str], aliases: dict[str, str]) -> dict[str, Any] | None:
    from tracker.importer import build_observation

    o, _ = build_observation({k: v for k, v in row.items() if k != "source"}, aliases, "", None)
    if o is None:
        return None
    v = o.value
    return {
        "supplier": (o.supplier or "").casefold(),
        "metric": o.metric,
        "product": o.product or "",
        "value": (v.low, v.high, v.low_strict, v.high_strict, v.special),
        "unit": o.unit,
        "date": (o.period.start, o.period.end),
    }


def _product_words(p: str) -> set[str]:
    p = p.casefold().replace("micron", "μm").replace("µ", "μ")
    return {re.sub(r"[\s\-_]", "", w) for w in re.split(r"[\s/]+", p) if w}


def same_product(a: str, b: str) -> bool:
    """Equal after folding, or every word of one is a word of the other."""
    if not a or not b:
        return a == b
    wa, wb = _product_words(a), _product_words(b)
    fold = lambda s: re.sub(r"[\s\-_]", "", s.casefold())  # noqa: E731
    return fold(a) == fold(b) or wa <= wb or wb <= wa


def _close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return abs(x - y) <= TOLERANCE * max(abs(x), abs(y)) or abs(x - y) < 1e-9


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The fields in which two parsed rows differ (empty: the same figure)."""
    out = []
    for f in ("supplier", "metric", "unit"):
        if a[f] != b[f]:
            out.append(f)
    if not same_product(a["product"], b["product"]):
        out.append("product")
    va, vb = a["value"], b["value"]
    if not (_close(va[0], vb[0]) and _close(va[1], vb[1]) and va[2:] == vb[2:]):
        out.append("value")
    if not (a["date"][0] <= b["date"][1] and b["date"][0] <= a["date"][1]):
        out.append("date")
    return out


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    return a is not None and b is not None and not differences(a, b)


def score(extracted: list[dict[str, str]], expected: list[dict[str, str]],
          aliases: dict[str, str]) -> list[Score]:  # fmt: skip
    """Recall and precision per metric of EVALUATED, then the total."""
    out = []
    for metric in EVALUATED:
        want = [_Row(r, _key(r, aliases)) for r in expected if r.get("metric") == metric]
        got = [_Row(r, _key(r, aliases)) for r in extracted if r.get("metric") == metric]
        free = list(range(len(got)))
        missed_rows = []
        for w in want:
            hit = next((i for i in free if _same(w.key, got[i].key)), None)
            if hit is None:
                missed_rows.append(w)
            else:
                free.remove(hit)
        extra_rows = [got[i] for i in free]
        missed = [_describe(w, extra_rows) for w in missed_rows]
        extra = [_describe(g, missed_rows) for g in extra_rows]
        out.append(Score(metric, len(want), len(got), len(want) - len(missed_rows), missed, extra))
    out.append(Score("total", sum(s.expected for s in out), sum(s.extracted for s in out),
                     sum(s.matched for s in out), [m for s in out for m in s.missed],
                     [e for s in out for e in s.extra]))  # fmt: skip
    return out


def _describe(r: _Row, others: list[_Row]) -> str:
    """The row, and how the nearest row on the other side differs from it."""
    t = r.text
    who = t.get("supplier") or "(market)"
    product = f" [{t['product']}]" if t.get("product") else ""
    line = f"{t.get('date') or '?'} {who}{product} {t.get('value')} {t.get('unit')}: " \
           f"{(t.get('quote') or '')[:40]}"  # fmt: skip
    if r.key is None:
        return line + " (does not parse)"
    best: tuple[int, list[str], _Row] | None = None
    for o in others:
        if o.key is None:
            continue
        d = differences(r.key, o.key)
        if best is None or len(d) < best[0]:
            best = (len(d), d, o)
    if best is None or best[0] > 2:
        return line
    other = best[2].text
    shown = ", ".join(f"{f} {other.get(f) or '(none)'}" if f != "value"
                      else f"value {other.get('value')} {other.get('unit')}"
                      for f in best[1])  # fmt: skip
    return f"{line} — nearest differs in {shown}"


def table(scores: list[Score]) -> str:
    """Recall and precision per metric, as `extract --against` and bench/news.py print it."""
    from tracker.table import render

    return render(["metric", "expected", "extracted", "matched", "recall", "precision"],
                  [[s.metric, str(s.expected), str(s.extracted), str(s.matched),
                    f"{s.recall:.1%}", f"{s.precision:.1%}"] for s in scores],
                  right=(1, 2, 3, 4, 5))  # fmt: skip


def add(a: list[Score], b: list[Score]) -> list[Score]:
    """Scores of two sets of articles together (metric by metric)."""
    if not a:
        return [Score(s.metric, s.expected, s.extracted, s.matched, list(s.missed), list(s.extra))
                for s in b]  # fmt: skip
    return [Score(x.metric, x.expected + y.expected, x.extracted + y.extracted,
                  x.matched + y.matched, x.missed + y.missed, x.extra + y.extra)
            for x, y in zip(a, b, strict=True)]  # fmt: skip
