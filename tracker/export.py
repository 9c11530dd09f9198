"""Writing the interchange CSV, for machines (exact text) and for spreadsheets.

The plain export is exact: numbers in their shortest round-tripping form, the
value in the grammar so openness and approximation survive re-import.  The
``excel`` flavour is for people: a UTF-8 BOM so Excel detects the encoding, and
text cells that a spreadsheet would run as a formula prefixed with ``'``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import IO, Any

from tracker.model import Observation
from tracker.values import Value, format_number, format_value

EXPORT_HEADER = (
    "id", "date", "supplier", "material", "product", "metric", "value", "low", "high",
    "unit", "kind", "source", "quote", "note", "entered", "recorded_at",
)  # fmt: skip

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _is_number(text: str) -> bool:
    """Wholly a plain ASCII number, as a spreadsheet reads one ('-5', '+3.2', '1e3').

    Stricter than float(): '-inf', ' -1', '-1\n' and full-width digits are text
    to a spreadsheet, so they get the prefix like any other text.
    """
    return _NUMBER.fullmatch(text) is not None


def neutralise(cell: str) -> str:
    """Defuse a text cell a spreadsheet would evaluate (CSV/formula injection).

    A cell that is wholly a number (-5, +3.2) is left alone so it stays a number.
    """
    if cell and cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


@lru_cache(maxsize=65536)
def _number(x: float | None) -> str:
    return "" if x is None else format_number(x)


@lru_cache(maxsize=65536)
def _value_text(low: float | None, high: float | None, flags: int, special: str | None) -> str:
    return format_value(
        Value(low, high, bool(flags & 1), bool(flags & 2), bool(flags & 4), special)
    )


def raw_rows(
    raw: tuple[dict[int, tuple[Any, ...]], dict[int | None, str | None], Iterable[tuple[Any, ...]]],
) -> Iterator[tuple[Any, ...]]:
    """Export rows straight from the store's raw rows (Store.iter_raw), a million at a time.

    Same text as :func:`export_row` once written (the csv module writes None
    as an empty cell and an int as its digits), without an Observation per
    row; numbers and values repeat, so their text is remembered.
    """
    series, sources, rows = raw
    for (
        oid,
        sid,
        date,
        low,
        high,
        flags,
        special,
        kind,
        src,
        quote,
        note,
        entered,
        recorded,
    ) in rows:
        supplier, material, product, metric, unit = series[sid]
        lo = _number(low)
        if low == high and not flags and low is not None:  # a plain figure, the common case
            hi = value = lo
        else:
            hi, value = _number(high), _value_text(low, high, flags, special)
        yield (oid, date, supplier, material, product, metric, value, lo, hi, unit, kind,
               sources[src], quote, note, entered, recorded)  # fmt: skip


def export_row(o: Observation) -> list[str]:
    v = o.value
    return [
        str(o.id) if o.id is not None else "",
        o.period.text,
        o.supplier or "",
        o.material,
        o.product or "",
        o.metric,
        format_value(v),
        "" if v.low is None else format_number(v.low),
        "" if v.high is None else format_number(v.high),
        o.unit,
        o.kind,
        o.source or "",
        o.quote or "",
        o.note or "",
        o.entered,
        o.recorded_at or "",
    ]


def write_csv(
    out: IO[str], header: Iterable[str], rows: Iterable[Iterable[Any]], excel: bool = False
) -> int:
    """Write header and rows as RFC 4180 CSV; returns the number of data rows.

    `out` must be opened with newline="" (the csv module writes CRLF itself).
    """
    if excel:
        out.write("\ufeff")
    csv.writer(out, lineterminator="\r\n").writerow(list(header))
    return write_rows(out, rows, excel)


def write_rows(out: IO[str], rows: Iterable[Iterable[Any]], excel: bool = False) -> int:
    """The data rows of :func:`write_csv` (no header); returns how many."""
    w = csv.writer(out, lineterminator="\r\n")
    count = [0]

    def counted() -> Iterator[Iterable[str]]:
        for row in rows:
            count[0] += 1
            yield [neutralise(c) if isinstance(c, str) else c for c in row] if excel else row

    w.writerows(counted())
    return count[0]


def write_observations(
    out: IO[str], observations: Iterable[Observation], excel: bool = False
) -> int:
    """The interchange CSV (CONTRACT section 3) for `observations`."""
    return write_csv(out, EXPORT_HEADER, (export_row(o) for o in observations), excel=excel)


def series_label(o: Observation) -> str:
    """Column title for the wide layout: 'MGC | BT resin NSA | lead_time (weeks)'."""
    item = " ".join(x for x in (o.material, o.product) if x)
    return f"{o.supplier or 'market'} | {item} | {o.metric} ({o.unit})"


def wide_table(observations: Iterable[Observation]) -> tuple[list[str], list[list[str]]]:
    """One row per date, one column per series (two, low and high, for a ranged series).

    Cells are plain numbers so a spreadsheet can chart them; an open bound
    fills only its known side, `allocation` stays empty, and so does a date a
    series has no figure for.  Several figures of one series on one date
    (different kinds or sources) keep the last recorded one.
    """
    from tracker.analysis import ordered

    obs = ordered(observations)
    labels: dict[str, bool] = {}  # label -> ranged?
    for o in obs:
        ranged = o.value.low != o.value.high
        labels[series_label(o)] = labels.get(series_label(o), False) or ranged
    columns: list[tuple[str, str]] = []  # (label, which)
    for label, ranged in sorted(labels.items()):
        columns += [(label, "low"), (label, "high")] if ranged else [(label, "value")]
    header = ["date"] + [f"{lab} {w}" if w != "value" else lab for lab, w in columns]
    index = {c: i + 1 for i, c in enumerate(columns)}
    rows: dict[str, list[str]] = {}
    for o in obs:
        row = rows.setdefault(o.period.text, [o.period.text] + [""] * len(columns))
        label, v = series_label(o), o.value
        if (label, "value") in index:
            row[index[(label, "value")]] = "" if v.low is None else format_number(v.low)
        else:
            row[index[(label, "low")]] = "" if v.low is None else format_number(v.low)
            row[index[(label, "high")]] = "" if v.high is None else format_number(v.high)
    return header, list(rows.values())


XLSX_WIDTHS = (
    8,
    11,
    16,
    16,
    14,
    12,
    14,
    10,
    10,
    8,
    10,
    24,
    40,
    24,
    16,
    20,
)  # columns, in EXPORT_HEADER order


def write_xlsx(out: IO[bytes], sheets: Iterable[tuple[str, Iterable[Observation]]]) -> int:
    """A workbook with a sheet per (name, observations), streamed; returns rows written.

    Id, low, high and a value that is wholly a number go in as numbers; the date as
    ISO text (a period like 2025-Q3 has no spreadsheet date); every other cell as
    text, never a formula.  With no sheets, one empty ``observations`` sheet.
    """
    from tracker import xlsx

    def rows(observations: Iterable[Observation]) -> Iterator[list[Any]]:
        for o in observations:
            r: list[Any] = export_row(o)
            r[0] = o.id
            r[6] = float(r[6]) if _is_number(r[6]) else r[6]
            r[7], r[8] = o.value.low, o.value.high
            yield r

    def all_sheets() -> Iterator[tuple[str, Sequence[str], Iterable[list[Any]]]]:
        empty = True
        for name, observations in sheets:
            empty = False
            yield name, EXPORT_HEADER, rows(observations)
        if empty:
            yield "observations", EXPORT_HEADER, []

    return xlsx.write(out, all_sheets(), XLSX_WIDTHS)
