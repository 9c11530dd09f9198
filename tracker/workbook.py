"""`export --xlsx`: the workbook an analyst opens, laid out over tracker.xlsx.

Why this layout: a sheet per metric gave 17 sheets, most of one row; people look for
lead times, prices, and the rest, so there are three data sheets (the last with its
metric column doing the sorting) and an About sheet that says what the file is: the
database, the filters, when it was made, the latest figure's date and every source.

Each data sheet: a styled header row, frozen, with an autofilter and set widths; the
date a real spreadsheet date (the period's first day, so it sorts and filters as a
date) with the period's precision beside it (``quarter``: 2025-07-01 stands for
2025-Q3); id, low, high and a value that is wholly a number as numbers; every other cell
text, never a formula.  Rows are streamed, so memory stays flat whatever the size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from typing import IO, Any

from tracker.model import Observation

HEADER = (
    "id", "date", "precision", "supplier", "material", "product", "metric", "value", "low",
    "high", "unit", "kind", "source", "quote", "note", "entered", "recorded_at",
)  # fmt: skip
WIDTHS = (8, 11, 9, 16, 16, 14, 12, 14, 10, 10, 8, 10, 24, 40, 24, 16, 20)  # fmt: skip
SHEETS = (("Lead times", ("lead_time",)), ("Prices", ("price",)), ("Other figures", None))
_FIRST_SAFE_DAY = date(1900, 3, 1)  # before it Excel's day numbers are off by one (1900 bug)


def sheet_of(metric: str) -> str:
    """The data sheet a metric goes to."""
    for name, metrics in SHEETS:
        if metrics is None or metric in metrics:
            return name
    raise AssertionError("the last sheet takes every metric")


def _row(o: Observation) -> list[Any]:
    from tracker.export import _is_number, export_row

    r: list[Any] = export_row(o)
    start = o.period.start
    day: Any = start if start >= _FIRST_SAFE_DAY else o.period.text
    value = float(r[6]) if _is_number(r[6]) else r[6]
    return [o.id, day, o.period.precision, *r[2:6], value, o.value.low, o.value.high, *r[9:]]


def write(
    out: IO[bytes],
    sheets: Iterable[tuple[str, Iterable[Observation]]],
    about: Sequence[tuple[str, str]] = (),
) -> int:
    """Write the data `sheets` ((name, observations), each streamed) and an About sheet of
    `about` (label, text) lines, the date of the latest figure and every source with its
    count; returns the number of observations written."""
    from tracker import xlsx

    book = xlsx.Workbook(out)
    sources: Counter[str] = Counter()
    latest: date | None = None
    counts: list[tuple[str, int]] = []
    try:
        for name, observations in sheets:
            sheet = book.sheet(name, HEADER, WIDTHS)
            for o in observations:
                sheet.append(_row(o))
                sources[o.source or "(no source)"] += 1
                if latest is None or o.period.end > latest:
                    latest = o.period.end
            counts.append((name, sheet.rows - 1))
        sheet = book.sheet("About", ("item", "value"), (22, 90), autofilter=False)
        made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017
        last = latest.isoformat() if latest else "(none)"
        for label, text in (*about, ("made", made), ("latest figure", last)):
            sheet.append([label, text])
        for name, n in counts:
            sheet.append([f"sheet {name}", f"{n} observations"])
        sheet.append(["date", "the first day of the period; its precision (day, month, quarter, "
                      "year) is in the next column"])  # fmt: skip
        sheet.append([])
        sheet.append(["source", "observations"], style=xlsx.BOLD)
        for source, n in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0])):
            sheet.append([source, n])
        book.close()
    except BaseException:
        book.abandon()
        raise
    return sum(n for _, n in counts)


def grouped(metrics: Iterable[str], rows_of: Any) -> Iterator[tuple[str, Iterator[Observation]]]:
    """(sheet name, observations) for the metrics present, in SHEETS order; `rows_of(metric)`
    streams one metric's observations.  A sheet with no observations is left out."""
    import itertools

    by_sheet: dict[str, list[str]] = {}
    for m in sorted(metrics):
        by_sheet.setdefault(sheet_of(m), []).append(m)
    for name, _ in SHEETS:
        chained = itertools.chain.from_iterable(rows_of(m) for m in by_sheet.get(name, []))
        head = next(chained, None)
        if head is not None:
            yield name, itertools.chain([head], chained)
