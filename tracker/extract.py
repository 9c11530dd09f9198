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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tracker.importer import COLUMNS

RULES_FILE = Path(__file__).with_name("extract_rules.toml")
# The interchange columns (value rather than low/high) and how sure the rule is.
HEADER = (*(c for c in COLUMNS if c not in ("low", "high")), "confidence")

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_EN_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_NUM = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+|" + "|".join(_EN_NUMBERS) + r")"
_PLACEHOLDERS = {
    "RANGE": rf"{_NUM}(?:\s*(?:-|–|—|~|～|至|到|to)\s*{_NUM})?",
    "PCT_RANGE": rf"{_NUM}(?:\s*%?\s*(?:-|–|—|~|～|至|到|to)\s*{_NUM})?",
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


# --- numbers -------------------------------------------------------------------


def number(text: str) -> float:
    """3.6, 十二, 二十, three -> a float (ValueError when it is none of these)."""
    t = text.strip().lower()
    if t in _EN_NUMBERS:
        return float(_EN_NUMBERS[t])
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    total, digit = 0, 0
    for ch in t:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            raise ValueError(text)
    return float(total + digit)


def grammar(text: str) -> str:
    """A number or range as the value grammar writes it: '16 to 20' -> '16-20', '十二' -> '12'."""
    parts = re.split(
        r"\s*%?\s*(?:-|–|—|~|～|至|到|\bto\b)\s*", text.strip().rstrip("%"), flags=re.IGNORECASE
    )
    nums = [number(p) for p in parts if p]
    out = [f"{n:g}" if n != int(n) else str(int(n)) for n in nums]
    return "-".join(out)


# --- text structure -------------------------------------------------------------


@dataclass
class Sentence:
    text: str
    paragraph: int
    start: int  # offset of the sentence in the article


_CHINESE_END = re.compile(r"[^。！？!?]*(?:[。！？!?]|$)")
_ENGLISH_END = re.compile(r"(?<=[a-z%)\]])\.\s+(?=[A-Z])")  # '. Next', not a decimal point


def sentences(text: str) -> Iterator[Sentence]:
    """Sentences with their paragraph number; Chinese and English punctuation both end one."""
    offset = 0
    for p, para in enumerate(text.split("\n")):
        for m in _CHINESE_END.finditer(para):
            for part in _ENGLISH_END.split(m.group(0)):
                if part.strip():
                    yield Sentence(part.strip(), p, offset + m.start())
        offset += len(para) + 1


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
                month = int(word) if word.isdigit() else _MONTHS.index(word.lower()) + 1
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


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def announced_date(text: str, published: date) -> str | None:
    """'自9月1日起', '8月起', 'from October 1' -> the date an announced change starts."""
    m = re.search(r"(?:自|从)?(\d{1,2})月(?:(\d{1,2})日)?起", text)
    if m:
        month, day = int(m.group(1)), m.group(2)
        year = published.year if month >= published.month else published.year + 1
        return f"{year}-{month:02d}-{int(day or 1):02d}"
    months = _MONTHS
    m = re.search(
        r"(?:from|effective|starting)\s+(" + "|".join(months) + r")\s+(\d{1,2})",
        text,
        re.IGNORECASE,
    )
    if m:
        month = months.index(m.group(1).lower()) + 1
        year = published.year if month >= published.month else published.year + 1
        return f"{year}-{month:02d}-{int(m.group(2)):02d}"
    return None


def dedupe(cands: Iterable[Candidate]) -> list[Candidate]:
    """One row per figure: the same figure said twice keeps the row that says more."""
    best: dict[tuple[str, ...], Candidate] = {}
    for c in cands:
        key = (c.date, c.supplier, c.metric, c.value, c.unit, c.kind)
        old = best.get(key)
        if old is None or (bool(c.product), c.confidence) > (bool(old.product), old.confidence):
            best[key] = c
    return list(best.values())


def digest_article(text: str, n: int) -> str:
    """Article `n` of a numbered digest ('1.标题' lines: a table of contents, then the bodies)."""
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if re.match(rf"^{n}\.\S", line)]
    if not heads:
        raise ValueError(f"there is no article {n}")
    start = heads[-1]
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(rf"^{n + 1}\.\S", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])


# --- how good is it ---------------------------------------------------------------

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
    return (
        f"{r.get('date') or '?'} {who} {r.get('value')} {r.get('unit')}: {r.get('quote', '')[:40]}"
    )
