"""Stage 6, when: the date a figure holds, resolved against the article's date, and its kind.

Date cues are absolute (2024年3月, 12月1日, "June 1", 2025-07), months and
quarters (3月, "in October", 二季度, Q3), parts of a year (年初, "the start of
the year") and relative words (去年, 本月, "next quarter", "a year ago").  Each
cue has a role from the words around it: a point in time, where a comparison
starts (较年初, "since January": the figure is dated with the article), an
effective date (自12月1日起, "from July 1"), a horizon (排至二季度, "until
2028") or when a notice was sent (上周).  A month or quarter without a year is
the latest one not after the article, or, for an announced or forecast
figure, the next one not before it.  The words are data, in ``when.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from tracker.news.classify import hits
from tracker.news.text import Sentence

TABLE = Path(__file__).with_name("when.toml")
POINT, SINCE, EFFECTIVE, HORIZON, SAME, NOTICE, NOW = (
    "point", "since", "effective", "horizon", "same", "notice", "now")  # fmt: skip
_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"]  # fmt: skip
_ZH_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10, "十一": 11, "十二": 12, "元": 1}  # fmt: skip
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
            "4th": 4, "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3,
            "4": 4}  # fmt: skip


@dataclass
class Cue:
    """A date cue of a sentence.

    Attributes:
        start, end: its span in the sentence.
        unit: 'day', 'month', 'quarter', 'year' (or 'none' for now/same/notice cues).
        year: an explicit year, or None; `yoff`: a year relative to the article's.
        month, day, quarter: as written; `moff`: months relative to the article's.
        role: POINT, SINCE, EFFECTIVE, HORIZON, SAME, NOTICE or NOW.
    """

    start: int
    end: int
    unit: str
    year: int | None = None
    yoff: int | None = None
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    moff: int | None = None
    qoff: int | None = None
    role: str = POINT


@cache
def table(path: Path = TABLE) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _longest(words: list[str] | dict[str, Any]) -> list[str]:
    return sorted(words, key=len, reverse=True)


def _alt(words: list[str] | dict[str, Any]) -> str:
    return "|".join(re.escape(w) for w in _longest(words))


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    w = table()["words"]
    yw = _alt(w["years"])
    months_en = "|".join(_MONTH_NAMES)
    return [
        ("iso", re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?:-(\d{2}))?(?![\d-])")),
        (
            "zh_md",
            re.compile(
                rf"(?:(\d{{4}})年|({yw}))?"
                r"(\d{1,2}|十[一二]?|[一二三四五六七八九元])月"
                r"(?:(\d{1,2})[日号])?(初|上旬|中旬|下旬|中|底|末|份)?"
            ),
        ),
        ("zh_q", re.compile(rf"(?:(\d{{4}})年|({yw}))?第?([一二三四1-4])季度")),
        (
            "q",
            re.compile(
                r"(?:(\d{4})\s*年?\s*|(?:\b(this|last|next) year'?s\s+))?\b[Qq]([1-4])\b"
                r"(?:\s+(?:of\s+)?(\d{4}))?"
            ),
        ),
        (
            "en_q",
            re.compile(
                r"(?:\b(this|last|next) year'?s\s+|\bthe\s+)?\b(first|second|third|"
                r"fourth|1st|2nd|3rd|4th)[- ]quarter\b(?:\s+of\s+(\d{4}))?",
                re.IGNORECASE,
            ),
        ),
        (
            "en_md",
            re.compile(
                rf"\b({months_en})(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?"
                r"(?:,?\s+(\d{4}))?"
                r"(?![\w])"
            ),
        ),
        ("en_dm", re.compile(rf"\b(\d{{1,2}})\s+({months_en})(?:\s+(\d{{4}}))?\b")),
        ("part", re.compile(rf"({yw})?({_alt(w['year_parts'])})", re.IGNORECASE)),
        ("ago", re.compile(_alt(w["ago"]), re.IGNORECASE)),
        ("rel_m", re.compile(_alt(w["months"]), re.IGNORECASE)),
        ("rel_q", re.compile(_alt(w["quarters"]), re.IGNORECASE)),
        ("zh_y", re.compile(r"(?<!\d)(\d{4})年(?!\d)")),
        ("en_y", re.compile(r"(?<![\w$.,-])((?:19|20)\d{2})(?![\w%.,-])")),
        ("year", re.compile(yw, re.IGNORECASE)),
    ]


def cues(s: Sentence) -> list[Cue]:
    """Every date cue of the sentence with its role, in order."""
    w = table()["words"]
    r = table()["roles"]
    text = s.work
    found: list[Cue] = []
    for name, rx in _patterns():
        for m in rx.finditer(text):
            if any(c.start < m.end() and m.start() < c.end for c in found) or not m.group():
                continue
            cue = _cue(name, m, w)
            if cue is not None:
                found.append(cue)
    low = text.lower()
    for role, key in ((SAME, "same"), (NOTICE, "notice"), (NOW, "now")):
        for a, b, _ in hits(low, [x.lower() for x in _longest(r[key])]):
            if not any(c.start < b and a < c.end for c in found):
                found.append(Cue(a, b, "none", role=role))
    for c in found:
        if c.role == POINT:
            c.role = _role(low, c, r)
    return sorted(found, key=lambda c: c.start)


def _cue(name: str, m: re.Match[str], w: dict[str, Any]) -> Cue | None:
    a, b = m.span()
    g = m.groups()

    def yoff(word: str | None) -> int | None:
        if not word:
            return None
        years: dict[str, int] = w["years"]
        return years.get(word, years.get(word.lower()))

    if name == "iso":
        return Cue(a, b, "day" if g[2] else "month", int(g[0]), None, int(g[1]),
                   int(g[2]) if g[2] else None)  # fmt: skip
    if name == "zh_md":
        month = int(g[2]) if g[2].isdigit() else _ZH_MONTH.get(g[2])
        if not month or not 1 <= month <= 12:
            return None
        year = int(g[0]) if g[0] else None
        return Cue(a, b, "day" if g[3] else "month", year, yoff(g[1]), month,
                   int(g[3]) if g[3] else None)  # fmt: skip
    if name == "zh_q":
        return Cue(a, b, "quarter", int(g[0]) if g[0] else None, yoff(g[1]),
                   quarter=_ORDINAL[g[2]])  # fmt: skip
    if name == "q":
        year = int(g[0]) if g[0] else int(g[3]) if g[3] else None
        return Cue(a, b, "quarter", year, yoff(f"{g[1]} year") if g[1] else None,
                   quarter=int(g[2]))  # fmt: skip
    if name == "en_q":
        return Cue(
            a,
            b,
            "quarter",
            int(g[2]) if g[2] else None,
            yoff(f"{g[0]} year") if g[0] else None,
            quarter=_ORDINAL[g[1].lower()],
        )
    if name == "en_md":
        month = _MONTH_NAMES.index(g[0]) + 1
        if g[0] == "May" and not (g[1] or g[2]) and not re.search(r"\b(?:in|since|from|by|of|"
                                                                  r"until|early|late)\s*$",
                                                                  m.string[:a]):  # fmt: skip
            return None  # "May" the verb at a sentence start
        return Cue(a, b, "day" if g[1] else "month", int(g[2]) if g[2] else None, None, month,
                   int(g[1]) if g[1] else None)  # fmt: skip
    if name == "en_dm":
        return Cue(a, b, "day", int(g[2]) if g[2] else None, None,
                   _MONTH_NAMES.index(g[1]) + 1, int(g[0]))  # fmt: skip
    if name == "part":
        start_month = w["year_parts"].get(g[1], w["year_parts"].get(g[1].lower(), 1))
        off = yoff(g[0]) if g[0] else (-1 if start_month < 0 else None)
        return Cue(a, b, "month", None, off, abs(start_month))
    if name == "ago":
        months = w["ago"].get(m.group(), w["ago"].get(m.group().lower(), -12))
        return Cue(a, b, "month", moff=months)
    if name == "rel_m":
        return Cue(a, b, "month", moff=w["months"].get(m.group(), w["months"].get(
            m.group().lower())))  # fmt: skip
    if name == "rel_q":
        return Cue(a, b, "quarter", qoff=w["quarters"].get(m.group(), w["quarters"].get(
            m.group().lower())))  # fmt: skip
    if name in ("zh_y", "en_y"):
        return Cue(a, b, "year", int(g[0]))
    if name == "year":
        return Cue(a, b, "year", None, yoff(m.group()))
    return None


def _role(low: str, c: Cue, r: dict[str, Any]) -> str:
    before = low[: c.start].rstrip()
    after = low[c.end :].lstrip()
    if any(after.startswith(x) for x in r["effective_after"]):
        return EFFECTIVE
    if any(after.startswith(x) for x in r["since_after"]) or any(
            _word_end(before, x) for x in r["since_before"]):  # fmt: skip
        return SINCE
    if any(_word_end(before, x) for x in r["horizon_before"]) or any(
            after.startswith(x) for x in r["horizon_after"]):  # fmt: skip
        return HORIZON
    if c.unit in ("day", "month") and any(
            _word_end(before, x) for x in r["effective_before"] if x.isascii()):  # fmt: skip
        return EFFECTIVE
    return POINT


def _word_end(text: str, word: str) -> bool:
    """Whether `text` ends with `word` (a whole word when it is an ASCII word)."""
    if not text.endswith(word):
        return False
    if not (word[-1].isalpha() and word.isascii()) or len(text) == len(word):
        return True
    return not text[-len(word) - 1].isalpha()


def resolve(c: Cue, published: date, future: bool) -> str:
    """The period a cue names: past months are the latest one not after the article,
    future ones (announced, forecast) the next one not before it."""
    y = c.year if c.year is not None else published.year + (c.yoff or 0)
    explicit = c.year is not None or c.yoff is not None
    if c.moff is not None:
        n = published.year * 12 + published.month - 1 + c.moff
        return f"{n // 12}-{n % 12 + 1:02d}"
    if c.qoff is not None:
        n = published.year * 4 + (published.month - 1) // 3 + c.qoff
        return f"{n // 4}-Q{n % 4 + 1}"
    if c.unit == "year":
        return str(y)
    if c.unit == "quarter" and c.quarter:
        now_q = (published.month - 1) // 3 + 1
        if not explicit:
            y += (1 if c.quarter < now_q else 0) if future else (-1 if c.quarter > now_q else 0)
        return f"{y}-Q{c.quarter}"
    month = c.month or 1
    if not explicit:
        here = (month, c.day or 1)
        today = (published.month, published.day if c.day else 1)
        y += (1 if here < today else 0) if future else (-1 if here > today else 0)
    if c.unit == "day" and c.day:
        try:
            return date(y, month, c.day).isoformat()
        except ValueError:
            return f"{y}-{month:02d}"
    return f"{y}-{month:02d}"


def contains(period: str, day: date) -> bool:
    """Whether the period text (2025, 2025-Q3, 2025-07, 2025-07-24) holds `day`."""
    from tracker.dates import parse_period

    p = parse_period(period)
    return p.start <= day <= p.end


# --- kinds --------------------------------------------------------------------------


@cache
def _kind_words() -> tuple[list[str], list[str], list[str]]:
    t = table()
    return (_longest([x.lower() for x in t["kinds"]["forecast"]]),
            _longest([x.lower() for x in t["kinds"]["future"]]),
            _longest([x.lower() for x in t["roles"]["now"]]))  # fmt: skip


def kind(s: Sentence, at: int, market: bool, effective: bool) -> str:
    """'forecast', 'announced' or 'observed' for the figure at offset `at`.

    An expectation word before it (预计, expects) makes a forecast; a plan or
    notice (将, will, 调价函) or an effective date makes an announcement, or a
    forecast when the market rather than a supplier speaks; a 'now' word
    (目前, now) standing nearer to the figure undoes both.
    """
    forecast, future, now = _kind_words()
    low = s.work.lower()
    marks = [(b, "f") for _, b, _ in hits(low, forecast, 0, at)]
    marks += [(b, "a") for _, b, _ in hits(low, future, 0, at)]
    marks += [(b, "n") for _, b, _ in hits(low, now, 0, at)]
    marks.sort()
    if marks and marks[-1][1] == "n":
        return "observed"
    if any(k == "f" for _, k in marks):
        return "forecast"
    if any(k == "a" for _, k in marks) or effective:
        return "forecast" if market else "announced"
    return "observed"
