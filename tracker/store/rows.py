"""The one place an Observation becomes a stored row, and a stored row an Observation.

Every path that writes or reads `observations` (tracker add, bulk import,
corrections, export, the report, series summaries) goes through these names,
so a new column is added here once.  Openness and approximation are packed
into ``flags`` and unpacked by :class:`~tracker.values.Value` itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from tracker.dates import Period, parse_period
from tracker.model import Observation
from tracker.values import Value


class StoredRow(NamedTuple):
    """An observation as `observations` holds it (its own content; the version columns
    revision, supersedes, changed_by and change_reason come beside it).

    series_id and source_id are ids once written; before the ids are known (the bulk
    reader) they may hold the series key and the source name.
    """

    series_id: Any
    date: str
    period_start: str
    low: float | None
    high: float | None
    flags: int
    special: str | None
    entered: str
    kind: str
    source_id: Any
    quote: str | None
    note: str | None
    recorded_at: str | None


COLUMNS = StoredRow._fields
VERSION_COLUMNS = ("revision", "supersedes", "changed_by", "change_reason")


def insert_sql(columns: tuple[str, ...] = COLUMNS) -> str:
    """INSERT of `columns` that skips a row already stored (its identity, CONTRACT 3).

    ON CONFLICT DO NOTHING rather than OR IGNORE: that would hide CHECK failures.
    """
    marks = ", ".join("?" * len(columns))
    return (f"INSERT INTO observations ({', '.join(columns)}) VALUES ({marks}) "
            "ON CONFLICT DO NOTHING")  # fmt: skip


INSERT = insert_sql()
INSERT_VERSION = insert_sql(COLUMNS + VERSION_COLUMNS)


@lru_cache(maxsize=4096)
def period_of(date_text: str) -> Period:
    """The Period of a stored date text (its form gives its precision)."""
    return parse_period(date_text, stored=True)


_STARTS: dict[str, str] = {}  # date text -> ISO start (a feed repeats a few hundred dates)


def start_of(p: Period) -> str:
    """period_start of a period: the ISO day it starts."""
    got = _STARTS.get(p.text)
    if got is None:
        if len(_STARTS) >= 65536:
            _STARTS.clear()
        got = _STARTS[p.text] = p.start.isoformat()
    return got


def stored_row(o: Observation, series_id: Any, source_id: Any, recorded_at: str | None = None
               ) -> StoredRow:  # fmt: skip
    """The row of `o` (recorded_at: when it has none of its own)."""
    v, p = o.value, o.period
    return StoredRow(
        series_id, p.text, start_of(p), v.low, v.high, v.flags, v.special,
        o.entered, o.kind, source_id, o.quote, o.note, o.recorded_at or recorded_at,
    )  # fmt: skip


# What a read of observations selects, joined with its names, for observation():
SELECT_COLUMNS = """o.id, o.date, sp.name, se.material, se.product, se.metric, se.unit, o.low,
    o.high, o.flags, o.special, o.entered, o.kind, src.name, o.quote, o.note, o.recorded_at"""
JOINS = """FROM observations o
    JOIN series se ON se.id = o.series_id
    LEFT JOIN suppliers sp ON sp.id = se.supplier_id
    LEFT JOIN sources src ON src.id = o.source_id"""


def observation(r: tuple[Any, ...]) -> Observation:
    """An Observation from a row of SELECT_COLUMNS."""
    return Observation(
        period=period_of(r[1]), supplier=r[2], material=r[3], product=r[4], metric=r[5],
        value=Value.stored(r[7], r[8], r[9], r[10]), unit=r[6], entered=r[11], kind=r[12],
        source=r[13], quote=r[14], note=r[15], recorded_at=r[16], id=r[0],
    )  # fmt: skip
