"""series_state: each series' summary, kept by every write in the write's own transaction.

A write names the series it touched (:meth:`States.touch`); before the
transaction commits, :meth:`States.refresh` recomputes their summaries with
:func:`tracker.analysis.summary_of`, the one definition of first, previous,
latest, baseline and change, from the rows that can be those (index seeks,
not the whole series).  The report, the Python API and the chart labels read
the stored summaries; ``tracker check`` recomputes them all and names any that
differ (a write made by another tool), and ``tracker check --fix`` rebuilds those.
Plain SQL with ``?`` parameters, for any backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tracker import schema
from tracker.analysis import Summary, ordered, summary_of
from tracker.model import Observation
from tracker.store.rows import JOINS, SELECT_COLUMNS, observation, period_of
from tracker.values import Value

# series_state's columns after series_id, in the order state_row gives them
STATE_COLUMNS = (
    "observations", "first_id", "previous_id", "last_id", "baseline_id",
    "change_low_abs", "change_high_abs", "change_mid_abs", "change_low_pct",
    "change_high_pct", "change_mid_pct", "change_at_least_pct", "change_at_most_pct",
    "ratio_low", "ratio_high",
)  # fmt: skip
_UPSERT = (
    f"INSERT INTO series_state (series_id, {', '.join(STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(STATE_COLUMNS) + 1))}) ON CONFLICT (series_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in STATE_COLUMNS)
)
_CHUNK = 500  # series per query (an IN list of parameters)


def state_row(series_id: int, s: Summary) -> tuple[Any, ...]:
    """The series_state row of a Summary."""
    ch = s.change
    return (
        series_id, s.n_observations, s.first.id, s.previous.id if s.previous else None,
        s.last.id, s.baseline.id if s.baseline else None, ch.low_abs, ch.high_abs, ch.mid_abs,
        ch.low_pct, ch.high_pct, ch.mid_pct, ch.at_least, ch.at_most, s.ratio_low, s.ratio_high,
    )  # fmt: skip


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class States:
    """The summaries side of a Store (needs conn)."""

    conn: Any
    names_of: Callable[[list[int]], dict[int, tuple[Any, ...]]]  # tracker.store.reads

    def __init__(self) -> None:
        self._touched: set[int] = set()

    def touch(self, series_ids: Iterable[int]) -> None:
        """Series whose summaries the current transaction must refresh before it commits."""
        self._touched.update(series_ids)

    def touch_observation(self, oid: int) -> None:
        """The series of observation `oid`."""
        row = self.conn.execute("SELECT series_id FROM observations WHERE id = ?", (oid,))
        got = row.fetchone()
        if got is not None:
            self._touched.add(int(got[0]))

    def _before_commit(self) -> None:
        """Called by the transaction just before COMMIT."""
        if self._touched:
            ids, self._touched = sorted(self._touched), set()
            self.refresh(ids)

    def _after_rollback(self) -> None:
        self._touched.clear()

    def refresh(self, series_ids: Iterable[int]) -> None:
        """Recompute and store the summaries of `series_ids` (the caller holds the
        transaction); a series without current observations has none."""
        ids = sorted(set(series_ids))
        for chunk in _chunks(ids):
            computed = self.computed_states(chunk)
            self.conn.executemany(_UPSERT, computed.values())
            gone = [(i,) for i in chunk if i not in computed]
            if gone:
                self.conn.executemany("DELETE FROM series_state WHERE series_id = ?", gone)

    def rebuild_all(self) -> None:
        """Every series' summary recomputed (an upgrade, `tracker check --fix`)."""
        self.conn.execute("DELETE FROM series_state")
        self.refresh(r[0] for r in self.conn.execute("SELECT id FROM series"))

    def computed_states(self, series_ids: list[int]) -> dict[int, tuple[Any, ...]]:
        """series id -> its series_state row, computed from the observations."""
        return {sid: state_row(sid, s) for sid, s in self.computed_summaries(series_ids)}

    def computed_summaries(self, series_ids: list[int]) -> Iterator[tuple[int, Summary]]:
        """(series id, Summary) computed from current observations, for the series that
        have any: candidates from the index (the earliest, the latest and the previous
        start), the count, and the latest stated normal level.

        The Observations carry what summary_of reads (period, names, value, kind, id),
        not their entered text, source, quote or note: a series_state row keeps ids."""
        marks = ", ".join("?" * len(series_ids))
        current = schema.CURRENT
        sql = f"""
            WITH g AS (SELECT o.series_id AS sid, count(*) AS n,
                              min(o.period_start) AS mn, max(o.period_start) AS mx
                       FROM observations o WHERE {current} AND o.series_id IN ({marks})
                       GROUP BY o.series_id),
                 p AS (SELECT sid, n, mn, mx,
                              (SELECT max(o.period_start) FROM observations o
                               WHERE {current} AND o.series_id = g.sid AND o.period_start < g.mx)
                              AS prev
                       FROM g)
            SELECT p.n, o.series_id, o.id, o.date, o.low, o.high, o.flags, o.special, o.kind
            FROM p CROSS JOIN observations o ON o.series_id = p.sid
                AND o.period_start IN (p.mn, p.mx, p.prev)
            WHERE {current}"""
        names = self.names_of(series_ids)
        groups: dict[int, tuple[int, list[Observation]]] = {}
        for n, sid, oid, date, low, high, flags, special, kind in self.conn.execute(
            sql, series_ids
        ):
            s, m, p, met, unit = names[sid]
            o = Observation(period_of(date), s, m, p, met, Value.stored(low, high, flags, special),
                            unit, "", kind, None, None, None, None, oid)  # fmt: skip
            groups.setdefault(sid, (n, []))[1].append(o)
        baselines: dict[int, list[Observation]] = {}
        for sid, o in self._baselines(series_ids):
            baselines.setdefault(sid, []).append(o)
        for sid in series_ids:
            got = groups.get(sid)
            if got is None:
                continue
            base = baselines.get(sid)
            summary = summary_of(got[1], got[0], ordered(base)[-1] if base else None)
            if summary is not None:
                yield sid, summary

    def _baselines(self, series_ids: list[int]) -> Iterator[tuple[int, Observation]]:
        marks = ", ".join("?" * len(series_ids))
        # kind as a literal: only then can SQLite use the partial index observations_baseline
        sql = (f"SELECT o.series_id, {SELECT_COLUMNS} {JOINS} WHERE o.kind = 'baseline' "
               f"AND {schema.CURRENT} AND o.series_id IN ({marks})")  # fmt: skip
        for r in self.conn.execute(sql, series_ids):
            yield r[0], observation(r[1:])

    def stored_states(self, series_ids: list[int]) -> dict[int, tuple[Any, ...]]:
        """series id -> its stored series_state row."""
        marks = ", ".join("?" * len(series_ids))
        sql = (f"SELECT series_id, {', '.join(STATE_COLUMNS)} FROM series_state "
               f"WHERE series_id IN ({marks})")  # fmt: skip
        return {r[0]: tuple(r) for r in self.conn.execute(sql, series_ids)}

    def stale_states(self) -> list[int]:
        """Ids of series whose stored summary differs from a recomputation (or is
        missing, or should not be there), ascending."""
        ids = sorted({r[0] for r in self.conn.execute(
            "SELECT id FROM series UNION SELECT series_id FROM series_state")})  # fmt: skip
        stale = []
        for chunk in _chunks(ids):
            want, have = self.computed_states(chunk), self.stored_states(chunk)
            stale += [i for i in chunk if want.get(i) != have.get(i)]
        return stale
