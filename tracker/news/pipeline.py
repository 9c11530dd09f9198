"""The stages in order: text, quantities and what they are, who, what, when; then rows.

Each stage is a module of its own with its words beside it; this one only
passes a sentence through them and turns each figure into one proposed row
per supplier and product it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.importer import COLUMNS
from tracker.news import classify, when
from tracker.news.classify import Figure
from tracker.news.quantities import find
from tracker.news.text import Article, Sentence, sentences
from tracker.news.what import Describer
from tracker.news.who import COMPANY, Attributor, Who

# The interchange columns (value rather than low/high) and how sure the reading is.
HEADER = (*(c for c in COLUMNS if c not in ("low", "high")), "confidence")


@dataclass
class Candidate:
    """One proposed observation: interchange-CSV fields, a confidence, and where in its
    quote the figure stands (for review)."""

    date: str
    supplier: str
    material: str
    product: str
    metric: str
    value: str
    unit: str
    kind: str
    source: str
    quote: str
    note: str
    confidence: float
    span: tuple[int, int] = field(default=(0, 0), compare=False)
    new_supplier: bool = field(default=False, compare=False)

    def row(self) -> list[str]:
        return [self.date, self.supplier, self.material, self.product, self.metric, self.value,
                self.unit, self.kind, self.source, self.quote, self.note,
                f"{self.confidence:.2f}"]  # fmt: skip

    def fields(self) -> dict[str, str]:
        """The interchange fields (what `tracker add` and import take)."""
        return dict(zip(HEADER[:-1], self.row()[:-1], strict=True))


@dataclass
class _State:
    """What a sentence leaves for the next ones."""

    effective: str = ""  # the last effective date (同日起 refers to it)
    from_cue: tuple[int, str] | None = None  # (paragraph, date) of the last dated from-value
    lead_paragraph: int = -1  # the paragraph whose last sentence gave lead times
    price_paragraph: int = -1  # ... prices


def extract(article: Article, published: date, aliases: dict[str, str],
            source: str) -> list[Candidate]:  # fmt: skip
    """Every figure of interest of the article as proposed rows."""
    who = Attributor(aliases)
    what = Describer(article.title, article.body)
    state = _State()
    out: list[Candidate] = []
    for s in sentences(article.body):
        signals = who.start_sentence(s)
        what.start_sentence(s)
        figures = classify.figures(
            s,
            lead_context=state.lead_paragraph == s.paragraph,
            price_context=state.price_paragraph == s.paragraph,
        )
        materials = what.material_mentions(s)
        companies = [(m.start, m.end) for m in signals if m.kind == COMPANY]
        spans = [
            (q.start, q.end)
            for q in find(s.work)
            if q.kind in ("duration", "percent", "price", "money")
        ]
        products = what.product_mentions(s, companies, spans)
        cues = when.cues(s)
        last_products: list[str] = []
        for f in figures:
            w = who.attribute(signals, f.start)
            material, names = what.describe(s, f.start, materials, products)
            out += _rows(s, f, figures, w, material, names, cues, published, source, state)
            last_products = names or last_products
        state.lead_paragraph = s.paragraph if any(
            f.metric == "lead_time" for f in figures) else -1  # fmt: skip
        state.price_paragraph = s.paragraph if any(
            f.metric in ("price", "price_change") for f in figures) else -1  # fmt: skip
        effective = [c for c in cues if c.role == when.EFFECTIVE]
        if effective:
            state.effective = when.resolve(effective[-1], published, future=True)
        who.end_sentence(signals)
        what.end_sentence(materials, last_products)
    return dedupe(out)


def _rows(s: Sentence, f: Figure, figures: list[Figure], w: Who, material: str,
          products: list[str], cues: list[when.Cue], published: date, source: str,
          state: _State) -> list[Candidate]:  # fmt: skip
    market = not w.names
    effective = any(c.role in (when.EFFECTIVE, when.SAME) for c in cues)
    if f.role == "from" or f.baseline:
        kind = "baseline" if f.baseline else "observed"
    else:
        kind = when.kind(s, f.start, market, effective and f.metric != "price")
    if f.unsized and kind == "observed":
        return []  # "raised prices in March", "are raising prices": no figure to propose
    day, note, sure = _date(s, f, figures, kind, cues, published, state)
    confidence = f.confidence * sure
    notes = [n for n in (f.note, note) if n]
    if w.how in ("previous sentence", "pronoun"):
        confidence *= 0.9
        notes.append(f"supplier from the {'pronoun' if w.how == 'pronoun' else w.how}")
    rows = []
    for name, new in zip(w.names or [""], w.new or [False], strict=False):
        notes_here = [*notes, f"new supplier: {name}"] if new else notes
        for product in products or [""]:
            rows.append(Candidate(
                day, name, material or "unknown", product, f.metric, f.value, f.unit, kind,
                source, s.text, "; ".join(notes_here), round(confidence * (0.9 if new else 1), 2),
                (f.start, f.end), new))  # fmt: skip
    return rows


def _date(s: Sentence, f: Figure, figures: list[Figure], kind: str, cues: list[when.Cue],
          published: date, state: _State) -> tuple[str, str, float]:  # fmt: skip
    """(date, note, confidence factor) of a figure."""
    future = kind in ("announced", "forecast")
    today = published.isoformat()
    if future:
        for c in sorted(cues, key=lambda c: abs(c.start - f.start)):
            if c.role == when.EFFECTIVE:
                return when.resolve(c, published, True), "", 1.0
            if c.role == when.SAME and state.effective:
                return state.effective, "date of the sentence before", 0.9
    own = _adjacent(s, f, figures, cues)
    if own is not None:
        if own.role == when.NOW:
            return today, "", 1.0
        period = when.resolve(own, published, future)
        if not future and when.contains(period, published):
            return today, "", 1.0
        if f.role == "from":
            state.from_cue = (s.paragraph, period)
        return period, "", 1.0
    lead = _leading(s, f, figures, cues) if f.role != "from" else None
    if lead is not None:  # "2024年3月，…8.6万元/吨", "In March 2024, ... cost ..."
        period = when.resolve(lead, published, future)
        if future or not when.contains(period, published):
            return period, "", 0.9
    if f.role == "from":
        since = [c for c in cues if c.role == when.SINCE and c.end <= f.start and c.unit != "year"]
        if since:
            period = when.resolve(since[-1], published, False)
            state.from_cue = (s.paragraph, period)
            return period, "", 0.9
        if state.from_cue and state.from_cue[0] == s.paragraph:
            return state.from_cue[1], "from-value dated like the one before it (review)", 0.7
        return today, "from-value with no date in the text, dated with the article (review)", 0.6
    return today, "", 1.0


def _adjacent(s: Sentence, f: Figure, figures: list[Figure], cues: list[when.Cue]
              ) -> when.Cue | None:  # fmt: skip
    """The date cue of the figure's own clause that stands nearer to it than to any
    other figure (points, effective dates and 'now' words)."""
    a, b = s.clause_at(f.start)
    best: tuple[int, when.Cue] | None = None
    for c in cues:
        if not (a <= c.start < b) or c.role not in (when.POINT, when.NOW, when.EFFECTIVE):
            continue
        if c.role == when.NOW and c.end > f.start:
            continue

        def gap(g: Figure, c: when.Cue = c) -> int:
            if c.end <= g.start and re.search(r"(?:\bto\b|至|到)", s.work[c.end : g.start].lower()):
                return 10**6  # "from six weeks in October to 12 weeks": not the second's
            return g.start - c.end if c.end <= g.start else c.start - g.end + 1

        mine = gap(f)
        if mine >= 10**6:
            continue
        if any(gap(g) < mine for g in figures if g is not f and a <= g.start < b):
            continue
        if best is None or mine < best[0]:
            best = (mine, c)
    return best[1] if best else None


def _leading(s: Sentence, f: Figure, figures: list[Figure], cues: list[when.Cue]
             ) -> when.Cue | None:  # fmt: skip
    """A date that opens the sentence in a clause of its own (no figure in it), before
    the figure, with no other date between: a time adverbial that dates the whole
    sentence.  The nearest such clause wins."""
    best: when.Cue | None = None
    for c in cues:
        if c.role != when.POINT or c.end > f.start:
            continue
        a, b = s.clause_at(c.start)
        if a <= f.start < b or any(a <= g.start < b for g in figures):
            continue  # the cue shares a clause with a figure: _adjacent's business
        if best is None or c.start > best.start:
            best = c
    if best is None:
        return None
    if any(best.end <= c.start < f.start for c in cues if c is not best and c.role != when.POINT):
        return None  # another kind of date (since, effective, now) stands between
    return best


def dedupe(rows: list[Candidate]) -> list[Candidate]:
    """One row per figure.  The same figure said twice (a lead paragraph and the body)
    is one row (the first, unless a later one is surer), and keeps the row that names its
    product; a normal level derived from the vaguer one
    moves to that product's series."""
    best: dict[tuple[str, ...], Candidate] = {}
    for c in rows:
        key = (c.date, c.supplier, c.product, c.metric, c.value, c.unit, c.kind)
        if key not in best or c.confidence > best[key].confidence:
            best[key] = c
    kept = list(best.values())
    named = {(c.date, c.supplier, c.metric, c.value, c.unit, c.kind): c for c in kept if c.product}
    out, moved = [], {}
    for c in kept:
        twin = named.get((c.date, c.supplier, c.metric, c.value, c.unit, c.kind))
        if not c.product and twin is not None and twin is not c:
            moved[c.quote] = twin
            continue
        out.append(c)
    for c in out:
        if "derived" in c.note and not c.product and c.quote in moved:
            c.product, c.material = moved[c.quote].product, moved[c.quote].material
    return out
