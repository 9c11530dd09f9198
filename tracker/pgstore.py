"""The store on PostgreSQL: the same interface as tracker.store, a team's server behind it.

Every query the store makes is the one tracker.store defines, run through
tracker.pg's dialect adapter; this class replaces only what truly differs:

- **Opening**: a URL instead of a file; the schema built in an empty database (it
  never creates the database itself: that is the server owner's call).
- **Writers**: every write transaction first takes one advisory lock of the
  database (``pg_advisory_xact_lock``), so tracker writers queue as they do on
  SQLite's BEGIN IMMEDIATE.  That is what makes ids the largest plus one (the
  same ids as SQLite for the same work, tracker.pgschema) and rules out
  deadlocks between tracker writers; readers never wait, each reading one
  snapshot (REPEATABLE READ).  Serialization failures and deadlocks that
  something else on the server causes are retried by tracker.api (pg.retrying).
- **Bulk import**: each batch of checked rows goes by ``COPY`` into a temporary
  staging table, and one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` moves
  the rows not already stored, in file order, inside the import's one
  transaction: all or nothing, as on SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from tracker import pg, pgschema, schema
from tracker.analysis import Summary
from tracker.dburl import shown
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.store import Store, series_text_key
from tracker.suppliers import KNOWN, resolve

ANALYZE_AFTER = 10_000  # rows an import adds before the planner is told (see transaction)
STREAM_ROWS = 5000  # rows a server-side cursor fetches a round trip
WRITE_LOCK = 0x74726B72  # 'trkr': the advisory lock every tracker write holds (per database)

_STAGE_COLUMNS = ("series_id, date, period_start, low, high, flags, special, entered, kind, "
                  "source_id, quote, note, recorded_at")  # fmt: skip
_STAGE = """CREATE TEMP TABLE IF NOT EXISTS tracker_stage (
    seq bigint GENERATED ALWAYS AS IDENTITY, series_id bigint, date text COLLATE "C",
    period_start text COLLATE "C", low double precision, high double precision, flags integer,
    special text COLLATE "C", entered text COLLATE "C", kind text COLLATE "C", source_id bigint,
    quote text COLLATE "C", note text COLLATE "C", recorded_at text COLLATE "C"
) ON COMMIT DELETE ROWS"""
# identity (CONTRACT section 3) of a staged row s, as the unique index spells it
_IDENTITY = ("{t}.date, {t}.series_id, {t}.kind, coalesce({t}.low, 'NaN'), "
             "coalesce({t}.high, 'NaN'), ({t}.flags & 3), coalesce({t}.special, ''), "
             "coalesce({t}.source_id, 0)")  # fmt: skip
# the staged rows not stored yet, the first of equal ones, in file order, ids as SQLite's.
# "Not stored yet" is a scalar subquery, a probe of the identity index per row, on purpose:
# as NOT EXISTS the planner may pick a join that reads the whole table once per batch.
_MOVE = f"""
INSERT INTO observations (id, {_STAGE_COLUMNS})
SELECT (SELECT coalesce(max(id), 0) FROM observations) + row_number() OVER (ORDER BY f.seq),
       f.series_id, f.date, f.period_start, f.low, f.high, f.flags, f.special, f.entered, f.kind,
       f.source_id, f.quote, f.note, coalesce(f.recorded_at, ?)
FROM (SELECT DISTINCT ON ({_IDENTITY.format(t="s")}) s.*
      FROM tracker_stage s ORDER BY {_IDENTITY.format(t="s")}, s.seq) f
WHERE (SELECT o.id FROM observations o WHERE o.revision = 0 AND
       ({_IDENTITY.format(t="o")}) = ({_IDENTITY.format(t="f")}) LIMIT 1) IS NULL
ORDER BY f.seq
ON CONFLICT DO NOTHING"""


# many series or sources at once: the new ones inserted in the order given, every one's id
# returned (a row the INSERT made is not yet visible to the outer SELECT, hence both parts)
_SERIES_MANY = """
WITH v AS (SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
                                ?::text[]) WITH ORDINALITY
           AS v (supplier_id, material, product, metric, unit, key, n)),
     ins AS (INSERT INTO series (supplier_id, material, product, metric, unit, key)
             SELECT supplier_id, material, product, metric, unit, key FROM v ORDER BY n
             ON CONFLICT (key) DO NOTHING RETURNING key, id)
SELECT key, id FROM ins
UNION ALL SELECT se.key, se.id FROM series se JOIN v ON v.key = se.key"""
_SOURCES_MANY = """
WITH v AS (SELECT * FROM unnest(?::text[]) WITH ORDINALITY AS v (name, n)),
     ins AS (INSERT INTO sources (name) SELECT name FROM v ORDER BY n
             ON CONFLICT (name) DO NOTHING RETURNING name, id)
SELECT name, id FROM ins
UNION ALL SELECT so.name, so.id FROM sources so JOIN v ON v.name = so.name"""


class PgStore(Store):
    """An open tracker database on a PostgreSQL server."""

    dialect = "postgresql"

    def __init__(self, conn: pg.Connection, url: str) -> None:
        super().__init__(conn, shown(url))  # type: ignore[arg-type]
        self.pgconn = conn  # the same connection, typed as what it is
        self.url = url
        self._staged = False
        self._bulk_added = 0  # rows the current transaction's bulk import added
        self._cursors = 0  # server-side cursors named so far (names are per connection)

    @classmethod
    def open(  # type: ignore[override]
        cls, url: str, seed: Callable[[], Iterable[Observation]] | None = None
    ) -> PgStore:
        """Connect to `url`, building the schema in an empty database."""
        conn = pg.connect(url)
        store = cls(conn, url)
        try:
            try:
                store._bring_up(pgschema.version_of(conn), seed)
            except Exception as e:
                if isinstance(e, TrackerError) or not hasattr(e, "sqlstate"):
                    raise
                raise pg.explain(e, url) from None
        except BaseException:
            conn.close()
            raise
        return store

    def _upgrade(self, version: int) -> None:
        """PostgreSQL's steps (tracker.pgschema.STEPS) in one transaction."""
        with self.transaction():
            before = pgschema.version_of(self.conn) or version
            pgschema.upgrade(self.conn, before)
            if before < schema.STATE_VERSION:
                self.rebuild_all()

    def _create(self, seed: Callable[[], Iterable[Observation]] | None) -> None:
        with self.transaction():
            if pgschema.version_of(self.conn) is not None:
                return  # another process built it while we waited for the lock
            if not pgschema.is_empty(self.conn):
                raise TrackerError(
                    f"{self.path}: holds tables, but not the tracker's; give the tracker a "
                    "database of its own (CREATE DATABASE tracker)"
                )
            pgschema.create(self.conn)
            for s in KNOWN:
                self._add_supplier(s.name, s.name_zh, s.country, s.aliases)
            if seed is not None:
                self._insert(seed())

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN, the write lock, ... COMMIT; ROLLBACK on any exception (all or nothing)."""
        conn = self.conn
        # READ COMMITTED whatever the server's default: after waiting for the lock, each
        # statement must see what the writer before committed (the largest id above all)
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        self._bulk_added = 0
        try:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            yield
            if self._bulk_added >= ANALYZE_AFTER:
                # the planner's statistics still describe the table before this import: the
                # summaries' queries below (and every reader after) would plan for an empty
                # table, nested loops over a million rows; ANALYZE counts our own new rows
                conn.execute("ANALYZE observations")
                conn.execute("ANALYZE series")
            self._before_commit()  # the summaries of the series this transaction touched
            conn.execute("COMMIT")
        except BaseException:
            self._forget_ids()  # ids handed out inside the transaction are gone with it
            self._after_rollback()
            self._staged = False
            if conn.in_transaction:
                with contextlib.suppress(Exception):  # a lost connection cannot roll back
                    conn.execute("ROLLBACK")
            raise

    @contextmanager
    def bulk_transaction(self) -> Iterator[None]:
        """The import's transaction (one, like any write)."""
        with self.transaction():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One snapshot for several reads (REPEATABLE READ); nothing is locked."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                self.conn.execute("COMMIT")

    def resolve_ids(
        self, keys: list[tuple[Any, ...]], sources: list[str]
    ) -> tuple[list[int], list[int]]:
        """Ids of series keys and source names, the new ones made in one statement each
        (one round trip per batch, not two per series: a feed of 20,000 series would
        otherwise spend seconds waiting for the network)."""
        new = [k for k in dict.fromkeys(map(tuple, keys)) if k not in self._series]
        if new:
            rows = []
            for supplier, material, product, metric, unit in new:
                name = resolve(supplier, self._aliases()) if supplier else None
                sid = self._supplier_id(name) if name else None
                rows.append((sid, material, product, metric, unit,
                             series_text_key(sid, material, product, metric, unit)))  # fmt: skip
            got = self._made_or_found_many(_SERIES_MANY, list(zip(*rows, strict=True)))
            for k, row in zip(new, rows, strict=True):
                self._series[k] = self._ids[("series", row[5])] = got[row[5]]
        fresh = [n for n in dict.fromkeys(sources) if n not in self._sources]
        if fresh:
            self._sources.update(self._made_or_found_many(_SOURCES_MANY, [fresh]))
        return [self._series[tuple(k)] for k in keys], [self._sources[n] for n in sources]

    def _supplier_id(self, name: str) -> int:
        return self._id("suppliers", name, lambda: self._add_supplier(name))

    def _made_or_found_many(self, sql: str, columns: list[Any]) -> dict[str, int]:
        """key -> id of the rows `sql` made or found (one round trip)."""
        return {key: int(rid) for key, rid in self.conn.execute(sql, [list(c) for c in columns])}

    def insert_runs(self, runs: Iterable[tuple[Any, list[tuple[Any, ...]]]], recorded: str) -> int:
        """COPY a batch of tracker.bulk's rows into the staging table, then move the new ones
        (the caller holds the transaction); returns how many were new."""
        if not self._staged:
            self.conn.execute(_STAGE)
            self._staged = True
        cur = self.pgconn.raw.cursor()
        with cur.copy(f"COPY tracker_stage ({_STAGE_COLUMNS}) FROM STDIN") as copy:
            write = copy.write_row
            for consts, rows in runs:
                if consts is None:
                    for r in rows:
                        write(r)
                    continue
                flags, special, kind, source_id = consts
                for sid, date, start, low, high, entered in rows:
                    write((sid, date, start, low, high, flags, special, entered, kind,
                           source_id, None, None, None))  # fmt: skip
        added = max(0, self.conn.execute(_MOVE, (recorded,)).rowcount)
        self._bulk_added += added
        self.conn.execute("TRUNCATE tracker_stage")
        if added:
            self.touch({r[0] for _, rows in runs for r in rows})
        return added

    def computed_summaries(self, series_ids: list[int]) -> Iterator[tuple[int, Summary]]:
        """The summaries of a chunk of series (tracker.store.state), read with index seeks.

        Left to itself the planner hashes the whole observations table once per chunk
        of 500 series (0.25 s a chunk at a million rows, 10 s for 20,000 series); with
        joins by nested loop each series reads its few candidate rows (0.03 s).  Set for
        these queries only: the caller is inside a transaction or a snapshot.
        """
        for setting in ("enable_hashjoin", "enable_mergejoin"):
            self.conn.execute(f"SET LOCAL {setting} = off")
        try:
            done = list(super().computed_summaries(series_ids))
        finally:
            for setting in ("enable_hashjoin", "enable_mergejoin"):
                self.conn.execute(f"SET LOCAL {setting} = on")
        return iter(done)

    def stream(self, sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
        """A big read through a server-side cursor, STREAM_ROWS rows a round trip: the
        client holds a slice, not the whole result (an export of a million rows took
        361 MiB fetched at once).  Outside a transaction (no cursor can live there) the
        rows come at once."""
        if not self.conn.in_transaction:
            return super().stream(sql, params)
        self._cursors += 1
        cur = self.pgconn.raw.cursor(name=f"tracker_stream_{self._cursors}")
        cur.itersize = STREAM_ROWS
        cur.execute(pg.translate(sql), params)
        return iter(cur)

    def check(self) -> list[str]:
        """`tracker check` on PostgreSQL (tracker.pgschema.check)."""
        return pgschema.check(self.conn)
