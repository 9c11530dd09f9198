"""Dates of varying precision: a day, a month, a quarter or a year.

News gives "2025年", "Q2", "8月起" and "年初" as often as a day.  A
:class:`Period` keeps the precision, so that a month figure is drawn across
its month and is never silently pinned to the 1st.  Observations sort by the
start of their period, a coarser period first on a tie (2025 before 2025-01
before 2025-01-01), which is what "first" and "latest" mean in reports.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import NamedTuple

from tracker.errors import ParseError, shown

PRECISIONS = ("year", "quarter", "month", "day")  # coarse to fine: the tie-break order
RANK = {p: i for i, p in enumerate(PRECISIONS)}

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class Period(NamedTuple):
    """A date with its precision.

    Attributes:
        text: canonical text: ``2025-07-24``, ``2025-07``, ``2025-Q3`` or ``2025``.
        start: first day of the period.
        end: last day of the period (inclusive).
        precision: ``day``, ``month``, ``quarter`` or ``year``.
    """

    text: str
    start: date
    end: date
    precision: str

    @property
    def sort_key(self) -> tuple[date, int]:
        return (self.start, RANK[self.precision])

    def __str__(self) -> str:
        return self.text


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def parse_period(text: str, stored: bool = False) -> Period:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; ParseError says why not.

    Years are 1900-2999; `stored` reads a date already in a database without that check
    (one saved before it existed must still be listed, and corrected)."""
    t = (text or "").strip()
    if not t:
        raise ParseError("is empty (expected YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY)")
    if m := _DAY.match(t):
        y, mo, d = (int(g) for g in m.groups())
        try:
            day = date(y, mo, d)
        except ValueError:
            raise ParseError(f"{shown(text)} is not a real date") from None
        _check_year(text, y, stored)
        return Period(day.isoformat(), day, day, "day")
    if m := _MONTH.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ParseError(f"{shown(text)} is not a real month")
        _check_year(text, y, stored)
        return Period(f"{y:04d}-{mo:02d}", date(y, mo, 1), _month_end(y, mo), "month")
    if m := _QUARTER.match(t):
        y, q = int(m.group(1)), int(m.group(2))
        _check_year(text, y, stored)
        first = 3 * q - 2
        return Period(f"{y:04d}-Q{q}", date(y, first, 1), _month_end(y, first + 2), "quarter")
    if m := _YEAR.match(t):
        y = int(m.group(1))
        _check_year(text, y, stored)
        return Period(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year")
    raise ParseError(f"{shown(text)} is not a date (expected YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY)")


LAST_YEAR = 2999  # later dates are typos (9999-12-31), and break date arithmetic at 9999


def _check_year(text: str, y: int, stored: bool = False) -> None:
    if stored:
        return
    if y < 1900:
        raise ParseError(f"{shown(text)}: year {y} is before 1900")
    if y > LAST_YEAR:
        raise ParseError(f"{shown(text)}: year {y} is after {LAST_YEAR}")


def midpoint(p: Period) -> date:
    """Middle day of the period, where a chart places a single marker."""
    return p.start + timedelta(days=(p.end - p.start).days // 2)
