"""Stage 3, what a quantity is: a lead time, a price, a price change, or none of these.

A quantity's unit says most of it (a duration, a price per unit, a percent);
the words around it say the rest: a lead-time word in the sentence (交期,
"lead times", "quoted"), a change word nearer to the figure than a level word
("上调8元" but "升至9600元/吨"; "by 6%" but "to US$2,800"), and the nearest
subject before it ("股价" or "revenue" make a percentage something else).
The words are data, in ``classify.toml``.  Nothing here knows a sentence of
any article: each rule is about one kind of word.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from tracker.news import quantities as qty
from tracker.news.quantities import Quantity
from tracker.news.text import Sentence, longest_first

TABLE = Path(__file__).with_name("classify.toml")
ALLOCATION = "allocation"


@dataclass(frozen=True)
class Figure:
    """A quantity that is a figure of interest.

    Attributes:
        start, end: the figure's span in the sentence (to mark it for review).
        metric: lead_time, price or price_change.
        value: in the interchange grammar (16-20, >=6, ~15, allocation).
        unit: weeks, 元/吨, USD/kg, % ...
        role: 'from' for the earlier end of "from X to Y", else ''.
        baseline: a stated normal level (正常情况下, "the normal 13", "used to").
        derived: a normal level computed from "twice the normal" (for review).
        unsized: a rise announced with no size (">0"), kept only if announced or forecast.
        confidence: how sure the reading is (0-1).
        note: what a reviewer should know.
    """

    start: int
    end: int
    metric: str
    value: str
    unit: str
    role: str = ""
    baseline: bool = False
    derived: bool = False
    unsized: bool = False
    confidence: float = 0.9
    note: str = ""


@dataclass(frozen=True)
class Words:
    lead: list[str]
    span_before: list[str]
    span_after: list[str]
    not_lead: list[str]
    allocation: list[str]
    price: list[str]
    up: list[str]
    down: list[str]
    level: list[str]
    after: list[str]
    other: list[str]
    baseline: list[str]
    some: list[str]
    rise: list[str]


@cache
def words(path: Path = TABLE) -> Words:
    t: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    low = lambda xs: longest_first(x.lower() for x in xs)  # noqa: E731
    return Words(
        low(t["lead_time"]["cues"]), low(t["lead_time"]["span_before"]),
        low(t["lead_time"]["span_after"]), low(t["lead_time"]["not_lead"]),
        low(t["allocation"]["phrases"]), low(t["price"]["words"]), low(t["change"]["up"]),
        low(t["change"]["down"]), low(t["change"]["level"]), low(t["change"]["after"]),
        low(t["subjects"]["other"]), low(t["baseline"]["words"]), low(t["some"]["words"]),
        low(t["unsized"]["rise"]),
    )  # fmt: skip


def hits(text: str, vocabulary: list[str], start: int = 0, end: int | None = None
         ) -> list[tuple[int, int, str]]:  # fmt: skip
    """(start, end, word) of every word of `vocabulary` in text[start:end], whole words for
    ASCII words, longest first where two overlap."""
    end = len(text) if end is None else end
    found: list[tuple[int, int, str]] = []
    for w in vocabulary:  # longest first
        for m in re.finditer(re.escape(w), text[:end]):
            a, b = m.span()
            if a < start:
                continue
            if w[0].isascii() and w[0].isalnum() and a > 0 and text[a - 1].isascii() and \
                    text[a - 1].isalnum():  # fmt: skip
                continue
            if w[-1].isascii() and w[-1].isalnum() and b < len(text) and text[b].isascii() and \
                    text[b].isalnum():  # fmt: skip
                continue
            if any(x < b and a < y for x, y, _ in found):
                continue
            found.append((a, b, w))
    return sorted(found)


def _last(text: str, vocabulary: list[str], start: int, end: int) -> tuple[int, str] | None:
    h = hits(text, vocabulary, start, end)
    return (h[-1][1], h[-1][2]) if h else None


def figures(s: Sentence, lead_context: bool = False, price_context: bool = False
            ) -> list[Figure]:  # fmt: skip
    """The figures of interest in sentence `s`.

    `lead_context`: the sentence before (same paragraph) gave lead times, so a
    bare duration here ("In Q2 they were still around 16 weeks") is one too.
    `price_context`: the sentence before spoke of prices, so "将跟进，涨幅约为10%"
    here is a price change too.
    """
    w = words()
    low = s.work.lower()
    found = _with_elliptic_units(low, qty.find(s.work))
    out: list[Figure] = []
    has_lead_cue = bool(hits(low, w.lead))
    previous_end = 0
    for i, q in enumerate(found):
        a, _ = s.clause_at(q.start)
        here = max(a, previous_end)
        f = _classify(
            low,
            q,
            s,
            here,
            has_lead_cue or lead_context,
            w,
            found[:i],
            price_context or _price_context(low, w),
        )
        if f is not None:
            out.append(f)
        previous_end = q.end
    out += _allocations(low, s, w)
    if not any(f.metric == "price_change" for f in out):
        rises = hits(low, w.rise)
        if rises and _nearest_subject(low, rises[0][0], w) != "other":
            a, b, _ = rises[0]
            out.append(
                Figure(
                    a,
                    b,
                    "price_change",
                    ">0",
                    "%",
                    unsized=True,
                    confidence=0.6,
                    note="a rise with no size stated",
                )
            )
    return sorted(out, key=lambda f: f.start)


def _with_elliptic_units(low: str, found: list[Quantity]) -> list[Quantity]:
    """A bare number takes the unit of its neighbour: "from 5 to 9 weeks" (the next one),
    "double the normal 13" (the one before)."""
    out = list(found)
    for i, q in enumerate(out):
        if q.kind != qty.BARE:
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        if nxt and nxt.kind in (qty.DURATION, qty.PRICE, qty.PERCENT) and re.fullmatch(
                r"\s*(?:to|至|到)\s*", low[q.end:nxt.start]):  # fmt: skip
            out[i] = replace(q, kind=nxt.kind, unit=nxt.unit, currency=nxt.currency, per=nxt.per)
            continue
        before = low[: q.start]
        if re.search(r"(?:normal|usual|typical|正常水平|正常)\s*(?:of\s*)?(?:的)?\s*$", before):
            prev = [p for p in out[:i] if p.kind in (qty.DURATION, qty.PRICE)]
            if prev:
                out[i] = replace(q, kind=prev[-1].kind, unit=prev[-1].unit)
    return out


def _classify(low: str, q: Quantity, s: Sentence, here: int, lead_ok: bool, w: Words,
              before: list[Quantity], priced: bool) -> Figure | None:  # fmt: skip
    """The figure `q` is, if any.  `here` is where its own stretch of words begins."""
    clause = s.clause_at(q.start)
    subject = _nearest_subject(low, q.start, w)
    role = "from" if _from_marker(low, here, q.start) else ""
    baseline = bool(hits(low, w.baseline, clause[0], q.end))
    if q.kind == qty.DURATION:
        if not lead_ok or _is_span(low, q, w) or hits(low, w.not_lead, clause[0], clause[1]):
            return None
        value = q.value()
        if not q.op and not q.is_range and hits(low, w.some, clause[0], q.start):
            value = "<=" + value  # some parts reach it: for the market, a maximum
        return Figure(q.start, q.end, "lead_time", value, q.unit, role, baseline)
    if subject == "other":
        return None
    if q.kind == qty.PRICE:
        change = _change_sign(low, here, q)
        if change:
            return Figure(q.start, q.end, "price_change", _signed(q.value(), change), q.unit)
        return Figure(q.start, q.end, "price", q.value(), q.unit, role, baseline)
    if q.kind == qty.PERCENT:
        sign = _change_sign(low, clause[0], q, levels=False)  # 涨幅在17%-20%之间
        if not sign or not priced:
            return None
        return Figure(q.start, q.end, "price_change", _signed(q.value(), sign), "%")
    if q.kind == qty.MULTIPLE:
        return _multiple(low, q, s, w, before, lead_ok, priced)
    return None


def _nearest_subject(low: str, at: int, w: Words) -> str:
    """'price' or 'other', whichever kind of noun stands nearest before `at` (the longer
    word wins where they overlap: 股价 is a share price, not a 价)."""
    vocab = longest_first([*w.price, *w.other])
    found = hits(low, vocab, 0, at)
    if not found:
        return ""
    return "other" if found[-1][2] in w.other else "price"


def _price_context(low: str, w: Words) -> bool:
    """Whether the sentence speaks of a price (a share price is not one)."""
    vocab = longest_first([*w.price, *w.other])
    return any(word in w.price for _, _, word in hits(low, vocab))


def _from_marker(low: str, start: int, at: int) -> bool:
    """Whether the figure at `at` is the earlier end: 从/由/from/against ... before it."""
    before = low[start:at]
    return bool(re.search(r"(?:从|由|\bfrom\b|\bagainst\b|compared with|而)[^,;至到]*$", before))


def _is_span(low: str, q: Quantity, w: Words) -> bool:
    """ "over the past six months", "近三个月来", "three weeks ago": a span, not a lead time."""
    before = low[: q.start].rstrip()
    after = low[q.end :].lstrip()
    if any(before.endswith(x) for x in w.span_before):
        return True
    return any(after.startswith(x) for x in w.span_after)


def _change_sign(low: str, start: int, q: Quantity, levels: bool = True) -> int:
    """+1 / -1 when a change word stands nearer before the figure than a level word
    (or "more"/"higher" follows it), else 0 (a level)."""
    w = words()
    span = low[q.start : q.end]
    if re.search(r"\b(?:more|extra|higher)\b", span) or any(
            low[q.end:].lstrip().startswith(x) for x in w.after):  # fmt: skip
        return 1
    up = _last(low, w.up, start, q.start)
    down = _last(low, w.down, start, q.start)
    level = _last(low, w.level, start, q.start) if levels else None
    best = max((m for m in (up, down) if m), default=None, key=lambda m: m[0])
    if best is None or (level and level[0] > best[0]):
        return 0
    return -1 if best is down else 1


def _signed(value: str, sign: int) -> str:
    if sign > 0:
        return value
    return re.sub(r"(?<![\d.])(\d)", r"-\1", value)


def _multiple(low: str, q: Quantity, s: Sentence, w: Words, before: list[Quantity],
              lead_ok: bool, priced: bool) -> Figure | None:  # fmt: skip
    """翻倍 of a price is +100%; "twice the normal" of a lead time is a normal level of
    half the lead time (derived, for review); with nothing to halve, no figure."""
    assert q.low is not None
    pct = q.low * 100 if q.multiple_more else (q.low - 1) * 100
    if pct <= 0:
        return None
    durations = [b for b in before if b.kind == qty.DURATION]
    normal = hits(low, w.baseline, max(0, q.start - 12), q.start)
    if durations and lead_ok:
        if not normal or q.op or re.match(r"\s*(?:the\s+)?(?:normal|usual)", low[q.end :]):
            return None  # "double the normal 13": the normal level is stated after it
        d = durations[-1]
        if d.low is None or d.high is None or d.op:
            return None
        ratio = 1 + pct / 100
        lo, hi = d.low / ratio, d.high / ratio
        value = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        return Figure(
            q.start,
            q.end,
            "lead_time",
            value,
            d.unit,
            baseline=True,
            derived=True,
            confidence=0.5,
            note="normal level derived from the stated multiple",
        )
    if priced and not durations:
        return Figure(q.start, q.end, "price_change", f"{pct:g}", "%")
    return None


def _allocations(low: str, s: Sentence, w: Words) -> list[Figure]:
    """ "on allocation", 配额供应, 停止接单: a lead time with the value `allocation`."""
    return [Figure(a, b, "lead_time", ALLOCATION, "weeks") for a, b, _ in hits(low, w.allocation)]
