"""Reading the interchange CSV: every row checked, every problem reported.

Validation returns problems as values (beancount's way) so one run tells the
user everything that is wrong with a file, each as ``FILE:LINE: column:
reason``.  Nothing here touches the database: the store writes what this
module yields, inside one transaction, and rolls back if any problem was found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from tracker.csvfile import FileError, RowSource, records
from tracker.dates import parse_period
from tracker.errors import ParseError, Problem, shown
from tracker.model import KINDS, METRIC_RE, NON_NEGATIVE_METRICS, Observation
from tracker.suppliers import resolve
from tracker.terminal import describe, unsafe
from tracker.units import Unit, is_duration, is_price, parse_unit
from tracker.values import (
    ALLOCATION,
    MAX_MAGNITUDE,
    Value,
    format_number,
    parse_number,
    parse_value,
)

COLUMNS = (
    "date",
    "supplier",
    "material",
    "product",
    "metric",
    "value",
    "low",
    "high",
    "unit",
    "kind",
    "source",
    "quote",
    "note",
)
# Columns an export or `tracker extract` adds; accepted on import (id and confidence are
# ignored) so that an export round-trips and extracted rows import as they are.
EXPORT_COLUMNS = ("id", "entered", "recorded_at", "confidence")
REQUIRED = ("date", "material", "metric", "unit")


def read_header(name: str, header: list[str], line: int) -> tuple[list[str], list[Problem]]:
    """Column names (lower case) and every problem with them."""
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    if len(names) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        return names, [
            Problem(
                name,
                line,
                None,
                f"header is separated by {sep}; the interchange CSV is comma separated",
            )
        ]
    problems: list[Problem] = []
    known = COLUMNS + EXPORT_COLUMNS
    seen: set[str] = set()
    for n in names:
        if not n:
            continue  # an unnamed column (a trailing comma from a spreadsheet): must stay empty
        if n in seen:
            problems.append(Problem(name, line, n, "duplicate column"))
        seen.add(n)
        if n not in known:
            problems.append(
                Problem(
                    name, line, n or "(empty)", f"unknown column (columns are: {', '.join(known)})"
                )
            )
    problems += [
        Problem(name, line, r, "missing required column") for r in REQUIRED if r not in seen
    ]
    if not ({"value", "low", "high"} & seen):
        problems.append(
            Problem(name, line, "value", "missing required column (give value, or low and high)")
        )
    return names, problems


def _text(row: dict[str, str], col: str) -> str | None:
    v = row.get(col)
    if v is None:
        return None
    v = v.strip()
    return v or None


_SPACE = re.compile(r"\s+")


def build_observation(
    row: dict[str, str], aliases: dict[str, str], file: str, line: int | None
) -> tuple[Observation | None, list[Problem]]:
    """Check one row and build its Observation, or return every problem with it."""
    problems: list[Problem] = []

    def bad(col: str, reason: str) -> None:
        problems.append(Problem(file, line, col, reason))

    period = None
    try:
        period = parse_period(row.get("date") or "")
    except ParseError as e:
        bad("date", str(e))

    material = _SPACE.sub(" ", row.get("material") or "").strip()
    if not material:
        bad("material", "is empty")
    for column in ("supplier", "material", "product"):
        hidden = hidden_character(row.get(column) or "")
        if hidden:
            bad(column, f"{shown(row.get(column))} holds {hidden}, which does not show as it is; "
                "remove it, so that the name reads as it is stored")  # fmt: skip
    metric = (row.get("metric") or "").strip()
    if not metric:
        bad("metric", "is empty")
    elif not METRIC_RE.match(metric):
        bad(
            "metric",
            f"{shown(metric)} is not a snake_case name (like lead_time, price, market_share)",
        )

    unit: Unit | None = None
    unit_text = (row.get("unit") or "").strip()
    try:
        unit = parse_unit(unit_text)
    except ParseError as e:
        bad("unit", str(e))

    kind = (row.get("kind") or "").strip() or "observed"
    if kind not in KINDS:
        bad("kind", f"{shown(kind)} is not one of {', '.join(KINDS)}")

    value, value_text, value_column = _value(row, bad)
    if value is not None and unit is not None:
        value = _check_value(value, value_text, value_column, unit, unit_text, metric, kind, bad)

    recorded_at = _text(row, "recorded_at")
    if recorded_at:
        try:
            datetime.fromisoformat(recorded_at)
        except ValueError:
            bad("recorded_at", f"{shown(recorded_at)} is not an ISO 8601 timestamp")

    if problems or period is None or value is None or unit is None:
        return None, problems
    supplier = _text(row, "supplier")
    product = _text(row, "product")
    return (
        Observation(
            period=period,
            supplier=resolve(supplier, aliases) if supplier else None,
            material=material,
            product=_SPACE.sub(" ", product) if product else None,
            metric=metric,
            value=value,
            unit=unit.canonical,
            entered=_text(row, "entered") or f"{value_text} {unit_text}",
            kind=kind,
            source=_text(row, "source"),
            quote=row.get("quote") or None,  # verbatim: the source's own words
            note=row.get("note") or None,
            recorded_at=recorded_at,
        ),
        [],
    )


Report = Callable[[str, str], None]


def hidden_character(name: str) -> str | None:
    """The first character of a name that would not show as itself (a control, bidi or
    zero-width character: 'U+200B ZERO WIDTH SPACE'), or None.

    Names identify series, so they are refused rather than cleaned: dropping a zero-width
    joiner would silently rename some names (it is part of a few scripts and emoji), and
    keeping it makes ``M\u200bG\u200dC`` a supplier that shows as "MGC" but is not MGC.
    Whitespace is not counted: a tab or line break in a name becomes a space.
    """
    if name.isprintable():
        return None
    return next((describe(c) for c in _SPACE.sub(" ", name) if unsafe(c)), None)


def _value(row: dict[str, str], bad: Report) -> tuple[Value | None, str, str]:
    """The value from `value` or from `low`/`high`: (value, text as entered, its column)."""
    text = (row.get("value") or "").strip()
    low, high = (row.get("low") or "").strip(), (row.get("high") or "").strip()
    if not (text or low or high):
        bad("value", "is empty (give value, or low and/or high)")
        return None, "", "value"
    bounds = _bounds(low, high, bad) if (low or high) else None
    if not text:
        if bounds is None:
            return None, "", "low"
        if bounds.low is not None and bounds.high is not None:
            shown_text = low if bounds.low == bounds.high else f"{low}-{high}"
        else:
            shown_text = f">={low}" if bounds.low is not None else f"<={high}"
        return bounds, shown_text, "low/high"
    try:
        value = parse_value(text)
    except ParseError as e:
        bad("value", str(e))
        return None, text, "value"
    if (low or high) and bounds is None:
        return None, text, "value"
    # value wins; a low or high given beside it must agree (an empty one is fine)
    wrong = [c for c, given, mine, theirs in (("low", low, bounds and bounds.low, value.low),
                                             ("high", high, bounds and bounds.high, value.high))
             if given and mine != theirs]  # fmt: skip
    if wrong:
        column = wrong[0]
        bad(
            column,
            f"low/high ({low or 'empty'}, {high or 'empty'}) disagree with value {shown(text)}",
        )
        return None, text, "value"
    return value, text, "value"


def _bounds(low: str, high: str, bad: Report) -> Value | None:
    """The low/high columns, each parsed and blamed under its own name."""
    parsed: dict[str, float | None] = {"low": None, "high": None}
    ok = True
    for column, text in (("low", low), ("high", high)):
        if text:
            try:
                parsed[column] = parse_number(text)
            except ParseError as e:
                bad(column, str(e))
                ok = False
    lo, hi = parsed["low"], parsed["high"]
    if not ok:
        return None
    if lo is not None and hi is not None and lo > hi:
        bad("low", f"low {shown(low)} > high {shown(high)}")
        return None
    return Value(lo, hi)


# A rule of a figure beyond the built-in ones of _check_value: (the figure in its canonical
# unit, its text as entered, the unit, the metric, the kind) -> why it is refused, or None.
ValueRule = Callable[[Value, str, Unit, str, str], "str | None"]
# Rules added here are run by every path (build_observation and tracker.bulk), and a
# remembered result is keyed on everything _check_value reads (value text, unit text, metric,
# kind).  While this is empty, the fast paths take a plain figure in a unit of factor 1
# (digits, a plain range of them) without calling _check_value: the built-in rules pass
# every such figure; a rule added here turns that shortcut off.
VALUE_RULES: list[ValueRule] = []


def plain_figures_pass() -> bool:
    """Whether every rule passes a plain non-negative figure below 1e15 in a unit of factor 1
    (the fast paths' shortcut; see VALUE_RULES)."""
    return not VALUE_RULES


def _check_value(
    value: Value, text: str, column: str, unit: Unit, unit_text: str, metric: str, kind: str,
    bad: Report,
) -> Value | None:  # fmt: skip
    """Every rule of a figure in its unit, for its metric and kind; returns the value in
    canonical units.  What it reads is what the fast paths key their memories on."""
    if value.special == ALLOCATION and not is_duration(unit):
        bad("value", f"{shown(text)} is only for lead times (a unit in weeks, days or months)")
        return None
    misfit = unit_misfit(metric, unit, unit_text)
    if misfit:
        bad("unit", misfit)
        return None
    if text.strip().lower() == "stock" and not is_duration(unit):
        bad("value", f"{shown(text)} is only for lead times (a unit in weeks, days or months)")
        return None
    if metric in NON_NEGATIVE_METRICS:
        for side, b in (("low", value.low), ("high", value.high)):
            # "<0" or "<=-1" leaves only negative values as well
            if b is not None and (b < 0 or (side == "high" and b == 0 and value.high_strict)):
                what = "price" if metric == "price" else "lead time"
                col = column if column == "value" else side
                entered = text if column == "value" else format_number(b)
                bad(col, f"{shown(entered)} is negative; a {what} is never negative")
                return None
    scaled = value.scaled(unit.factor)
    col = "value" if column == "value" else "low"
    if any(b is not None and math.isinf(b) for b in (scaled.low, scaled.high)):
        bad(col, f"{shown(text)} overflows when converted to {unit.canonical}")
        return None
    if any(b is not None and abs(b) > MAX_MAGNITUDE for b in (scaled.low, scaled.high)):
        bad(col, f"{shown(text)} is beyond ±{MAX_MAGNITUDE:.0e} {unit.canonical}, the range of "
            "figures the tracker keeps exact")  # fmt: skip
        return None
    for rule in VALUE_RULES:
        reason = rule(scaled, text, unit, metric, kind)
        if reason:
            bad(col, reason)
            return None
    return scaled


def parse_sources(
    sources: Iterable[RowSource], aliases: dict[str, str], problems: list[Problem]
) -> Iterator[Observation]:
    """Every valid observation in small files (the shipped dataset), streamed, each row
    through build_observation; problems are appended as found.  Big files go through
    tracker.bulk."""
    for src in sources:
        try:
            rows = records(src)
            first = next(rows, None)
            if first is None:
                problems.append(Problem(src.name, None, None, "file has no header row"))
                continue
            names, header_problems = read_header(src.name, first[1], first[0])
            if header_problems:
                problems.extend(header_problems)
                continue
            unnamed = [i for i, n in enumerate(names) if not n]
            for line, fields in rows:
                if len(fields) != len(names):
                    problems.append(ragged(src.name, line, names, fields))
                    continue
                if unnamed and any(fields[i].strip() for i in unnamed):
                    i = next(i for i in unnamed if fields[i].strip())
                    problems.append(Problem(src.name, line, f"column {i + 1}",
                                            "has a value but no name in the header"))  # fmt: skip
                    continue
                obs, row_problems = build_observation(
                    dict(zip(names, fields, strict=True)), aliases, src.name, line
                )
                problems.extend(row_problems)
                if obs is not None and not problems:
                    yield obs
        except FileError as e:
            problems.append(e.problem)
        finally:
            src.close()


def ragged(name: str, line: int, names: list[str], fields: list[str]) -> Problem:
    """A row with fewer or more fields than the header, blamed on the first column it misses."""
    if len(fields) < len(names):
        column = names[len(fields)] or f"column {len(fields) + 1}"
        reason = f"missing: the row has {len(fields)} fields, the header {len(names)}"
    else:
        column = f"field {len(names) + 1}"
        reason = f"has no column: the row has {len(fields)} fields, the header {len(names)}"
    return Problem(name, line, column, reason)


Names = tuple[str | None, str, str | None]  # supplier (canonical), material, product


def names_of(supplier: str, material: str, product: str, aliases: dict[str, str]) -> Names | None:
    """The names of a row as build_observation stores them, or None when it would refuse
    one (an empty material, a hidden character): the fast paths' check of names."""
    material = _SPACE.sub(" ", material).strip()
    if not material or any(map(hidden_character, (supplier, material, product))):
        return None
    s, p = supplier.strip(), product.strip()
    return (resolve(s, aliases) if s else None, material, _SPACE.sub(" ", p) if p else None)


def parsed_or_none(parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except ParseError:
        return None


def unit_for(unit_text: str, metric: str) -> Unit | None:
    """The unit, if it parses, the metric name is valid and the two go together."""
    if not metric or not METRIC_RE.match(metric):
        return None
    unit = parsed_or_none(parse_unit, unit_text)
    if not isinstance(unit, Unit):
        return None
    return None if unit_misfit(metric, unit, unit_text) else unit


def unit_misfit(metric: str, unit: Unit, unit_text: str) -> str | None:
    """Why `unit` cannot measure `metric` (a lead time in CNY/t), or None when it can."""
    if metric == "lead_time" and not is_duration(unit):
        return f"{shown(unit_text)} is not a duration; lead_time needs weeks, days or months"
    if metric == "price" and not (is_price(unit) or unit.dimension == "money"):
        return f"{shown(unit_text)} is not a price unit (currency per quantity, e.g. CNY/t, 元/米)"
    return None


def value_or_none(text: str, unit: Unit, unit_text: str, metric: str, kind: str) -> Value | None:
    failed: list[str] = []

    def bad(col: str, reason: str) -> None:
        failed.append(reason)

    value, value_text, column = _value({"value": text}, bad)
    if value is None or failed:
        return None
    checked = _check_value(value, value_text, column, unit, unit_text, metric, kind, bad)
    return None if failed else checked


def iso_or_none(text: str) -> str | None:
    """`text` when it is an ISO 8601 timestamp (as build_observation checks recorded_at)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return None
    return text
