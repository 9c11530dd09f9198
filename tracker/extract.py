"""Reading the news: candidate observations from article text, for a person to review.

The rules are data (``extract_rules.toml``): regular expressions with named
groups, qualifier words that make a figure an open bound, date cues, and
keyword tables for materials and products.  This module only applies them:
it splits the text into paragraphs, sentences and clauses, lets each rule
find figures, and attaches to each the supplier named nearest before it in
the same sentence (else after it, else in the previous sentence), the
material and product named nearest, and the sentence as the quote.

Output rows are interchange CSV (CONTRACT section 3) plus a ``confidence``
column, so ``tracker extract a.txt | tracker import -`` works, and a row
whose date could not be read from the text is left with an empty date, which
import refuses: that row needs a person.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from tracker.importer import COLUMNS
from tracker.newstext import (
    MONTHS,
    NUMBER,
    Sentence,
    announced_date,
    grammar,
    sentences,
)

RULES_FILE = Path(__file__).with_name("extract_rules.toml")
# The interchange columns (value rather than low/high) and how sure the rule is.
HEADER = (*(c for c in COLUMNS if c not in ("low", "high")), "confidence")

_PLACEHOLDERS = {
    "RANGE": rf"{NUMBER}(?:\s*(?:-|–|—|~|～|至|到|to)\s*{NUMBER})?",
    "PCT_RANGE": rf"{NUMBER}(?:\s*%?\s*(?:-|–|—|~|～|至|到|to)\s*{NUMBER})?",
    "DURATION": r"(?:周|个星期|星期|天|日|个月|weeks?|days?|months?)(?![a-z])",
    "PRICE": r"(?:万元|亿元|千元|元|美元|万美元|USD|CNY|RMB)\s*/\s*"
    r"(?:吨|公斤|千克|米|平方米|平米|张|片|kg|t|m2|m)",
    "CURRENCY": r"(?:USD|US\$|\$|EUR|€|CNY|RMB)",
    "QUANTITY": r"(?:kg|kilogram|tonne|ton|t|square meter|square metre|m2|sheet|meter|metre|m)\b",
}


@dataclass(frozen=True)
class Rule:
    """One pattern of the rule table (see extract_rules.toml for the fields)."""

    id: str
    lang: str
    metric: str
    regex: re.Pattern[str]
    kind: str = "observed"
    confidence: float = 0.8
    unit: str | None = None
    derive_baseline: bool = False
    value: str | None = None
    each_supplier: bool = False
    examples: tuple[str, ...] = ()


@dataclass
class Table:
    """The whole rule file, compiled."""

    rules: list[Rule]
    qualifiers: dict[str, list[str]]
    some: list[str]
    cues: list[tuple[re.Pattern[str], str]]
    market: list[str]
    materials: dict[str, str]
    products: dict[str, str]
    customers: set[str]


@cache
def load_rules(path: Path = RULES_FILE) -> Table:
    """Read and compile the rule table (a bad pattern is an error naming its rule id)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cues = [(re.compile(k, re.IGNORECASE), v) for k, v in data.get("cues", {}).items()]
    cue_any = "|".join(f"(?:{c.pattern})" for c, _ in cues)
    placeholders = {**_PLACEHOLDERS, "CUE": f"(?P<cue>{cue_any})"}
    rules = []
    for r in data["rule"]:
        pattern = r["pattern"]
        for name, regex in placeholders.items():
            pattern = pattern.replace("{" + name + "}", regex)
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as e:
            raise ValueError(f"{path.name}: rule {r['id']}: {e}") from None
        rules.append(
            Rule(
                r["id"],
                r["lang"],
                r["metric"],
                compiled,
                r.get("kind", "observed"),
                r.get("confidence", 0.8),
                r.get("unit"),
                r.get("derive_baseline", False),
                r.get("value"),
                r.get("each_supplier", False),
                tuple(r.get("examples", ())),
            )
        )
    return Table(
        rules,
        data.get("qualifiers", {}),
        data.get("some", {}).get("words", []),
        cues,
        data.get("market", {}).get("words", []),
        data.get("materials", {}),
        data.get("products", {}),
        set(data.get("customers", {}).get("names", [])),
    )


# --- candidates ---------------------------------------------------------------------


@dataclass
class Candidate:
    """One proposed observation, as interchange-CSV fields plus confidence."""

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
    rule: str = field(default="", compare=False)

    def row(self) -> list[str]:
        return [
            self.date,
            self.supplier,
            self.material,
            self.product,
            self.metric,
            self.value,
            self.unit,
            self.kind,
            self.source,
            self.quote,
            self.note,
            f"{self.confidence:.2f}",
        ]


class Extractor:
    """Applies the rule table to an article."""

    def __init__(self, aliases: dict[str, str], table: Table | None = None) -> None:
        self.t = table or load_rules()
        self.suppliers = sorted(aliases.items(), key=lambda kv: -len(kv[0]))  # longest first
        self.customers = {c.casefold() for c in self.t.customers}

    def extract(self, text: str, published: date, source: str = "") -> list[Candidate]:
        out: list[Candidate] = []
        previous: Sentence | None = None
        carried_cue: tuple[int, str] | None = None  # (paragraph, cue) for "from" figures
        for s in sentences(text):
            if previous is not None and previous.paragraph != s.paragraph:
                carried_cue = None
            taken: list[tuple[int, int]] = []
            for rule in self.t.rules:
                for m in rule.regex.finditer(s.text):
                    if any(a < m.end() and m.start() < b for a, b in taken):
                        continue
                    found = self._figure(rule, m, s, previous, published, source, carried_cue)
                    if found:
                        taken.append(m.span())
                        out.extend(found)
            cue = self._find_cue(s.text)
            if cue:
                carried_cue = (s.paragraph, cue)
            previous = s
        return dedupe(out)

    def _figure(
        self,
        rule: Rule,
        m: re.Match[str],
        s: Sentence,
        previous: Sentence | None,
        published: date,
        source: str,
        cue: tuple[int, str] | None,
    ) -> list[Candidate]:
        g = {k: v for k, v in m.groupdict().items() if v}
        try:
            value = rule.value or grammar(g["value"])
        except (KeyError, ValueError):
            value = ""
        unit = self._unit(rule, g, "unit", "currency", "per")
        when = published.isoformat()
        note = f"rule {rule.id}"
        supplier = self._supplier(s, m.start(), previous)
        material = self._nearest(s.text, m.start(), self.t.materials) or self._nearest(
            previous.text if previous else "", 10**6, self.t.materials
        )
        product = self._nearest(*self._segment(s.text, m.start()), self.t.products)
        kind = rule.kind
        if kind == "announced":
            when = announced_date(s.text, published) or when
        common = dict(
            supplier=supplier,
            material=material or "unknown",
            product=product or "",
            source=source,
            quote=s.text,
        )
        rows = []
        if rule.derive_baseline:
            return self._twice_normal(g["value"], s, when, common, rule)
        if not value or not unit:
            return []
        if rule.each_supplier:
            named = [n for _, n in self._names(s.text)] or [supplier]
            return [
                Candidate(
                    when,
                    metric=rule.metric,
                    value=value,
                    unit=unit,
                    kind=kind,
                    note=f"{note}: size not stated",
                    confidence=rule.confidence,
                    rule=rule.id,
                    **{**common, "supplier": n},
                )
                for n in named
            ]
        prefix, suffix = s.text[m.start() : m.start("value")], s.text[m.end() : m.end() + 3]
        qualifier = self._qualifier(prefix, suffix, s.text[: m.start("value")], rule.metric)
        if "from" in g:
            from_unit = self._unit(rule, g, "from_unit", "from_currency", "from_per") or unit
            own = g.get("cue") or self._find_cue(s.text[: m.start("from")])
            from_date, from_note = self._cue_date(own, cue, s, published)
            rows.append(
                Candidate(
                    from_date,
                    metric=rule.metric,
                    value=grammar(g["from"]),
                    unit=from_unit,
                    kind="observed",
                    note=f"{note}; {from_note}",
                    confidence=rule.confidence * (0.9 if from_date else 0.5),
                    rule=rule.id,
                    **common,
                )
            )
        rows.append(
            Candidate(
                when,
                metric=rule.metric,
                value=qualifier + value,
                unit=unit,
                kind=kind,
                note=note,
                confidence=rule.confidence,
                rule=rule.id,
                **common,
            )
        )
        return rows

    def _twice_normal(
        self, word: str, s: Sentence, when: str, common: dict[str, str], rule: Rule
    ) -> list[Candidate]:
        """'较正常周期翻倍': the stated change, and the normal level it implies (half)."""
        more = "以上" in word
        rows = [
            Candidate(
                when,
                metric=rule.metric,
                value=(">=" if more else "") + "100",
                unit="%",
                kind="observed",
                note=f"rule {rule.id}: stated doubling",
                confidence=rule.confidence,
                rule=rule.id,
                **common,
            )
        ]
        lead = re.search(r"(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)\s*周", s.text)
        if lead:
            lo, hi = float(lead.group(1)) / 2, float(lead.group(2)) / 2
            rows.append(
                Candidate(
                    when,
                    metric="lead_time",
                    value=f"{lo:g}-{hi:g}",
                    unit="周",
                    kind="baseline",
                    note=f"rule {rule.id}: normal level = half",
                    confidence=0.5,
                    rule=rule.id,
                    **common,
                )
            )
        return rows

    def _unit(self, rule: Rule, g: dict[str, str], unit: str, currency: str, per: str) -> str:
        if unit in g:
            return re.sub(r"\s+", "", g[unit])
        if currency in g and per in g:
            return f"{g[currency]}/{g[per]}"
        return rule.unit or ""

    def _qualifier(self, prefix: str, suffix: str, before: str, metric: str) -> str:
        q = self.t.qualifiers
        low = prefix.lower()
        if any(w.lower() in low for w in q.get(">", [])):
            return ">"
        if any(suffix.startswith(w) for w in q.get(">=", [])) or any(
            w in low for w in q.get(">=", [])
        ):
            return ">="
        if any(w.lower() in low for w in q.get("<=", [])) or any(
            suffix.startswith(w) for w in q.get("<=", [])
        ):
            return "<="
        if metric == "lead_time" and any(w in before for w in self.t.some):
            return "<="
        if any(w.lower() in low for w in q.get("~", [])) or any(
            suffix.startswith(w) for w in q.get("~", [])
        ):
            return "~"
        return ""

    def _find_cue(self, text: str) -> str | None:
        """The last date cue in `text`, if any."""
        found = [(m.start(), m.group(0)) for c, _ in self.t.cues for m in c.finditer(text)]
        return max(found)[1] if found else None

    def _cue_date(self, cue: str | None, carried: tuple[int, str] | None, s: Sentence,
                  published: date) -> tuple[str, str]:  # fmt: skip
        """The earlier figure's date: its own cue, else one carried from the same paragraph."""
        how = "date from its cue"
        if not cue and carried and carried[0] == s.paragraph:
            cue, how = carried[1], "date from a cue earlier in the paragraph"
        for regex, meaning in self.t.cues if cue else ():
            m = regex.search(cue or "")
            if not m:
                continue
            if meaning == "start of year":
                return f"{published.year}-01-01", how
            if meaning == "end of last year":
                return f"{published.year - 1}-12-31", how
            if meaning == "month":
                word = m.group(1)
                month = int(word) if word.isdigit() else MONTHS.index(word.lower()) + 1
                year = published.year if month <= published.month else published.year - 1
                return f"{year}-{month:02d}", how
            if meaning == "quarter":
                q = int(m.group(1)) if m.group(1).isdigit() else "一二三四".index(m.group(1)) + 1
                return f"{published.year}-Q{q}", how
        return "", "start date not stated: review"

    def _supplier(self, s: Sentence, at: int, previous: Sentence | None) -> str:
        found = self._names(s.text)
        before = [(p, n) for p, n in found if p <= at]
        if before:
            return before[-1][1]
        after = [(p, n) for p, n in found if p > at]
        if after:
            return after[0][1]
        if any(w in s.text.lower() for w in self.t.market):
            return ""  # "部分载板...", "traders said": the market, not the last company named
        if previous is not None and previous.paragraph == s.paragraph:
            named = self._names(previous.text)
            if named:
                return named[-1][1]
        return ""

    def _names(self, text: str) -> list[tuple[int, str]]:
        """(position, canonical name) of every supplier named, customers left out."""
        hits: list[tuple[int, int, str]] = []
        low = text.casefold()
        for alias, canonical in self.suppliers:
            if alias in self.customers or canonical.casefold() in self.customers:
                continue
            for m in re.finditer(re.escape(alias), low):
                a, b = m.span()
                if alias.isascii() and (_word_char(low, a - 1) or _word_char(low, b)):
                    continue  # "SCC" inside a word is not Shennan Circuits
                if not any(x < b and a < y for x, y, _ in hits):
                    hits.append((a, b, canonical))
        return sorted((a, c) for a, _, c in hits)

    def _nearest(self, text: str, at: int | None, table: dict[str, str]) -> str:
        best: tuple[int, str] | None = None
        for word in sorted(table, key=len, reverse=True):
            for m in re.finditer(re.escape(word), text, re.IGNORECASE):
                pos = m.start()
                dist = 0 if at is None else (at - pos if pos <= at else 10**5 + pos - at)
                if best is None or dist < best[0]:
                    best = (dist, table[word])
        return best[1] if best else ""

    @staticmethod
    def _segment(text: str, at: int) -> tuple[str, int]:
        """The part of the sentence between semicolons around `at`, and `at` within it."""
        start = max(text.rfind(c, 0, at) for c in ";；") + 1
        ends = [i for i in (text.find(c, at) for c in ";；") if i >= 0]
        return text[start : min(ends, default=len(text))], at - start


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def dedupe(cands: Iterable[Candidate]) -> list[Candidate]:
    """One row per figure: the same figure said twice keeps the row that says more."""
    best: dict[tuple[str, ...], Candidate] = {}
    for c in cands:
        key = (c.date, c.supplier, c.metric, c.value, c.unit, c.kind)
        old = best.get(key)
        if old is None or (bool(c.product), c.confidence) > (bool(old.product), old.confidence):
            best[key] = c
    return list(best.values())
