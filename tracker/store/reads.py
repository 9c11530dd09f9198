"""Reading observations: filters, observations, the export's rows, the report's rows.

Plain SQL with ``?`` parameters, for any backend; a caller that makes several
reads holds a snapshot (Store.snapshot) so they see one state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from tracker import schema
from tracker.analysis import Change, Summary
from tracker.dates import Period, parse_period
from tracker.errors import TrackerError
from tracker.model import KINDS, Observation
from tracker.store.rows import JOINS, SELECT_COLUMNS, observation
from tracker.store.state import STATE_COLUMNS
from tracker.store.writes import sql_text
from tracker.suppliers import resolve


class Filters(NamedTuple):
    """What `list`, `report` and `export` select. Empty fields select everything.

    Attributes:
        supplier: a supplier name or alias; resolved before matching.
        material, product, metric: matched case-insensitively.
        since: keep periods starting on or after the start of this period.
        until: keep periods starting on or before the end of this period.
        history: also superseded and retracted observations (normally hidden).
    """

    supplier: str | None = None
    material: str | None = None
    product: str | None = None
    metric: str | None = None
    since: Period | None = None
    until: Period | None = None
    history: bool = False


def parse_filter_dates(since: str | None, until: str | None) -> tuple[Period | None, Period | None]:
    """--since/--until text to periods (ParseError names the bad one)."""
    return (parse_period(since) if since else None, parse_period(until) if until else None)


_SELECT = f"SELECT {SELECT_COLUMNS} {JOINS}"
_NAMES = ("SELECT se.id, sp.name, se.material, se.product, se.metric, se.unit FROM series se "
          "LEFT JOIN suppliers sp ON sp.id = se.supplier_id")  # fmt: skip


class Reads:
    """The reading side of a Store (needs conn and the Names side)."""

    def names_of(self, series_ids: list[int]) -> dict[int, tuple[Any, ...]]:
        """series id -> (supplier, material, product, metric, unit)."""
        if not series_ids:
            return {}
        marks = ", ".join("?" * len(series_ids))
        return {r[0]: r[1:] for r in self.conn.execute(f"{_NAMES} WHERE se.id IN ({marks})",
                                                       series_ids)}  # fmt: skip

    conn: Any
    aliases: Callable[[], dict[str, str]]

    def get(self, oid: int) -> Observation:
        """One observation by id, current or not (TrackerError if there is none)."""
        r = self.conn.execute(_SELECT + " WHERE o.id = ?", (oid,)).fetchone()
        if r is None:
            raise TrackerError(f"there is no observation {oid}")
        return observation(r)

    def version_links(self, oid: int) -> tuple[Any, ...] | None:
        """(supersedes, superseded_by, changed_by, change_reason, retracted_at,
        retracted_by, retracted_reason) of observation `oid`; None if there is none."""
        row = self.conn.execute(
            "SELECT supersedes, superseded_by, changed_by, change_reason, retracted_at, "
            "retracted_by, retracted_reason FROM observations WHERE id = ?", (oid,),
        ).fetchone()  # fmt: skip
        return None if row is None else tuple(row)

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM observations").fetchone()[0])

    def metrics(self) -> list[str]:
        """Every metric that has a series."""
        return [m for (m,) in self.conn.execute("SELECT DISTINCT metric FROM series")]

    def observations(self, filters: Filters = Filters()) -> list[Observation]:
        """Observations matching `filters`, ordered by id (the order they were recorded)."""
        return list(self.iter_observations(filters))

    def iter_observations(
        self, filters: Filters = Filters(), kind: str | None = None, stated: bool = False
    ) -> Iterator[Observation]:
        """Observations matching `filters` (current ones only, unless filters.history).

        `kind` keeps one kind; `stated` keeps stated changes (a `*_change` metric in %).
        Series conditions pick series first, so a narrow filter reads few rows.
        """
        where, params = self._where_sql(filters, kind, stated)
        for r in self.stream(f"{_SELECT} {where} ORDER BY o.id", params):
            yield observation(r)

    def stream(self, sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
        """The rows of a read that may be every observation, as they come (SQLite's
        cursor steps through them; a server backend fetches them in slices)."""
        return iter(self.conn.execute(sql, params))

    def iter_raw(
        self, filters: Filters = Filters()
    ) -> tuple[dict[int, tuple[Any, ...]], dict[int | None, str | None], Iterator[tuple[Any, ...]]]:
        """The export's fast path: (series, sources, rows) with no Observation per row.

        series maps an id to (supplier, material, product, metric, unit) and
        sources an id to its name, read once instead of joined into every row;
        rows are (id, series_id, date, low, high, flags, special, kind,
        source_id, quote, note, entered, recorded_at) in id order.
        """
        series = {r[0]: r[1:] for r in self.conn.execute(_NAMES)}
        sources: dict[int | None, str | None] = dict(
            self.conn.execute("SELECT id, name FROM sources").fetchall()
        )
        sources[None] = None
        where, params = self._where_sql(filters)
        rows = self.stream(
            "SELECT o.id, o.series_id, o.date, o.low, o.high, o.flags, o.special, o.kind, "
            f"o.source_id, o.quote, o.note, o.entered, o.recorded_at FROM observations o "
            f"{where} ORDER BY o.id",
            params,
        )
        return series, sources, rows

    def _where_sql(
        self, filters: Filters, kind: str | None = None, stated: bool = False
    ) -> tuple[str, list[Any]]:
        """WHERE clause and parameters: series conditions pick series first (an index range)."""
        series, series_params, obs, obs_params = self._conditions(filters)
        if stated:
            series.append("se.metric LIKE '%!_change' ESCAPE '!' AND se.unit = '%'")
        if kind:
            # a literal, not a parameter: only then can SQLite use the partial index
            # observations_baseline (a full scan of a million rows otherwise, 0.1-0.3 s)
            if kind not in KINDS:
                raise TrackerError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
            obs.append(f"o.kind = {sql_text(kind)}")
        if series:
            obs.append("o.series_id IN (SELECT se.id FROM series se LEFT JOIN suppliers sp "
                       f"ON sp.id = se.supplier_id WHERE {' AND '.join(series)})")  # fmt: skip
        return ("WHERE " + " AND ".join(obs)) if obs else "", obs_params + series_params

    def _conditions(self, f: Filters) -> tuple[list[str], list[Any], list[str], list[Any]]:
        """The filter split in two: on the series (se, sp) and on the observation (o)."""
        series: list[str] = []
        series_params: list[Any] = []
        if f.supplier:
            series.append("sp.name = ?")
            series_params.append(resolve(f.supplier, self.aliases()))
        for col, val in (("material", f.material), ("product", f.product), ("metric", f.metric)):
            if val:
                series.append(f"se.{col} = ? COLLATE NOCASE")
                series_params.append(val.strip())
        obs: list[str] = []
        obs_params: list[Any] = []
        if f.since:
            obs.append("o.period_start >= ?")
            obs_params.append(f.since.start.isoformat())
        if f.until:
            obs.append("o.period_start <= ?")
            obs_params.append(f.until.end.isoformat())
        if not f.history:
            obs.append(schema.CURRENT)
        return series, series_params, obs, obs_params

    def series_ids(self, filters: Filters = Filters()) -> list[int]:
        """Ids of the series the filters pick, ascending."""
        series_cond, series_params, _, _ = self._conditions(filters)
        where = f"WHERE {' AND '.join(series_cond)}" if series_cond else ""
        return [r[0] for r in self.conn.execute(
            f"SELECT se.id FROM series se LEFT JOIN suppliers sp ON sp.id = se.supplier_id "
            f"{where} ORDER BY se.id", series_params)]  # fmt: skip

    def state_rows(self, filters: Filters = Filters()) -> list[tuple[Any, ...]]:
        """The stored summaries of the series the filters pick (their dates are not
        looked at: a summary is of the whole series), for tracker.report.stored_rows:

        series id, supplier, material, product, metric, unit, observations;
        first: date, low, high, flags, special, kind;
        last: date, low, high, flags, special, kind, source;
        previous: date, low, high, flags, special;
        baseline: id, low, high, flags, special;
        the change (tracker.analysis.Change's fields, in order); ratio low and high.
        """
        series_cond, series_params, _, _ = self._conditions(filters)
        where = f"WHERE {' AND '.join(series_cond)}" if series_cond else ""
        sql = f"""
            SELECT st.series_id, sp.name, se.material, se.product, se.metric, se.unit,
                st.observations,
                f.date, f.low, f.high, f.flags, f.special, f.kind,
                l.date, l.low, l.high, l.flags, l.special, l.kind, src.name,
                p.date, p.low, p.high, p.flags, p.special,
                st.baseline_id, b.low, b.high, b.flags, b.special,
                st.change_low_abs, st.change_high_abs, st.change_mid_abs, st.change_low_pct,
                st.change_high_pct, st.change_mid_pct, st.change_at_least_pct,
                st.change_at_most_pct, st.ratio_low, st.ratio_high
            FROM series_state st
                JOIN series se ON se.id = st.series_id
                LEFT JOIN suppliers sp ON sp.id = se.supplier_id
                JOIN observations f ON f.id = st.first_id
                JOIN observations l ON l.id = st.last_id
                LEFT JOIN sources src ON src.id = l.source_id
                LEFT JOIN observations p ON p.id = st.previous_id
                LEFT JOIN observations b ON b.id = st.baseline_id
            {where}"""
        return self.conn.execute(sql, series_params).fetchall()

    def series_names(self, series_ids: list[int]) -> dict[int, str]:
        """series id -> its names for a message: supplier (or market), material, product,
        metric, unit."""
        return {sid: " ".join(x for x in (s or "(market)", m, p or "", met, unit) if x)
                for sid, (s, m, p, met, unit) in self.names_of(series_ids).items()}  # fmt: skip

    def stored_summaries(self, filters: Filters = Filters()) -> list[Summary]:
        """The stored summaries of the series the filters pick, as analysis.Summary (with
        their Observations: for notebooks, not for a million rows)."""
        series_cond, series_params, _, _ = self._conditions(filters)
        where = f"WHERE {' AND '.join(series_cond)}" if series_cond else ""
        sql = (f"SELECT st.observations, st.first_id, st.previous_id, st.last_id, "
               f"st.baseline_id, {', '.join('st.' + c for c in STATE_COLUMNS[5:])} "
               f"FROM series_state st JOIN series se ON se.id = st.series_id "
               f"LEFT JOIN suppliers sp ON sp.id = se.supplier_id {where}")  # fmt: skip
        out = []
        for n, first, prev, last, base, *figures in self.conn.execute(sql, series_params):
            got = self.get(last)
            out.append(Summary(
                got.series, self.get(first), None if prev is None else self.get(prev), got, n,
                Change(*figures[:8]), None if base is None else self.get(base), *figures[8:],
            ))  # fmt: skip
        return out
