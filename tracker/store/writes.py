"""Writing observations: new rows, bulk runs, corrections and retractions.

Each method runs inside the caller's transaction (or opens one: `insert`), and
every row is made by :func:`tracker.store.rows.stored_row`.  Plain SQL with
``?`` parameters, for any backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from tracker.errors import TrackerError
from tracker.model import KINDS, Observation
from tracker.store.rows import COLUMNS, INSERT, INSERT_VERSION, StoredRow, start_of, stored_row


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sql_text(text: str | None) -> str:
    """A string as an SQL literal (for values the tracker made itself, quoted all the same)."""
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


# A lean run of bulk rows binds (series_id, date, period_start, low, high, entered); what the
# run shares (flags, special, kind, source_id, recorded_at) is written into the statement.
_LEAN_INSERT = (
    "INSERT INTO observations (series_id, date, period_start, low, high, entered, flags, special, "
    "kind, source_id, recorded_at) VALUES {values} ON CONFLICT DO NOTHING"
)
# rows per statement of a lean run: 960 parameters, under the 999 of older SQLite builds
_LEAN_ROWS = 160
_FULL_INSERT = (
    f"INSERT INTO observations ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(COLUMNS) - 1))}, coalesce(?, {{recorded}})) "
    "ON CONFLICT DO NOTHING"
)


class Writes:
    """The writing side of a Store (needs conn, transaction() and the Names side)."""

    conn: Any
    transaction: Callable[..., Any]
    series_id: Callable[..., int]
    source_id: Callable[..., int | None]
    series_key_text: Callable[[Observation], str]
    touch: Callable[[Iterable[int]], None]  # tracker.store.state: summaries to refresh
    touch_observation: Callable[[int], None]

    def row_of(self, o: Observation, recorded_at: str | None = None) -> StoredRow:
        """`o` as a row, its series and source given ids (made where new)."""
        return stored_row(o, self.series_id(o.series), self.source_id(o.source), recorded_at)

    def insert(self, observations: Iterable[Observation], check: Any = None) -> tuple[int, int]:
        """Insert in one transaction; returns (added, already there).

        `check` is called after the last row, inside the transaction: raising
        there (say, because validation found problems) rolls everything back.
        """
        with self.transaction():
            added, seen = self._insert(observations)
            if check is not None:
                check()
        return added, seen - added

    def _insert(self, observations: Iterable[Observation]) -> tuple[int, int]:
        recorded = now_utc()
        added = seen = 0
        batch: list[StoredRow] = []
        for o in observations:
            seen += 1
            batch.append(self.row_of(o, recorded))
            if len(batch) >= 5000:
                added += self._insert_rows(batch)
                batch.clear()
        if batch:
            added += self._insert_rows(batch)
        return added, seen

    def _insert_rows(self, rows: list[StoredRow]) -> int:
        added: int = self.conn.executemany(INSERT, rows).rowcount
        if added:
            self.touch(r.series_id for r in rows)
        return added

    def insert_runs(self, runs: Iterable[tuple[Any, list[tuple[Any, ...]]]], recorded: str) -> int:
        """Insert tracker.bulk's runs of ready rows (the caller holds the transaction);
        returns how many were new.

        A lean run's shared (flags, special, kind, source_id) are written into
        the statement as literals, so each row binds 6 values instead of 13.
        """
        recorded = sql_text(recorded)
        added = 0
        for consts, rows in runs:
            if consts is None:
                n = self.conn.executemany(_FULL_INSERT.format(recorded=recorded), rows).rowcount
            else:
                flags, special, kind, source_id = consts
                if kind not in KINDS:  # never: the reader checked it; a literal must be safe
                    raise TrackerError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
                source = "NULL" if source_id is None else int(source_id)
                n = self._insert_lean(
                    f"{int(flags)}, {sql_text(special)}, {sql_text(kind)}, {source}, {recorded}",
                    rows,
                )
            if n:
                self.touch(r[0] for r in rows)
                added += n
        return added

    def _insert_lean(self, consts: str, rows: list[tuple[Any, ...]]) -> int:
        """Insert lean rows (series_id, date, period_start, low, high, entered), each
        followed by `consts` (SQL literals for flags, special, kind, source_id and
        recorded_at); how many were new.

        160 rows to a statement (a multi-row VALUES, rows in order: of two equal rows
        the first is kept, ids follow the order), where executemany runs the insert,
        its index probes and its conflict handling as a statement of its own for each
        row (1M rows: the reader and the inserts 4.2 -> 3.3 s CPU).
        """
        one = f"(?, ?, ?, ?, ?, ?, {consts})"
        full = _LEAN_INSERT.format(values=", ".join([one] * _LEAN_ROWS))
        added = 0
        for i in range(0, len(rows), _LEAN_ROWS):
            part = rows[i : i + _LEAN_ROWS]
            sql = full if len(part) == _LEAN_ROWS else _LEAN_INSERT.format(
                values=", ".join([one] * len(part)))  # fmt: skip
            added += self.conn.execute(sql, list(chain.from_iterable(part))).rowcount
        return added

    def find(self, o: Observation, revision: int | None = None) -> int | None:
        """The id of the stored observation identical to `o`, if there is one (of that
        `revision` when given, else the first)."""
        v = o.value
        row = self.conn.execute(
            "SELECT o.id FROM observations o JOIN series se ON se.id = o.series_id "
            "WHERE se.key = ? AND o.period_start = ? AND o.date = ? AND o.kind = ? "
            "AND o.low IS ? AND o.high IS ? AND o.flags & 3 = ? AND o.special IS ? "
            "AND coalesce(o.source_id, 0) = "
            "coalesce((SELECT id FROM sources WHERE name = ?), 0) "
            "AND o.revision = coalesce(?, o.revision) ORDER BY o.revision LIMIT 1",
            (self.series_key_text(o), start_of(o.period), o.period.text, o.kind, v.low,
             v.high, v.flags & 3, v.special, o.source, revision),
        ).fetchone()  # fmt: skip
        return None if row is None else int(row[0])

    # --- versions (tracker.history decides; these write) ------------------------------
    def insert_version(
        self, new: Observation, supersedes: int, by: str, reason: str, revision: int = 0
    ) -> int | None:
        """Store `new` as the version after `supersedes`; its id, or None when the same
        figure (at this revision) is stored already."""
        stored = self.row_of(new._replace(recorded_at=None), now_utc())
        row = (*stored, revision, supersedes, by, reason)
        got = self.conn.execute(INSERT_VERSION + " RETURNING id", row).fetchone()
        if got is None:
            return None
        self.touch([stored.series_id])
        return int(got[0])

    def mark_superseded(self, oid: int, by_id: int) -> None:
        self.touch_observation(oid)
        self.conn.execute("UPDATE observations SET superseded_by = ? WHERE id = ?", (by_id, oid))

    def mark_retracted(self, oid: int, by: str, reason: str) -> None:
        self.touch_observation(oid)
        self.conn.execute(
            "UPDATE observations SET retracted_at = ?, retracted_by = ?, retracted_reason = ? "
            "WHERE id = ?",
            (now_utc(), by, reason, oid),
        )
