"""The value grammar: every form of CONTRACT section 3, and its inverse."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import ParseError
from tracker.values import ALLOCATION, Value, float_text, format_number, format_value, parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.6", Value(3.6, 3.6)),
        ("16-20", Value(16, 20)),
        ("16–20", Value(16, 20)),  # en dash
        ("16 - 20", Value(16, 20)),
        (">=6", Value(6, None)),
        ("≥6", Value(6, None)),
        (">12", Value(12, None, low_strict=True)),
        ("<=22", Value(None, 22)),
        ("≤16", Value(None, 16)),
        ("<5", Value(None, 5, high_strict=True)),
        ("~15", Value(15, 15, approx=True)),
        ("~14.3-16.7", Value(14.3, 16.7, approx=True)),
        ("约15", Value(15, 15, approx=True)),
        ("6+", Value(6, None)),
        ("6以上", Value(6, None)),
        ("allocation", Value(None, None, special=ALLOCATION)),
        ("Allocation", Value(None, None, special=ALLOCATION)),
        ("stock", Value(0, 0)),
        ("１６-２０", Value(16, 20)),  # full-width digits
        ("280,000", Value(280000, 280000)),
        ("-5", Value(-5, -5)),
        ("-5--3", Value(-5, -3)),
        ("1e3", Value(1000, 1000)),
        (">0", Value(0, None, low_strict=True)),
    ],
)
def test_parse_forms(text: str, expected: Value) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("20-16", "'20-16' has low > high"),
        ("20–16", "has low > high"),
        ("nan", "is not a value"),
        ("inf", "is not a value"),
        ("1e400", "'1e400' is not a finite number"),
        ("", "is empty"),
        ("abc", "is not a value"),
        ("16-", "is not a value"),
        (">=", "is not a value"),
        ("~allocation", "cannot be approximate"),
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason.replace("(", r"\(")):
        parse_value(text)


@pytest.mark.parametrize(
    ("v", "text"),
    [
        (Value(280000, 300000), "280000-300000"),
        (Value(12, None, low_strict=True), ">12"),
        (Value(6, None), ">=6"),
        (Value(None, 22), "<=22"),
        (Value(15, 15, approx=True), "~15"),
        (Value(None, None, special=ALLOCATION), "allocation"),
        (Value(4.1, 4.1), "4.1"),
        (Value(4.348214285714286, 4.348214285714286), "4.348214285714286"),
    ],
)
def test_format(v: Value, text: str) -> None:
    assert format_value(v) == text


def test_scaling_is_exact_on_decimals() -> None:
    from fractions import Fraction

    assert parse_value("0.07").scaled(Fraction(10000)).low == 700.0  # not 700.0000000000001
    assert parse_value("28-30").scaled(Fraction(10000)) == Value(280000, 300000)
    assert parse_value("10").scaled(Fraction(1, 7)).low == 10 / 7


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


@st.composite
def values(draw: st.DrawFn) -> Value:
    shape = draw(st.sampled_from(["point", "range", "low", "high", "allocation"]))
    approx = draw(st.booleans())
    a, b = sorted([draw(finite), draw(finite)])
    a, b = a + 0.0, b + 0.0
    if shape == "point":
        return Value(a, a, approx=approx)
    if shape == "range":
        return Value(a, b, approx=approx)
    if shape == "low":
        return Value(a, None, low_strict=draw(st.booleans()), approx=approx)
    if shape == "high":
        return Value(None, b, high_strict=draw(st.booleans()), approx=approx)
    return Value(None, None, special=ALLOCATION)


@given(values())
def test_format_then_parse_is_identity(v: Value) -> None:
    assert parse_value(format_value(v)) == v


@given(st.text(max_size=40))
def test_parser_raises_only_its_own_error(text: str) -> None:
    try:
        v = parse_value(text)
    except ParseError:
        return
    for b in (v.low, v.high):
        assert b is None or math.isfinite(b)


def _reference(x: float) -> str:
    """format_number as first written: integers in full below 1e16, else repr."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**17), 10**17))
def test_format_number_is_the_reference(x: float) -> None:
    assert format_number(x) == float_text(x) == _reference(x)


def test_format_number_edges() -> None:
    for x in (0.0, -0.0, 1e15, 9999999999999998.0, 1e16, -5.0, 1e-5, 13.88888888888889, 280000.0,
              float("inf"), float("-inf"), 5, 0):  # fmt: skip
        assert format_number(x) == _reference(x)
