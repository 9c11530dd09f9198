"""Dates of varying precision."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.dates import parse_period
from tracker.errors import ParseError


@pytest.mark.parametrize(
    ("text", "canon", "start", "end", "precision"),
    [
        ("2025-07-24", "2025-07-24", date(2025, 7, 24), date(2025, 7, 24), "day"),
        ("2025-07", "2025-07", date(2025, 7, 1), date(2025, 7, 31), "month"),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2025-Q2", "2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "quarter"),
        ("2025q4", "2025-Q4", date(2025, 10, 1), date(2025, 12, 31), "quarter"),
        ("2025", "2025", date(2025, 1, 1), date(2025, 12, 31), "year"),
    ],
)
def test_periods(text: str, canon: str, start: date, end: date, precision: str) -> None:
    p = parse_period(text)
    assert (p.text, p.start, p.end, p.precision) == (canon, start, end, precision)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-02-30", "'2025-02-30' is not a real date"),
        ("2025-13-01", "is not a real date"),
        ("2025-13", "is not a real month"),
        ("2025-00", "is not a real month"),
        ("2025-Q5", "is not a date"),
        ("25-01-01", "is not a date"),
        ("July 2025", "is not a date"),
        ("", "is empty"),
    ],
)
def test_bad_dates(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_period(text)


def test_coarser_period_sorts_first_on_a_tie() -> None:
    keys = sorted(["2025-01-01", "2025-01", "2025", "2025-Q1"], key=lambda t: parse_period(t).sort_key)
    assert keys == ["2025", "2025-Q1", "2025-01", "2025-01-01"]


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.text(max_size=20))
def test_date_parser_raises_only_its_own_error(text: str) -> None:
    try:
        p = parse_period(text)
    except ParseError:
        return
    assert p.start <= p.end and parse_period(p.text) == p
