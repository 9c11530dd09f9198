"""News text: numbers as the press writes them, sentences, dates of announcements.

Separate from the rule engine (tracker.extract) because none of it depends on
the rules: it is how Chinese and English trade press writes numbers and dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

ZH_DIGITS = {
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
EN_NUMBERS = {
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
NUMBER = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+|" + "|".join(EN_NUMBERS) + r")"
# --- numbers -------------------------------------------------------------------


def number(text: str) -> float:
    """3.6, 十二, 二十, three -> a float (ValueError when it is none of these)."""
    t = text.strip().lower()
    if t in EN_NUMBERS:
        return float(EN_NUMBERS[t])
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    total, digit = 0, 0
    for ch in t:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
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


MONTHS = [
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


def announced_date(text: str, published: date) -> str | None:
    """'自9月1日起', '8月起', 'from October 1' -> the date an announced change starts."""
    m = re.search(r"(?:自|从)?(\d{1,2})月(?:(\d{1,2})日)?起", text)
    if m:
        month, day = int(m.group(1)), m.group(2)
        year = published.year if month >= published.month else published.year + 1
        return f"{year}-{month:02d}-{int(day or 1):02d}"
    months = MONTHS
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
