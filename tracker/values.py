"""The value grammar: points, ranges, open bounds, approximations.

A figure in the news is rarely a bare number: "16-20周", "6周以上", "约15%",
"交期已超过12周".  :class:`Value` keeps all of that in the type, so that
arithmetic downstream can refuse to invent a number for an open bound.

Grammar (after Unicode NFKC folding, so full-width digits and signs work)::

    value   := [approx] body
    approx  := "~" | "≈" | "约" | "about"
    body    := number                       a point
             | number sep number            a closed range, low <= high
             | op number                    an open bound: >=6, ≥6, >12, <=22, ≤16, <5
             | number "+"  | number "以上"   the same as >=number
             | "allocation"                 lead time: no date quoted, open above
             | "stock"                      lead time: from stock, 0
    sep     := "-" | "–" | "—" | "~" | "to" | "至"
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

from tracker.errors import ParseError, shown

ALLOCATION = "allocation"
# The largest figure (in its canonical unit) the tracker accepts.  Below it every whole
# number is exact in a float, and every change, ratio and chart axis computed from such
# figures stays finite: 1.5e308 CNY/t would be stored, then break a chart and print
# "Infinity" into JSON (issue 14).  The world's yearly semiconductor sales, about
# 600 billion USD, are about 8e14 in KRW, the smallest unit of the currency table.
MAX_MAGNITUDE = 1e15


@dataclass(frozen=True, slots=True)
class Value:
    """A possibly ranged, possibly open, possibly approximate figure.

    Attributes:
        low: lower bound, or None when open below.
        high: upper bound, or None when open above.
        low_strict: True for ``>`` (the bound itself is excluded), False for ``>=``.
        high_strict: True for ``<``, False for ``<=``.
        approx: the source gave the figure as approximate ("~", "约").
        special: ``"allocation"`` for a lead time quoted as allocation; else None.
    """

    low: float | None
    high: float | None
    low_strict: bool = False
    high_strict: bool = False
    approx: bool = False
    special: str | None = None

    @property
    def is_point(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def midpoint(self) -> float | None:
        """Middle of a closed range; None when either end is open."""
        if self.low is None or self.high is None:
            return None
        return (self.low + self.high) / 2

    @property
    def flags(self) -> int:
        """The stored form of openness and approximation (observations.flags): 1 low
        strict, 2 high strict, 4 approximate.  Unpacked by :meth:`stored`."""
        return self.low_strict | self.high_strict << 1 | self.approx << 2

    @classmethod
    def stored(
        cls, low: float | None, high: float | None, flags: int, special: str | None
    ) -> Value:
        """The Value of a stored row's (low, high, flags, special)."""
        return cls(low, high, bool(flags & 1), bool(flags & 2), bool(flags & 4), special)

    def scaled(self, factor: Fraction) -> Value:
        """The same figure in another unit (factor > 0, so bounds keep their order)."""
        if factor == 1:
            return self
        return replace(
            self,
            low=None if self.low is None else _exact_product(self.low, factor),
            high=None if self.high is None else _exact_product(self.high, factor),
        )

    def __str__(self) -> str:
        return format_value(self)


def _exact_product(x: float, factor: Fraction) -> float:
    """x * factor, correctly rounded from the decimal the user typed.

    In binary, 0.07 * 10000 is 700.0000000000001 and 10 days / 7 drifts in the
    last digit.  Users compare these numbers with the source, so the product is
    taken exactly on the shortest decimal form of x and rounded once.
    """
    try:
        return float(Fraction(repr(x)) * factor)
    except OverflowError:  # 1e308 万元: the caller reports the infinity as an overflow
        return math.copysign(math.inf, x)


_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|[+-]?\.\d+(?:[eE][+-]?\d+)?"
_SEP = r"\s*(?:-|–|—|~|to|至|到)\s*"
_RANGE_RE = re.compile(rf"^({_NUM}){_SEP}({_NUM})$", re.IGNORECASE)
_POINT_RE = re.compile(rf"^({_NUM})$")
_BOUND_RE = re.compile(rf"^(>=|=>|≥|>|<=|=<|≤|<)\s*({_NUM})$")
_SUFFIX_RE = re.compile(rf"^({_NUM})\s*(\+|以上)$")
_APPROX_RE = re.compile(r"^(?:~|≈|约|about\s|approx\.?\s|c\.\s?)\s*", re.IGNORECASE)

_OPS = {
    ">=": ("low", False),
    "=>": ("low", False),
    "≥": ("low", False),
    ">": ("low", True),
    "<=": ("high", False),
    "=<": ("high", False),
    "≤": ("high", False),
    "<": ("high", True),
}


def parse_number(text: str) -> float:
    """A finite decimal number, or ParseError saying why not."""
    t = unicodedata.normalize("NFKC", text).strip()
    if not _POINT_RE.match(t):
        raise ParseError(f"{shown(text)} is not a number")
    try:
        x = float(t.replace(",", ""))
    except ValueError:  # pragma: no cover - the regex admits only floats
        raise ParseError(f"{shown(text)} is not a number") from None
    if not math.isfinite(x):
        raise ParseError(f"{shown(text)} is not a finite number")
    if x == 0 and re.search(r"[1-9]", t.split("e")[0].split("E")[0]):
        raise ParseError(f"{shown(text)} is too small to store (it would become 0)")
    return x + 0.0  # -0.0 -> 0.0, so "-0" and "0" are one value


def parse_value(text: str) -> Value:
    """Parse the value grammar; raises ParseError with a reason a user can act on."""
    if not isinstance(text, str):
        raise ParseError(f"{shown(text)} is not a value")
    t = unicodedata.normalize("NFKC", text).strip()
    if not t:
        raise ParseError("is empty")
    approx = False
    m = _APPROX_RE.match(t)
    if m:
        approx = True
        t = t[m.end() :].strip()
    lowered = t.lower()
    if lowered == ALLOCATION:
        if approx:
            raise ParseError(f"{shown(text)}: allocation cannot be approximate")
        return Value(None, None, special=ALLOCATION)
    if lowered == "stock":
        return Value(0.0, 0.0, approx=approx)
    m = _BOUND_RE.match(t)
    if m:
        side, strict = _OPS[m.group(1)]
        x = parse_number(m.group(2))
        if side == "low":
            return Value(x, None, low_strict=strict, approx=approx)
        return Value(None, x, high_strict=strict, approx=approx)
    m = _SUFFIX_RE.match(t)
    if m:
        return Value(parse_number(m.group(1)), None, approx=approx)
    m = _POINT_RE.match(t)
    if m:
        x = parse_number(t)
        return Value(x, x, approx=approx)
    m = _RANGE_RE.match(t)
    if m:
        lo, hi = parse_number(m.group(1)), parse_number(m.group(2))
        if lo > hi:
            raise ParseError(f"{shown(text)} has low > high")
        return Value(lo, hi, approx=approx)
    raise ParseError(
        f"{shown(text)} is not a value (expected a number like 3.6, a range like 16-20, "
        "a bound like >=6 or <=22, optionally prefixed with ~)"
    )


def format_number(x: float) -> str:
    """Shortest text that reads back as the same float; integers without '.0'.

    repr() is the shortest round-tripping form, so exports stay exact without
    printing binary noise.  Large integers keep all digits (280000, not 2.8e5):
    repr writes every integer below 1e16 in full, with '.0', which is dropped
    (the tests hold this equal to str(int(x)) for integers, repr(x) otherwise).
    """
    r = repr(x if x.__class__ is float else float(x))
    if r[-2:] == ".0":
        return "0" if r == "-0.0" else r[:-2]
    return r


float_text = format_number  # the name the report's CSV path uses


@lru_cache(maxsize=65536)
def stored_text(low: float | None, high: float | None, flags: int, special: str | None) -> str:
    """format_value of a stored (low, high, flags, special), remembered: a million rows
    hold few distinct values."""
    return format_value(Value.stored(low, high, flags, special))


def format_value(v: Value) -> str:
    """The grammar form of a value; parse_value(format_value(v)) == v."""
    prefix = "~" if v.approx else ""
    if v.special == ALLOCATION:
        return ALLOCATION
    if v.low is not None and v.high is not None:
        if v.low == v.high:
            return prefix + format_number(v.low)
        return f"{prefix}{format_number(v.low)}-{format_number(v.high)}"
    if v.low is not None:
        return f"{prefix}{'>' if v.low_strict else '>='}{format_number(v.low)}"
    if v.high is not None:
        return f"{prefix}{'<' if v.high_strict else '<='}{format_number(v.high)}"
    return ALLOCATION  # pragma: no cover - a Value with no bounds is allocation
