"""Units: the documented table, and normalisation to one canonical unit per dimension.

A unit is either atomic (``weeks``, ``%``, ``CNY``, ``t``) or a ratio of a
currency and a quantity (``万元/吨``, ``USD/m2``) or of a quantity and a time
(``万平米/年``).  Chinese scale words (万 = 10^4, 亿 = 10^8, 千, 百万, 千万) may
prefix a currency or a quantity.  Normalising multiplies by an exact fraction:

* lead times go to weeks (days / 7; months * 365.25 / 12 / 7);
* a scaled unit goes to its base (万元/吨 -> CNY/t * 10,000; 元/米 -> CNY/m);
* a price per kg goes to a price per t (* 1,000), so per-mass prices compare;
* currencies are never converted into each other: there is no silent FX.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from functools import cache
from typing import NamedTuple

from tracker.errors import ParseError, shown


class Unit(NamedTuple):
    """A parsed unit.

    Attributes:
        canonical: the unit values are stored in (``weeks``, ``CNY/t``).
        factor: multiply an entered number by this to get the canonical number.
        dimension: ``duration``, ``percent``, ``count``, ``money``, ``mass``,
            ``length``, ``area``, ``pieces``, ``sheets``, ``price per mass``,
            ``price per length`` ..., ``mass per year`` ...
    """

    canonical: str
    factor: Fraction
    dimension: str


# --- the table -------------------------------------------------------------
# Each entry: canonical name -> (dimension, factor to canonical, aliases...).

DURATIONS: dict[str, tuple[Fraction, tuple[str, ...]]] = {
    "weeks": (Fraction(1), ("weeks", "week", "wks", "wk", "w", "周", "星期")),
    "days": (Fraction(1, 7), ("days", "day", "d", "天", "日")),
    "months": (Fraction(36525, 8400), ("months", "month", "mo", "个月", "月")),
}

CURRENCIES: dict[str, tuple[str, ...]] = {
    "CNY": ("CNY", "RMB", "元", "人民币", "人民币元"),
    "USD": ("USD", "US$", "$", "美元"),
    "JPY": ("JPY", "日元", "円"),
    "EUR": ("EUR", "€", "欧元"),
    "TWD": ("TWD", "NTD", "NT$", "新台币", "台币"),
    "KRW": ("KRW", "韩元"),
}

# quantity canonical -> (dimension, {alias: factor to canonical})
QUANTITIES: dict[str, tuple[str, dict[str, Fraction]]] = {
    "t": (
        "mass",
        {
            **dict.fromkeys(("t", "ton", "tons", "tonne", "tonnes", "吨"), Fraction(1)),
            **dict.fromkeys(("kg", "公斤", "千克"), Fraction(1, 1000)),
            **dict.fromkeys(("kt",), Fraction(1000)),
        },
    ),
    "m": ("length", dict.fromkeys(("m", "metre", "meter", "metres", "meters", "米"), Fraction(1))),
    "m2": (
        "area",
        dict.fromkeys(("m2", "m²", "㎡", "sqm", "平米", "平方米", "平方"), Fraction(1)),
    ),
    "pcs": ("pieces", dict.fromkeys(("pcs", "pc", "piece", "pieces", "片", "颗"), Fraction(1))),
    "sheet": ("sheets", dict.fromkeys(("sheet", "sheets", "张"), Fraction(1))),
    "roll": ("rolls", dict.fromkeys(("roll", "rolls", "卷"), Fraction(1))),
}

PERIODS: dict[str, tuple[str, ...]] = {
    "year": ("year", "yr", "y", "a", "annum", "年"),
    "month": ("month", "mo", "月"),
    "week": ("week", "wk", "周"),
    "day": ("day", "d", "天", "日"),
}

PLAIN: dict[str, tuple[str, tuple[str, ...]]] = {
    "%": ("percent", ("%", "percent", "pct", "百分比")),
    "count": ("count", ("count", "家", "个", "items")),
}

SCALES: dict[str, Fraction] = {
    "千": Fraction(10**3),
    "万": Fraction(10**4),
    "十万": Fraction(10**5),
    "百万": Fraction(10**6),
    "千万": Fraction(10**7),
    "亿": Fraction(10**8),
}


# Compound units as Chinese and English sources write them, listed by `tracker units`
# with their factor (every combination of the table above is accepted, not only these).
COMMON = ("元/米", "元/吨", "万元/吨", "元/平方米", "元/张", "元/公斤", "美元/公斤", "USD/kg",
          "USD/t", "USD/m2", "万元", "亿元", "万米", "万吨", "万吨/年", "万平米/年", "万平米/月",
          "亿片")  # fmt: skip


def _key(text: str) -> str:
    return text.lower()


@cache
def _index() -> tuple[
    dict[str, Unit], dict[str, str], dict[str, tuple[str, Fraction]], dict[str, str]
]:
    simple: dict[str, Unit] = {}
    for factor, aliases in DURATIONS.values():
        for a in aliases:
            simple[_key(a)] = Unit("weeks", factor, "duration")
    for canon, (dim, aliases) in PLAIN.items():
        for a in aliases:
            simple[_key(a)] = Unit(canon, Fraction(1), dim)
    currencies = {_key(a): code for code, aliases in CURRENCIES.items() for a in aliases}
    quantities = {
        _key(a): (canon, f)
        for canon, (_dim, aliases) in QUANTITIES.items()
        for a, f in aliases.items()
    }
    periods = {_key(a): canon for canon, aliases in PERIODS.items() for a in aliases}
    return simple, currencies, quantities, periods


_PER_RE = re.compile(r"\s*(?:/|\bper\b|每)\s*", re.IGNORECASE)


def _split_scale(text: str) -> tuple[Fraction, str]:
    for word in sorted(SCALES, key=len, reverse=True):
        if text.startswith(word) and len(text) > len(word):
            return SCALES[word], text[len(word) :]
    return Fraction(1), text


def _term(text: str) -> tuple[str, str, Fraction] | None:
    """A numerator: ('currency'|'quantity', canonical, factor), scale words applied.

    The whole word is tried first: 千克 is a kilogram, not a thousand 克.
    """
    _, currencies, quantities, _ = _index()
    for scale, rest in ((Fraction(1), text.strip()), _split_scale(text.strip())):
        k = _key(rest)
        if k in currencies:
            return "currency", currencies[k], scale
        if k in quantities:
            canon, f = quantities[k]
            return "quantity", canon, scale * f
    return None


@cache
def parse_unit(text: str) -> Unit:
    """Parse a unit; ParseError names the table (``tracker units``) when it is unknown."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    if not t:
        raise ParseError("is empty (every figure needs a unit; see `tracker units`)")
    simple, _currencies, quantities, periods = _index()
    if _key(t) in simple:
        return simple[_key(t)]
    parts = _PER_RE.split(t)
    if len(parts) == 1:
        term = _term(t)
        if term is not None:
            kind, canon, factor = term
            if kind == "currency":
                return Unit(canon, factor, "money")
            return Unit(canon, factor, QUANTITIES[canon][0])
    elif len(parts) == 2 and parts[0] and parts[1]:
        top, bottom = _term(parts[0]), parts[1].strip()
        if top is not None:
            kind, canon, factor = top
            if kind == "currency" and _key(bottom) in quantities:
                q, qf = quantities[_key(bottom)]
                return Unit(f"{canon}/{q}", factor / qf, f"price per {QUANTITIES[q][0]}")
            if kind == "quantity" and _key(bottom) in periods:
                p = periods[_key(bottom)]
                return Unit(f"{canon}/{p}", factor, f"{QUANTITIES[canon][0]} per {p}")
    raise ParseError(f"unknown unit {shown(text)}{_suggestion(t)} "
                     "(see `tracker units` for the known units)")  # fmt: skip


def _suggestion(t: str) -> str:
    """'; did you mean weeks?' for 'weks', '; did you mean CNY/t?' for 'CNY/tt' ('' if none)."""
    from tracker.suggest import close, did_you_mean

    simple, currencies, quantities, periods = _index()
    parts = _PER_RE.split(t)
    if len(parts) == 1:  # a whole word must be closer than a part: 'parsecs' is no 'pieces'
        hits = close(t, [*simple, *currencies, *quantities], n=1, cutoff=0.75)
        return did_you_mean([currencies.get(k, k) for k in hits])
    if len(parts) != 2:
        return ""
    top, bottom = parts[0].strip(), parts[1].strip()
    tops = [top] if _term(top) else close(top, [*currencies, *quantities], n=1)
    bottoms = [bottom] if _key(bottom) in quantities or _key(bottom) in periods else close(
        bottom, [*quantities, *periods], n=1)  # fmt: skip
    if not tops or not bottoms or (tops, bottoms) == ([top], [bottom]):
        return ""
    return did_you_mean([f"{currencies.get(tops[0], tops[0])}/{bottoms[0]}"])


class UnitRow(NamedTuple):
    """One row of the documented unit table."""

    unit: str
    dimension: str
    canonical: str
    factor: Fraction
    aliases: str


def unit_table() -> list[UnitRow]:
    """The table `tracker units` prints: every atom, then the ratio forms."""
    rows: list[UnitRow] = []
    for canon, (factor, aliases) in DURATIONS.items():
        rows.append(UnitRow(canon, "duration", "weeks", factor, ", ".join(aliases)))
    for canon, (dim, aliases) in PLAIN.items():
        rows.append(UnitRow(canon, dim, canon, Fraction(1), ", ".join(aliases)))
    for code, aliases in CURRENCIES.items():
        rows.append(UnitRow(code, "money", code, Fraction(1), ", ".join(aliases)))
    for canon, (dim, quantity_aliases) in QUANTITIES.items():
        for f, names in _group_by_factor(quantity_aliases):
            rows.append(UnitRow(names[0], dim, canon, f, ", ".join(names)))
    for text in COMMON:
        u = parse_unit(text)
        rows.append(UnitRow(text, u.dimension, u.canonical, u.factor, "as the press writes it"))
    for code in CURRENCIES:
        for canon, (dim, _aliases) in QUANTITIES.items():
            rows.append(
                UnitRow(
                    f"{code}/{canon}",
                    f"price per {dim}",
                    f"{code}/{canon}",
                    Fraction(1),
                    "any currency form / any form of the quantity",
                )
            )
    for canon, (dim, _aliases) in QUANTITIES.items():
        for p in PERIODS:
            rows.append(
                UnitRow(
                    f"{canon}/{p}",
                    f"{dim} per {p}",
                    f"{canon}/{p}",
                    Fraction(1),
                    "any form of the quantity / any form of the period",
                )
            )
    for word, f in SCALES.items():
        rows.append(
            UnitRow(
                f"{word}…",
                "scale prefix",
                "×",
                f,
                f"prefixes a currency or quantity: {word}元, {word}吨",
            )
        )
    return rows


def _group_by_factor(aliases: dict[str, Fraction]) -> list[tuple[Fraction, list[str]]]:
    groups: dict[Fraction, list[str]] = {}
    for name, f in aliases.items():
        groups.setdefault(f, []).append(name)
    return list(groups.items())


def is_duration(unit: Unit) -> bool:
    return unit.dimension == "duration"


def is_price(unit: Unit) -> bool:
    return unit.dimension.startswith("price per ")
