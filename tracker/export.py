"""Writing the interchange CSV, for machines (exact text) and for spreadsheets.

The plain export is exact: numbers in their shortest round-tripping form, the
value in the grammar so openness and approximation survive re-import.  The
``excel`` flavour is for people: a UTF-8 BOM so Excel detects the encoding, and
text cells that a spreadsheet would run as a formula prefixed with ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from tracker.model import Observation
from tracker.values import format_number, format_value

EXPORT_HEADER = (
    "id", "date", "supplier", "material", "product", "metric", "value", "low", "high",
    "unit", "kind", "source", "quote", "note", "entered", "recorded_at",
)  # fmt: skip

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(cell: str) -> str:
    """Defuse a text cell a spreadsheet would evaluate (CSV/formula injection).

    A cell that is wholly a number (-5, +3.2) is left alone so it stays a number.
    """
    if cell and cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


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
    out: IO[str], header: Iterable[str], rows: Iterable[Iterable[str]], excel: bool = False
) -> int:
    """Write header and rows as RFC 4180 CSV; returns the number of data rows.

    `out` must be opened with newline="" (the csv module writes CRLF itself).
    """
    if excel:
        out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(list(header))
    n = 0
    for row in rows:
        w.writerow([neutralise(c) for c in row] if excel else list(row))
        n += 1
    return n


def write_observations(
    out: IO[str], observations: Iterable[Observation], excel: bool = False
) -> int:
    """The interchange CSV (CONTRACT section 3) for `observations`."""
    return write_csv(out, EXPORT_HEADER, (export_row(o) for o in observations), excel=excel)
