"""Reading the interchange CSV: every row checked, every problem reported.

Validation returns problems as values (beancount's way) so one run tells the
user everything that is wrong with a file, each as ``FILE:LINE: column:
reason``.  Nothing here touches the database: the store writes what this
module yields, inside one transaction, and rolls back if any problem was found.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from tracker.dates import parse_period
from tracker.errors import ParseError, Problem, shown
from tracker.model import KINDS, METRIC_RE, NON_NEGATIVE_METRICS, Observation
from tracker.suppliers import resolve
from tracker.units import Unit, is_duration, is_price, parse_unit
from tracker.values import ALLOCATION, Value, format_number, parse_number, parse_value

COLUMNS = (
    "date", "supplier", "material", "product", "metric", "value", "low", "high",
    "unit", "kind", "source", "quote", "note",
)  # fmt: skip
# Columns an export adds; accepted on import so an export round-trips.
EXPORT_COLUMNS = ("id", "entered", "recorded_at")
REQUIRED = ("date", "material", "metric", "unit")

csv.field_size_limit(16 * 1024 * 1024)  # a long quote is fine; a 16 MB cell is not


class RowSource:
    """Where rows come from: a name for messages and a text stream."""

    def __init__(self, name: str, stream: IO[str]) -> None:
        self.name = name
        self.stream = stream


def open_source(path: str, encoding: str | None = None) -> tuple[RowSource | None, Problem | None]:
    """Open a file (or ``-`` for stdin) for reading rows, or say why it cannot be read."""
    import sys

    enc = encoding or "utf-8-sig"
    if encoding and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # a BOM is always accepted
    try:
        codecs.lookup(enc)
    except LookupError:
        return None, Problem(path, None, None, f"unknown encoding {shown(encoding)}")
    if path == "-":
        raw: bytes = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        name = path
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            return None, Problem(path, None, None, f"cannot read: {e.strerror or e}")
    problem = _check_bytes(name, raw, enc, encoding is not None)
    if problem:
        return None, problem
    return RowSource(name, io.StringIO(raw.decode(enc), newline="")), None


def _check_bytes(name: str, raw: bytes, enc: str, explicit: bool) -> Problem | None:
    if not raw:
        return Problem(name, None, None, "file is empty (0 bytes; expected a header row)")
    if not explicit and (
        raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE)
    ):
        return Problem(
            name,
            None,
            None,
            "file is UTF-16, not UTF-8; save it as 'CSV UTF-8' or use --encoding utf-16",
        )
    if not explicit and b"\x00" in raw:
        at = raw.index(b"\x00")
        line = raw[:at].count(b"\n") + 1
        if raw.count(b"\x00") * 4 >= len(raw):  # every other byte NUL: UTF-16 text
            even = raw[0::2].count(0) > raw[1::2].count(0)
            enc16 = "utf-16-be" if even else "utf-16-le"
            return Problem(name, line, None,
                           f"contains NUL bytes: it looks like UTF-16 without a BOM; "
                           f"save it as 'CSV UTF-8' or use --encoding {enc16}")  # fmt: skip
        return Problem(name, line, None, "contains NUL bytes (is it a binary file?)")
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        hint = _guess_encoding(raw)
        return Problem(
            name,
            line,
            None,
            f"not valid {enc.replace('-sig', '')} (byte 0x{raw[e.start]:02x}); {hint}",
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return Problem(
            name, line, None, "contains NUL bytes (a binary file, or UTF-16 without a BOM?)"
        )
    return None


def _guess_encoding(raw: bytes) -> str:
    for enc, who in (
        ("gb18030", "Chinese Excel saves GB18030"),
        ("big5", "Big5"),
        ("shift_jis", "Shift-JIS"),
    ):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        return f"it looks like {enc} ({who}): try --encoding {enc}"
    return "name its encoding with --encoding (for example gb18030 or cp1252)"


def _header(src: RowSource, header: list[str], line: int) -> tuple[list[str], list[Problem]]:
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    problems: list[Problem] = []
    known = COLUMNS + EXPORT_COLUMNS
    if len(names) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        return names, [
            Problem(
                src.name,
                1,
                None,
                f"header is separated by {sep}; the interchange CSV is comma separated",
            )
        ]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            problems.append(Problem(src.name, line, n, "duplicate column"))
        seen.add(n)
        if n not in known:
            problems.append(
                Problem(
                    src.name, 1, n or "(empty)", f"unknown column (columns are: {', '.join(known)})"
                )
            )
    for r in REQUIRED:
        if r not in seen:
            problems.append(Problem(src.name, line, r, "missing required column"))
    if not ({"value", "low", "high"} & seen):
        problems.append(
            Problem(
                src.name, line, "value", "missing required column (give value, or low and high)"
            )
        )
    return names, problems


def read_rows(src: RowSource) -> Iterator[tuple[int, dict[str, str] | None, Problem | None]]:
    """(line, row, problem) for each record; line is where the record starts."""
    reader = csv.reader(src.stream, strict=True)
    header: list[str] = []
    try:
        while len(header) <= 1 and not "".join(header).strip().lstrip("\ufeff"):  # blank lines
            header = next(reader)
    except StopIteration:
        yield 1, None, Problem(src.name, None, None, "file has no header row")
        return
    except csv.Error as e:
        yield 1, None, Problem(src.name, reader.line_num, None, f"malformed CSV: {e}")
        return
    names, problems = _header(src, header, reader.line_num)
    for p in problems:
        yield 1, None, p
    if problems:
        return
    prev_end = reader.line_num
    while True:
        start = prev_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield start, None, Problem(src.name, start, None, f"malformed CSV: {e}")
            return
        prev_end = reader.line_num
        if not fields or (len(fields) == 1 and not fields[0].strip() and len(names) > 1):
            continue  # blank line
        if len(fields) != len(names):
            yield (
                start,
                None,
                Problem(
                    src.name, start, None, f"row has {len(fields)} fields, header has {len(names)}"
                ),
            )
            continue
        yield start, dict(zip(names, fields, strict=True)), None


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
        value = _check_value(value, value_text, value_column, unit, unit_text, metric, bad)

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
    if bounds is not None and (bounds.low, bounds.high) != (value.low, value.high):
        column = "low" if bounds.low != value.low else "high"
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


def _check_value(
    value: Value, text: str, column: str, unit: Unit, unit_text: str, metric: str, bad: Report
) -> Value | None:
    """Checks that need value, unit and metric together; returns the value in canonical units."""
    if value.special == ALLOCATION and not is_duration(unit):
        bad("value", f"{shown(text)} is only for lead times (a unit in weeks, days or months)")
        return None
    if metric == "lead_time" and not is_duration(unit):
        bad("unit", f"{shown(unit_text)} is not a duration; lead_time needs weeks, days or months")
        return None
    if metric == "price" and not (is_price(unit) or unit.dimension == "money"):
        bad(
            "unit",
            f"{shown(unit_text)} is not a price unit (currency per quantity, e.g. CNY/t, 元/米)",
        )
        return None
    if metric in NON_NEGATIVE_METRICS:
        for side, b in (("low", value.low), ("high", value.high)):
            if b is not None and b < 0:
                what = "price" if metric == "price" else "lead time"
                col = column if column == "value" else side
                entered = text if column == "value" else format_number(b)
                bad(col, f"{shown(entered)} is negative; a {what} is never negative")
                return None
    scaled = value.scaled(unit.factor)
    if any(b is not None and math.isinf(b) for b in (scaled.low, scaled.high)):
        col = "value" if column == "value" else "low"
        bad(col, f"{shown(text)} overflows when converted to {unit.canonical}")
        return None
    return scaled


def parse_sources(
    sources: Iterable[RowSource], aliases: dict[str, str], problems: list[Problem]
) -> Iterator[Observation]:
    """Every valid observation in the files; problems are appended as found."""
    for src in sources:
        for line, row, problem in read_rows(src):
            if problem is not None:
                problems.append(problem)
                continue
            assert row is not None
            obs, row_problems = build_observation(row, aliases, src.name, line)
            if row_problems:
                problems.extend(row_problems)
            elif obs is not None:
                yield obs
