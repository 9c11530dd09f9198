"""Writing the interchange CSV, for machines (exact text) and for spreadsheets.

The plain export is exact: numbers in their shortest round-tripping form, the
value in the grammar so openness and approximation survive re-import.  The
``excel`` flavour is for people (CONTRACT section 4):

- a UTF-8 BOM, so Excel and LibreOffice detect the encoding;
- every text cell (a text column, whatever it holds, and every header) quoted, so a
  spreadsheet that also splits on ";" or tab (LibreOffice's import dialog does by
  default) keeps it whole, and prefixed with ``'`` when a spreadsheet could run it:
  it starts with ``=``, ``+``, ``-``, ``@``, tab or CR, also behind spaces or
  invisible characters, or as a full-width or small form (``＝``, ``﹦``);
- numbers (id, low, high, a value that is wholly a number) left bare, so they stay
  numbers;
- a range written with an en dash, ``4–6``: Excel reads ``4-6`` as 6 April, and the en
  dash is the value grammar's own, so the file still imports back.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import IO, Any

from tracker.model import Observation
from tracker.terminal import unsafe
from tracker.values import float_text, format_number, format_value, stored_text

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


def _runs(cell: str) -> bool:
    """Whether a spreadsheet could read `cell` as a formula: it starts with = + - @ tab
    or CR, or with one of = + - @ behind blanks or invisible characters, or in a
    full-width or small form that a spreadsheet may fold to it."""
    c = cell[0]
    if c in _FORMULA_START:
        return True
    if c.isalnum() or c in "'\"(<>~":  # the common case, at once
        return False
    for c in cell:
        if c.isspace() or unsafe(c):
            continue
        return unicodedata.normalize("NFKC", c)[:1] in ("=", "+", "-", "@")
    return False


def neutralise(cell: str, text: bool = False) -> str:
    """Defuse a cell a spreadsheet would evaluate (CSV/formula injection) with ``'``.

    A cell that is wholly a number (-5, +3.2) is left alone so that it stays a number,
    unless it is a `text` cell: a supplier called ``+1`` is written ``'+1``.
    """
    if cell and _runs(cell) and (text or not _is_number(cell)):
        return "'" + cell
    return cell


# how each kind of column goes into an --excel CSV
NUMBER, VALUE, TEXT, PLAIN = "number", "value", "text", "plain"
_KINDS = {
    "id": NUMBER,
    "low": NUMBER,
    "high": NUMBER,
    "value": VALUE,
    "date": PLAIN,
    "recorded_at": PLAIN,
}  # fmt: skip  (every other column is TEXT)
_RANGE_DASH = re.compile(r"(?<=\d)-(?=[\d.])")  # the dash between a range's bounds, not a sign


def column_kinds(header: Sequence[str]) -> list[str]:
    """The --excel kind of each column of the interchange CSV (text unless known)."""
    return [_KINDS.get(h, TEXT) for h in header]


_NEEDS_QUOTES = re.compile('[,"\r\n]')


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


class CsvCells(dict[Any, str]):
    """Each distinct cell's CSV text, made once: ``cells[v]`` is what the csv module
    writes for `v` (None, text, an int or a float) in a row of two or more cells: None
    empty, a float in its shortest exact form, text quoted where it holds a comma, quote
    or line break.

    A report or an export repeats its names, dates and figures, so ``",".join(map(
    cells.__getitem__, row))`` writes a row with one lookup per cell instead of the csv
    module's character-by-character copy.  An int and a float that compare equal share
    a key, and below 1e16 their texts are the same; a number from there up (or NaN) is
    not remembered.
    """

    def __missing__(self, v: Any) -> str:
        if v.__class__ is str:
            text = self[v] = v if _NEEDS_QUOTES.search(v) is None else _quoted(v)
        elif v is None:
            text = self[v] = ""
        else:
            text = float_text(v) if v.__class__ is float else str(v)
            if -1e16 < v < 1e16:
                self[v] = text
        return text

    def line(self, row: Iterable[Any]) -> str:
        """One CRLF-terminated row."""
        return ",".join(map(self.__getitem__, row)) + "\r\n"


def excel_line(row: Iterable[Any], kinds: Sequence[str]) -> str:
    """One row of an --excel CSV (see the module's docstring), CRLF-terminated."""
    out = []
    for kind, c in zip(kinds, row, strict=False):
        if c is None:
            out.append('""' if kind is TEXT else "")
            continue
        cell = float_text(c) if c.__class__ is float else str(c)
        if kind is TEXT:
            out.append(_quoted(neutralise(cell, text=True)))
        elif not cell or _is_number(cell):
            out.append(cell)  # a number stays a number
        elif kind is VALUE:
            out.append(_quoted(neutralise(_RANGE_DASH.sub("–", cell))))
        else:  # a date, a timestamp: quoted only where CSV needs it
            cell = neutralise(cell)
            out.append(_quoted(cell) if _NEEDS_QUOTES.search(cell) else cell)
    return ",".join(out) + "\r\n"


@lru_cache(maxsize=65536)
def _number(x: float | None) -> str:
    return "" if x is None else format_number(x)


_value_text = stored_text


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
    out: IO[str],
    header: Iterable[str],
    rows: Iterable[Iterable[Any]],
    excel: bool = False,
    kinds: Sequence[str] | None = None,
) -> int:
    """Write header and rows as RFC 4180 CSV; returns the number of data rows.

    `out` must be opened with newline="" (the csv module writes CRLF itself).  With
    `excel`, a spreadsheet's CSV: `kinds` says how each column goes (NUMBER, VALUE,
    TEXT, PLAIN; by default from the column names of the interchange CSV), and every
    header cell is a text cell.
    """
    header = list(header)
    if excel:
        out.write("\ufeff" + excel_line(header, [TEXT] * len(header)))
    else:
        csv.writer(out, lineterminator="\r\n").writerow(header)
    return write_rows(out, rows, excel, kinds or column_kinds(header))


def write_rows(
    out: IO[str], rows: Iterable[Iterable[Any]], excel: bool = False,
    kinds: Sequence[str] | None = None,
) -> int:  # fmt: skip
    """The data rows of :func:`write_csv` (no header); returns how many.  `kinds`
    defaults to those of the interchange CSV's columns (EXPORT_HEADER)."""
    if excel:
        kinds = kinds or column_kinds(EXPORT_HEADER)
        n = 0
        for row in rows:
            out.write(excel_line(row, kinds))
            n += 1
        return n
    w = csv.writer(out, lineterminator="\r\n")
    count = [0]

    def counted() -> Iterator[Iterable[str]]:
        for row in rows:
            count[0] += 1
            yield row

    w.writerows(counted())
    return count[0]


def write_export(
    out: IO[str], rows: Iterable[tuple[Any, ...]], progress: Callable[[int], None] | None = None
) -> int:
    """The interchange CSV of :func:`raw_rows` (header and rows), the text the csv module
    writes for them; returns the number of rows.  `progress(rows written)` is called
    every 20,000 rows.

    Names, dates, values, units and the rest repeat across a million rows, so each
    distinct cell's text is made once (CsvCells) and a row is joined, not copied
    character by character; the id, new on every row, is written as it is.  The
    remembered texts are dropped past _REMEMBERED, so memory stays flat.
    """
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerow(EXPORT_HEADER)
    out.write(buf.getvalue())
    cells = CsvCells()
    get = cells.__getitem__
    n = 0
    lines: list[str] = []
    for row in rows:
        lines.append(f"{row[0]},{','.join(map(get, row[1:]))}\r\n")
        if len(lines) == 5_000:
            out.write("".join(lines))
            n += len(lines)
            lines.clear()
            if len(cells) > _REMEMBERED:
                cells.clear()
            if progress is not None and n % 20_000 == 0:
                progress(n)
    out.write("".join(lines))
    return n + len(lines)


_REMEMBERED = 50_000


def write_observations(
    out: IO[str], observations: Iterable[Observation], excel: bool = False
) -> int:
    """The interchange CSV (CONTRACT section 3) for `observations`."""
    return write_csv(out, EXPORT_HEADER, (export_row(o) for o in observations), excel=excel)


def series_label(o: Observation) -> str:
    """Column title for the wide layout: 'MGC | BT resin NSA | lead_time (weeks)', and
    ' | baseline' (or announced, forecast) for figures that are not observations."""
    item = " ".join(x for x in (o.material, o.product) if x)
    kind = "" if o.kind == "observed" else f" | {o.kind}"
    return f"{o.supplier or 'market'} | {item} | {o.metric} ({o.unit}){kind}"


def _explicit_label(o: Observation) -> str:
    """The title of a series whose short label another series shares: every part named."""
    kind = "" if o.kind == "observed" else f" | {o.kind}"
    return (f"{o.supplier or '(market-wide)'} | material {o.material}, product "
            f"{o.product or '(none)'} | {o.metric} ({o.unit}){kind}")  # fmt: skip


WideKey = tuple[tuple[str | None, str, str | None, str, str], str]  # (series, kind)


def wide_table(observations: Iterable[Observation]) -> tuple[list[str], list[list[str]]]:
    """One row per date, columns per series and kind: every figure kept, as numbers.

    A series is (supplier, material, product, metric, unit) and each kind is a column
    of its own, so a stated normal level and an observation of one date are two
    columns.  A series with any range or open bound gets a low and a high column, the
    unknown side of an open bound empty (``>12``: 12 and nothing, never a point of 12);
    `allocation` is empty.  Two figures of one series, kind and date (two sources) take
    two rows of that date.  Titles are unique: series whose short titles would be the
    same (a supplier called "market", material "glass" + product "cloth 7628") are
    titled with every part named.  What the numbers cannot hold (~, > against >=) is
    in the long export.
    """
    from tracker.analysis import ordered

    obs = ordered(observations)
    first: dict[WideKey, Observation] = {}
    ranged: dict[WideKey, bool] = {}
    for o in obs:
        key = (o.series, o.kind)
        first.setdefault(key, o)
        ranged[key] = ranged.get(key, False) or o.value.low != o.value.high
    short: dict[str, list[WideKey]] = {}
    for key, o in first.items():
        short.setdefault(series_label(o), []).append(key)
    titles: dict[WideKey, str] = {}
    for label, keys in short.items():
        for key in keys:
            titles[key] = label if len(keys) == 1 else _explicit_label(first[key])
    seen: dict[str, int] = {}
    for key in sorted(titles, key=lambda k: titles[k]):  # a name holding " | " could still
        n = seen[titles[key]] = seen.get(titles[key], 0) + 1  # clash: numbered, never merged
        if n > 1:
            titles[key] = f"{titles[key]} ({n})"
    columns: list[tuple[WideKey, str]] = []  # (key, "value" | "low" | "high")
    for key in sorted(titles, key=lambda k: titles[k]):
        columns += [(key, "low"), (key, "high")] if ranged[key] else [(key, "value")]
    header = ["date"] + [titles[k] if w == "value" else f"{titles[k]} {w}" for k, w in columns]
    index = {c: i + 1 for i, c in enumerate(columns)}
    rows: list[list[str]] = []
    day: list[tuple[list[str], set[WideKey]]] = []  # the rows of the current date
    for o in obs:
        if not day or day[0][0][0] != o.period.text:
            day = []
        key, v = (o.series, o.kind), o.value
        row = next((r for r, filled in day if key not in filled), None)
        if row is None:
            row = [o.period.text] + [""] * len(columns)
            day.append((row, set()))
            rows.append(row)
        next(f for r, f in day if r is row).add(key)
        low, high = _number(v.low), _number(v.high)
        if ranged[key]:
            row[index[(key, "low")]], row[index[(key, "high")]] = low, high
        else:
            row[index[(key, "value")]] = low
    return header, rows


def write_wide(
    out: IO[str], observations: Iterable[Observation], excel: bool = False,
    currency: str | None = None,
) -> int:  # fmt: skip
    """The wide layout (:func:`wide_table`) as CSV: numbers bare, titles as text cells.

    With `currency`, money figures in it, each row with its rates (tracker.currency)."""
    if currency:
        from tracker import currency as fx

        header, table, _ = fx.wide_table(observations, currency)
    else:
        header, table = wide_table(observations)
    return write_csv(out, header, table, excel, kinds=[PLAIN] + [NUMBER] * (len(header) - 1))
