"""Stage 2, quantities: every number in a sentence with its range, qualifier and unit.

The grammar is general: a number (Arabic, full-width, with thousands
separators, Chinese numerals, English number words), an optional scale word
(万, billion), a unit (a duration, a percent, a currency with an optional
"per" quantity, or any other unit), a second number for a range (-, –, ~, 至,
到, to, "between X and Y"), and qualifier words before or after (约, 以上,
"more than", "up to", "in the 18-week range").  The words are data, in
``quantities.toml``.  What a quantity *is* (a lead time, a price, neither) is
the next stage's question; this one only reads it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from tracker.values import format_number

TABLE = Path(__file__).with_name("quantities.toml")

# What a quantity measures, as far as its unit tells.
DURATION, PERCENT, PRICE, MONEY, MULTIPLE, OTHER, BARE = (
    "duration", "percent", "price", "money", "multiple", "other", "bare")  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    """One figure of a sentence.

    Attributes:
        start, end: its span in the sentence (qualifiers and currency included).
        low, high: the bounds (equal for a single figure; one None for an open bound).
        op: '' exact, '~' approximate, '>=', '>', '<=', '<' an open bound.
        kind: DURATION, PERCENT, PRICE (currency per quantity), MONEY (a currency
            with no quantity), MULTIPLE (翻倍: `low` times), OTHER (mm, ℃, 层 ...),
            BARE (no unit: a code, a year, or the first end of "from 5 to 9 weeks").
        unit: the unit as the tracker stores it: weeks, %, 元/张, USD/kg ...
        currency, per, scale: the parts of a money unit (CNY, sheet, 10000).
        multiple_more: for MULTIPLE, True when it says "n times more" (上涨一倍).
    """

    start: int
    end: int
    low: float | None
    high: float | None
    op: str = ""
    kind: str = BARE
    unit: str = ""
    currency: str = ""
    per: str = ""
    scale: float = 1.0
    multiple_more: bool = False

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None and self.low != self.high

    def value(self) -> str:
        """The value in the interchange grammar: 16-20, >=6, ~15, <=22."""
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            if lo != hi:
                return f"{format_number(lo)}-{format_number(hi)}"
            return ("~" if self.op == "~" else "") + format_number(lo)
        if lo is not None:
            return (">" if self.op == ">" else ">=") + format_number(lo)
        assert hi is not None
        return ("<" if self.op == "<" else "<=") + format_number(hi)


@dataclass(frozen=True)
class Grammar:
    numbers: dict[str, float]
    vague: dict[str, float]
    before: list[tuple[str, str]]  # (word, op), longest first
    after: list[tuple[str, str]]
    range_words: list[str]
    units: list[tuple[str, str, str]]  # (written, kind, stored), longest first
    scaled_percent: dict[str, float]
    small_money: dict[str, float]
    multiples: dict[str, float]
    currency_prefix: list[tuple[str, str]]
    per: list[tuple[str, str]]
    scale: list[tuple[str, float]]
    number_re: re.Pattern[str]
    per_before: re.Pattern[str]


def _longest(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return sorted(pairs, key=lambda p: -len(p[0]))


@cache
def grammar(path: Path = TABLE) -> Grammar:
    """The table, compiled once."""
    t = tomllib.loads(path.read_text(encoding="utf-8"))
    u = t["units"]
    units: list[tuple[str, str, str]] = []
    for stored, words in u["duration"].items():
        units += [(w, DURATION, stored) for w in words]
    units += [(w, PERCENT, "%") for w in u["percent"]["%"]]
    for code, words in u["currency"].items():
        units += [(w, MONEY, code) for w in words]
    units += [(w, OTHER, w) for w in u["other"]["words"]]
    numbers = {k.lower(): float(v) for k, v in t["numbers"].items()}
    words = "|".join(re.escape(w) for w in sorted(numbers, key=len, reverse=True))
    number_re = re.compile(
        r"(?P<ar>(?<![A-Za-z0-9_.])(?<![A-Za-z]-)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![0-9]))"
        r"|(?P<zh>[零〇一二两三四五六七八九十百千]+(?:点[零一二三四五六七八九]+)?)"
        rf"|(?P<en>\b(?:{words})\b)"
        r"|(?P<vague>\ba few\b|\bseveral\b|几|数)",
        re.IGNORECASE,
    )
    q = t["qualifiers"]
    per = _longest([(w.lower(), q) for q, ws in u["per"].items() for w in ws])
    en_per = "|".join(re.escape(w) for w, _ in per if w.isascii() and len(w) > 2)
    per_before = re.compile(
        rf"每\s*|\b(?:a|an|each|per|one)\s+(?:[\w.\-]+\s+){{0,4}}?(?P<w>{en_per})\b",
        re.IGNORECASE,
    )
    return Grammar(
        numbers=numbers,
        vague={k.lower(): float(v) for k, v in t["vague"].items()},
        before=_longest([(w.lower(), op) for op, ws in q["before"].items() for w in ws]),
        after=_longest([(w.lower(), op) for op, ws in q["after"].items() for w in ws]),
        range_words=[w.lower() for w in q["range"]["~"]],
        units=sorted([(w.lower(), k, s) for w, k, s in units], key=lambda u: -len(u[0])),
        scaled_percent=dict(u["scaled_percent"]),
        small_money=dict(u["small_money"]),
        multiples={k.lower(): float(v) for k, v in u["multiple"].items()},
        currency_prefix=_longest(
            [(w.lower(), code) for code, ws in u["currency"].items() for w in ws if not _is_cjk(w)]
        ),
        per=per,
        scale=_longest([(k.lower(), float(v)) for k, v in u["scale"].items()]),
        number_re=number_re,
        per_before=per_before,
    )


def _is_cjk(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def _ascii_word(w: str) -> bool:
    return w[:1].isascii() and w[:1].isalpha()


def _starts(text: str, at: int, word: str) -> bool:
    """Whether `word` is written at `at` (whole words for ASCII words)."""
    if not text.startswith(word, at):
        return False
    end = at + len(word)
    return not (word[-1:].isascii() and word[-1:].isalnum() and end < len(text)
                and text[end].isascii() and text[end].isalnum())  # fmt: skip


def _ends(text: str, at: int, word: str) -> bool:
    """Whether `word` is written just before `at` (whole words for ASCII words)."""
    start = at - len(word)
    if start < 0 or text[start:at] != word:
        return False
    return not (_ascii_word(word) and start > 0 and text[start - 1].isascii()
                and text[start - 1].isalnum())  # fmt: skip


# --- numbers ----------------------------------------------------------------------


def chinese_number(text: str) -> float:
    """十二 -> 12, 两万五 -> 25000, 三点五 -> 3.5 (cn2an reads the numeral grammar)."""
    import cn2an

    return float(cn2an.cn2an(text, "normal"))


def _number(m: re.Match[str], g: Grammar) -> float | None:
    if m.group("ar"):
        return float(m.group("ar").replace(",", ""))
    if m.group("en"):
        return g.numbers[m.group("en").lower()]
    if m.group("zh"):
        try:
            return chinese_number(m.group("zh"))
        except (ValueError, KeyError, IndexError):
            return None
    return None


# --- units ------------------------------------------------------------------------


@dataclass
class _Read:
    """A number read with what follows it."""

    start: int
    end: int
    value: float
    kind: str = BARE
    unit: str = ""
    currency: str = ""
    per: str = ""
    scale: float = 1.0
    vague: bool = False
    more: bool = False
    word: bool = False  # a number written in words (三, three): needs a unit


def _unit_after(low: str, r: _Read, g: Grammar) -> None:
    """Extend `r` over the scale word and unit that follow it."""
    at = r.end
    i = at + (1 if low[at : at + 1] == " " else 0)
    for word, factor in g.scale:
        if _starts(low, i, word):
            r.scale, i = factor, i + len(word)
            at = i
            break
    j = at + (1 if low[at : at + 1] in (" ", "-") else 0)
    if low[at : at + 1] == "-" and not low[j : j + 1].isalpha():
        j = at
    if low.startswith("倍", at):
        # 上涨一倍 is one time more; 是正常的两倍 is twice the level
        ratio = re.search(r"(?:的|是|为|\bis\b)\s*$", low[: r.start])
        r.kind, r.unit, r.end, r.more = MULTIPLE, "倍", at + 1, ratio is None
        return
    for word, factor in g.scaled_percent.items():
        if low.startswith(word, at):
            r.value = round(r.value * factor, 10)
            r.kind, r.unit, r.end = PERCENT, "%", at + len(word)
            return
    for word, factor in g.small_money.items():
        if low.startswith(word, at) and r.scale == 1.0:
            r.value = round(r.value * factor, 10)
            r.kind, r.unit, r.currency, r.end = MONEY, "元", "CNY", at + len(word)
            return
    for word, kind, stored in g.units:
        scaled_word = kind == OTHER and r.scale != 1.0 and word in ("万", "亿")
        if _starts(low, j, word) and not scaled_word:
            r.end = j + len(word)
            if kind == MONEY:
                r.kind, r.currency, r.unit = MONEY, stored, word
            elif kind == OTHER and r.scale != 1.0:
                r.kind, r.unit = OTHER, word
            else:
                r.kind, r.unit = kind, stored
            return
    if r.scale != 1.0:  # "1.5万" with no unit after: a large count
        r.kind, r.end = OTHER, at


def _per_after(low: str, r: _Read, g: Grammar) -> None:
    """ "/kg", " per tonne", " a sheet", "more per sheet": what a money figure is per."""
    m = re.compile(r"\s*(?:(?:more|extra|higher|less|lower)\s+)?(?:/|\bper\b|\ba\b|\ban\b|每)\s*")
    hit = m.match(low, r.end)
    if not hit:
        return
    for word, quantity in g.per:
        if _starts(low, hit.end(), word):
            r.per, r.end = quantity, hit.end() + len(word)
            return


# --- the scan ---------------------------------------------------------------------


def _read(low: str, m: re.Match[str], g: Grammar) -> _Read | None:
    if m.group("vague"):
        r = _Read(m.start(), m.end(), g.vague[m.group("vague").lower()], vague=True)
    else:
        value = _number(m, g)
        if value is None:
            return None
        r = _Read(m.start(), m.end(), value)
    # a currency written before the number: US$0.20, CNY 112, NT$6.8
    before = low[: r.start].rstrip()
    for word, code in g.currency_prefix:
        if before.endswith(word) and (not word[0].isalpha() or _ends(before, len(before), word)):
            r.start, r.currency = len(before) - len(word), code
            break
    _unit_after(low, r, g)
    if r.currency and r.kind in (BARE, MONEY):
        r.kind = MONEY
        if not r.unit:
            r.unit = r.currency
    if r.kind in (MONEY, BARE):
        _per_after(low, r, g)  # "US$19-21/kg": the per is read after the second number
    r.word = not m.group("ar")
    return r


def _money_unit(currency: str, per: str, written: str, scale: float) -> str:
    """元/张, 万元/吨, USD/kg: Chinese as written where the unit table knows it."""
    zh_per = {"t": "吨", "kg": "公斤", "m": "米", "m2": "平方米", "sheet": "张", "pcs": "片"}
    if _is_cjk(written) and currency in ("CNY", "USD") and per in zh_per:
        prefix = {1.0: "", 10000.0: "万"}.get(scale)
        if prefix is not None:
            return f"{prefix}{'元' if currency == 'CNY' else '美元'}/{zh_per[per]}"
    return f"{currency}/{per}"


def find(work: str) -> list[Quantity]:
    """Every quantity of a sentence (its folded text), in order of position."""
    g = grammar()
    low = work.lower() if len(work.lower()) == len(work) else work
    reads = [r for m in g.number_re.finditer(low) if (r := _read(low, m, g)) is not None]
    out: list[Quantity] = []
    i = 0
    while i < len(reads):
        a = reads[i]
        b = reads[i + 1] if i + 1 < len(reads) else None
        if b is not None and _is_range(low, a, b):
            out.append(_quantity(low, a, b))
            i += 2
            continue
        if not (a.word and a.kind == BARE):  # 一般, 第三次, "one of": words need a unit
            out.append(_quantity(low, a, None))
        i += 1
    out = [_per_before(low, q, g) if q.kind == MONEY else q for q in out]
    out += _multiples(low, g, out)
    return sorted(out, key=lambda q: q.start)


def _per_before(low: str, q: Quantity, g: Grammar) -> Quantity:
    """每张…8元, "a … sheet sells for CNY 112": the quantity a money figure is per,
    written before it in the sentence (the nearest one)."""
    best = ""
    for m in g.per_before.finditer(low, 0, q.start):
        at = m.end() if m.group("w") is None else m.start("w")
        for written, quantity in g.per:
            if _starts(low, at, written):
                best = quantity
                break
    if not best:
        return q
    unit = _money_unit(q.currency, best, q.unit, q.scale)
    return replace(q, kind=PRICE, per=best, unit=unit)


_SEP = re.compile(r"\s*(?:-|–|—|~|至|到|to|and)\s*", re.IGNORECASE)


def _is_range(low: str, a: _Read, b: _Read) -> bool:
    """16-20周, 三至五天, 8%至12%, "18 to 24 weeks", "between 12 and 16", "US$0.3 to US$0.5"."""
    sep = _SEP.fullmatch(low, a.end, b.start)
    if sep is None or (b.kind == BARE and a.kind in (BARE, MONEY) and not b.per):
        return a.kind == MONEY and b.kind == BARE and sep is not None and b.value >= a.value
    if a.kind == MONEY and b.kind == BARE:  # US$19-21/kg
        return b.value >= a.value
    word = sep.group().strip()
    if word == "and" and not low[: a.start].rstrip().endswith("between"):
        return False
    if word in ("to", "至", "到") and re.search(r"(?:\bfrom|从|由)\s*$", low[: a.start]):
        return False  # "from five weeks to nine weeks": two figures, not a range
    if a.kind != BARE and (a.kind != b.kind or (a.unit != b.unit and a.kind != MONEY)):
        return False
    return b.value >= a.value


def _quantity(low: str, a: _Read, b: _Read | None) -> Quantity:
    last = b or a
    unit_of = last if last.kind != BARE else a  # "CNY 112 to 118": the unit stands first
    kind, unit = unit_of.kind, unit_of.unit
    currency, per, scale = last.currency or a.currency, last.per or a.per, unit_of.scale
    if kind == MONEY and per:
        kind = PRICE
        unit = _money_unit(currency, per, unit, scale)
    elif kind == MONEY:
        unit = ({1.0: "", 10000.0: "万", 100000000.0: "亿"}.get(scale, "?") + unit) if _is_cjk(
            unit) else currency  # fmt: skip
    lo: float | None = a.value
    hi: float | None = last.value
    op = ""
    start, end = a.start, last.end
    if a.vague:
        lo, op = None, "<="
    q = Quantity(start, end, lo, hi, op, kind, unit, currency, per, scale, last.more)
    return _qualified(low, q)


def _qualified(low: str, q: Quantity) -> Quantity:
    """Apply the qualifier words around the quantity (约 …, … 以上, "more than" …)."""
    g = grammar()
    before = low[: q.start].rstrip(" ")
    after_at = q.end + (1 if low[q.end : q.end + 1] == " " else 0)
    op, start, end = q.op, q.start, q.end
    for word, sym in g.before:
        if _ends(before, len(before), word):
            op, start = sym, len(before) - len(word)
            break
    for word, sym in g.after:
        if _starts(low, after_at, word):
            op = sym if not op or op == "~" or (sym == "~" and op in ("", "~")) else op
            end = after_at + len(word)
            break
    if re.search(r"\bthe\s*$", before) and any(_starts(low, after_at, w) for w in g.range_words):
        op = "~"  # "in the 18-week range"
    lo, hi = q.low, q.high
    if op in (">=", ">") and lo is not None:
        hi = None
    elif op in ("<=", "<"):
        hi = hi if hi is not None else lo
        lo = None
    if op == "~" and lo is not None and hi is not None and lo != hi:
        op = ""  # a range is not also approximate (the gold convention)
    return replace(q, low=lo, high=hi, op=op, start=start, end=end)


def _multiples(low: str, g: Grammar, found: list[Quantity]) -> list[Quantity]:
    """翻倍, "doubled", "twice": a multiple of the old level, with no digits."""
    out = []
    taken = [(q.start, q.end) for q in found]
    for word, n in g.multiples.items():
        for m in re.finditer(re.escape(word), low):
            a, b = m.span()
            if word.isascii() and ((a > 0 and low[a - 1].isalpha()) or (b < len(low)
                                   and low[b].isalpha())):  # fmt: skip
                continue
            if any(x < b and a < y for x, y in taken):
                continue
            out.append(Quantity(a, b, n, n, "", MULTIPLE, "倍"))
            taken.append((a, b))
    return out
