"""Units: the table, scale words, normalisation to one canonical unit per dimension."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tracker.errors import ParseError
from tracker.units import parse_unit, unit_table


@pytest.mark.parametrize(
    ("text", "canonical", "factor", "dimension"),
    [
        ("weeks", "weeks", 1, "duration"),
        ("周", "weeks", 1, "duration"),
        ("days", "weeks", Fraction(1, 7), "duration"),
        ("天", "weeks", Fraction(1, 7), "duration"),
        ("months", "weeks", Fraction(36525, 8400), "duration"),
        ("%", "%", 1, "percent"),
        ("CNY/m", "CNY/m", 1, "price per length"),
        ("元/米", "CNY/m", 1, "price per length"),
        ("万元/吨", "CNY/t", 10000, "price per mass"),
        ("CNY/t", "CNY/t", 1, "price per mass"),
        ("USD/m2", "USD/m2", 1, "price per area"),
        ("USD/kg", "USD/t", 1000, "price per mass"),
        ("USD per kg", "USD/t", 1000, "price per mass"),
        ("美元/平方米", "USD/m2", 1, "price per area"),
        ("亿元", "CNY", 10**8, "money"),
        ("万元", "CNY", 10**4, "money"),
        ("万米", "m", 10**4, "length"),
        ("亿片", "pcs", 10**8, "pieces"),
        ("万吨/年", "t/year", 10**4, "mass per year"),
        ("万平米/月", "m2/month", 10**4, "area per month"),
        ("元/张", "CNY/sheet", 1, "price per sheets"),
    ],
)
def test_units(text: str, canonical: str, factor: int | Fraction, dimension: str) -> None:
    u = parse_unit(text)
    assert (u.canonical, u.factor, u.dimension) == (canonical, factor, dimension)


@pytest.mark.parametrize("text", ["", "parsecs", "CNY/parsec", "万", "/t", "CNY/t/m"])
def test_unknown_units(text: str) -> None:
    with pytest.raises(ParseError):
        parse_unit(text)


def test_table_lists_canonical_units() -> None:
    units = {r.unit for r in unit_table()}
    assert {"weeks", "days", "%", "CNY", "CNY/t", "CNY/m", "USD/m2", "t"} <= units
