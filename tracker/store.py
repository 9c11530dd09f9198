"""The SQLite store: one-transaction writes, snapshot reads, corrections kept as history.

Every write runs inside ``BEGIN IMMEDIATE ... COMMIT`` so a command either
lands whole or not at all, and concurrent writers queue on SQLite's lock
(WAL mode, busy timeout) instead of failing.  Reads that take several queries
run in one read transaction, so they see one snapshot.

The hot paths use the standard library's sqlite3 directly: sqlite-utils
imports pandas at start-up and caps a statement at 999 parameters, which
costs a factor of 3-7 on bulk loads (issue 5).  It serves the cold path,
:func:`tracker.schema.check`.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from tracker import dberrors, schema
from tracker.dates import Period, parse_period
from tracker.errors import TrackerError
from tracker.model import KINDS, Observation
from tracker.suppliers import KNOWN, alias_key, alias_map, resolve
from tracker.values import Value

BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 8 * 1024  # page cache; with the reader process, a bulk import stays under 100 MiB


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@lru_cache(maxsize=4096)
def period_of(date_text: str) -> Period:
    """The Period of a stored date text (its form gives its precision)."""
    return parse_period(date_text, stored=True)


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


_COLUMNS = """o.id, o.date, sp.name, se.material, se.product, se.metric, se.unit, o.low, o.high,
    o.flags, o.special, o.entered, o.kind, src.name, o.quote, o.note, o.recorded_at"""
# what the bulk report needs of a row (report.raw_rows): no texts it does not show
RAW_COLUMNS = "o.id, o.date, o.low, o.high, o.flags, o.special, o.kind, src.name"
# analysis.ordered in SQL: start of period, a coarser period first (year 0, quarter 1,
# month 2, day 3: the date text's form), a stated normal level first, then id
_ANALYSIS_ORDER = (
    "o.period_start, CASE length(o.date) WHEN 4 THEN 0 WHEN 10 THEN 3 "
    "ELSE CASE WHEN instr(o.date, 'Q') > 0 THEN 1 ELSE 2 END END, o.kind <> 'baseline', o.id"
)
_FROM = """FROM observations o
    JOIN series se ON se.id = o.series_id
    LEFT JOIN suppliers sp ON sp.id = se.supplier_id
    LEFT JOIN sources src ON src.id = o.source_id"""
_SELECT = f"SELECT {_COLUMNS} {_FROM}"
INSERT = (
    "INSERT INTO observations (series_id, date, period_start, low, high, flags, special, "
    "entered, kind, source_id, quote, note, recorded_at, revision, supersedes, changed_by, "
    "change_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"  # not OR IGNORE: that would hide CHECK failures
)


_LEAN_INSERT = (
    "INSERT INTO observations (series_id, date, period_start, low, high, entered, flags, special, "
    "kind, source_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, {flags}, {special}, {kind}, "
    "{source_id}, {recorded}) ON CONFLICT DO NOTHING"
)
_FULL_INSERT = (
    "INSERT INTO observations (series_id, date, period_start, low, high, flags, special, "
    "entered, kind, source_id, quote, note, recorded_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, {recorded})) ON CONFLICT DO NOTHING"
)


_BUMP = (
    "INSERT INTO meta (key, value) VALUES ('changes', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)


def _sql_text(text: str | None) -> str:
    """A string as an SQL literal (for values the tracker made itself, quoted all the same)."""
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _file_name(path: str) -> str:
    """A path SQLite takes as a file name: one starting 'file:' it would read as a URI
    (and Path('./file:x.db') prints as 'file:x.db')."""
    return "./" + path if path.startswith("file:") else path


def _connect(path: str, uri: bool = False) -> sqlite3.Connection:
    if not uri:
        path = _file_name(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, uri=uri)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


def _observation(r: tuple[Any, ...]) -> Observation:
    f = r[9]
    return Observation(
        period=period_of(r[1]), supplier=r[2], material=r[3], product=r[4], metric=r[5],
        value=Value(r[7], r[8], bool(f & 1), bool(f & 2), bool(f & 4), r[10]), unit=r[6],
        entered=r[11], kind=r[12], source=r[13], quote=r[14], note=r[15], recorded_at=r[16],
        id=r[0],
    )  # fmt: skip


def series_text_key(
    supplier_id: int | None, material: str, product: str | None, metric: str, unit: str
) -> str:
    """series.key: one series however material and product are spelled."""
    return "\x1f".join((str(supplier_id or 0), material.casefold(), (product or "").casefold(),
                        metric, unit))  # fmt: skip


def _flags(v: Value) -> int:
    return v.low_strict | v.high_strict << 1 | v.approx << 2


class Store:
    """An open tracker database."""

    # every Store with an open connection in this process (see `detached`)
    _live: ClassVar[weakref.WeakSet[Store]] = weakref.WeakSet()

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        # the file, whatever the working folder later is; None for an in-memory one
        self._file = None if path in ("", ":memory:") else os.path.abspath(path)
        Store._live.add(self)
        self._ids: dict[tuple[str, str], int] = {}  # (table, key) -> id, within this connection
        self._series: dict[tuple[str | None, str, str | None, str, str], int] = {}
        self._alias_cache: dict[str, str] | None = None
        self._starts: dict[str, str] = {}  # date text -> ISO start
        self._sources: dict[str, int] = {}

    # --- opening ----------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | Path, seed: Callable[[], Iterable[Observation]] | None = None
    ) -> Store:
        """Open (creating if needed) the database at `path`.

        `seed()` is called and loaded only by the transaction that creates the
        schema, so a default database is never seen empty, and processes racing
        to create it produce one schema and one copy of the seed.
        """
        path = str(path)
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise TrackerError(f"{path}: cannot create its folder: {e.strerror}") from None
        conn = None
        try:
            conn = _connect(path)
            version = schema.version_of(conn)
        except sqlite3.DatabaseError as e:
            if conn is not None:
                conn.close()
            # a read-only file, folder or mount: open for reading (or say why not)
            conn = dberrors.open_read_only(path, e, lambda uri: _connect(uri, uri=True))
            version = schema.version_of(conn)
        store = cls(conn, path)
        try:
            if version is None:
                store._create(seed)
            elif version > schema.latest():
                raise TrackerError(
                    f"{path}: schema version {version} is newer than this tracker "
                    f"understands ({schema.latest()}); upgrade tracker"
                )
            elif version < schema.latest():
                store._upgrade(version)
        except BaseException:
            conn.close()
            raise
        return store

    def _upgrade(self, version: int) -> None:
        """Run the migrations in one transaction, the way SQLite documents for rebuilding
        tables: foreign keys off (dropping a table would otherwise look up, for each of
        its rows, every row that refers to it), then checked as a whole before commit.
        """
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                schema.upgrade(self.conn, schema.version_of(self.conn) or version)
                broken = self.conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise TrackerError(
                        f"{self.path}: the schema upgrade would leave {len(broken)} broken "
                        "references; nothing was changed"
                    )
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _create(self, seed: Callable[[], Iterable[Observation]] | None) -> None:
        with self.transaction():
            if schema.version_of(self.conn) is not None:
                return  # another process created it while we waited for the lock
            if self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise TrackerError(
                    f"{self.path}: is an SQLite database, but not a tracker database"
                )
            schema.create(self.conn)
            for s in KNOWN:
                self._add_supplier(s.name, s.name_zh, s.country, s.aliases)
            if seed is not None:
                self._insert(seed())
        if self.path != ":memory:":
            self._use_wal()

    def _use_wal(self) -> None:
        """Switch to WAL (once per file), waiting for other openers instead of failing.

        Changing the journal mode needs the file to itself, and SQLite answers
        "database is locked" at once rather than through the busy timeout when
        another process is opening it too; so this retries for as long.
        """
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def close(self) -> None:
        self.conn.close()
        Store._live.discard(self)

    def reconnected(self) -> Store:
        """A second Store on the same file with a connection of its own (no schema work)."""
        path = self._file or self.path
        return Store(_connect(path), path)

    def only_connection(self) -> bool:
        """Whether work may be forked: a file database, this the one Store open in the
        process, and no transaction of the caller's in progress on it."""
        return (self._file is not None and not self.conn.in_transaction
                and set(Store._live) == {self})  # fmt: skip

    @contextmanager
    def detached(self) -> Iterator[None]:
        """This Store's connection closed for the block, then opened again.

        SQLite's rule for fork(): no connection may be open across it, or the
        child inherits lock bookkeeping that no longer matches its locks.  A
        block that forks runs inside this, and each process opens its own.
        """
        self.conn.close()
        Store._live.discard(self)
        try:
            yield
        finally:
            self.conn = _connect(self._file or self.path)
            Store._live.add(self)

    def changes(self) -> int:
        """How many write transactions this database has committed (meta 'changes').

        Two readers that see the same count, each inside its own snapshot, saw
        the same data: every tracker write bumps it before it commits.
        """
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception (all or nothing)."""
        self.conn.execute("BEGIN IMMEDIATE")
        before = self.conn.total_changes
        try:
            yield
            if self.conn.total_changes != before:  # a write that changed nothing leaves no mark
                self.conn.execute(_BUMP)
            self.conn.execute("COMMIT")
        except BaseException:
            # ids handed out inside the transaction are gone with it
            self._ids.clear()
            self._series.clear()
            self._sources.clear()
            self._alias_cache = None
            if self.conn.in_transaction:  # SQLite may have rolled back already (I/O error)
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def bulk_transaction(self) -> Iterator[None]:
        """A transaction for tracker.bulk: foreign keys go unchecked row by row.

        Every id a bulk import writes was looked up or created inside this same
        transaction by :meth:`resolve_ids`, so the per-row lookups SQLite would
        make (two per row, a third of the insert's cost) cannot fail; they are
        switched off for the transaction (it can only be done outside one) and
        back on after.
        """
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                yield
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def unpublished(self) -> Iterator[None]:
        """For a database no other process can see yet (built aside, linked into place after).

        While it is filled: a rollback journal in memory and no fsync per commit,
        so every page is written once instead of twice (WAL, then checkpoint);
        a crash can only lose a file nobody uses.  After: WAL like every tracker
        database, and one fsync before the caller publishes it.
        """
        self.conn.execute("PRAGMA journal_mode = MEMORY")
        self.conn.execute("PRAGMA synchronous = OFF")
        yield
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute("PRAGMA journal_mode = WAL")
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read snapshot: a report during an import sees it before or after, never between."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    # --- suppliers, sources, series -----------------------------------------
    def aliases(self) -> dict[str, str]:
        """alias key -> canonical supplier name, including suppliers users added."""
        out = alias_map()
        for alias, name in self.conn.execute(
            "SELECT a.alias, s.name FROM supplier_aliases a "
            "JOIN suppliers s ON s.id = a.supplier_id"
        ):
            out[alias] = name
        return out

    def _aliases(self) -> dict[str, str]:
        if self._alias_cache is None:
            self._alias_cache = self.aliases()
        return self._alias_cache

    def _add_supplier(
        self, name: str, name_zh: str | None = None, country: str | None = None,
        aliases: Iterable[str] = (),
    ) -> int:  # fmt: skip
        sid = self._made_or_found(
            "INSERT INTO suppliers (name, name_zh, country) VALUES (?, ?, ?)",
            (name, name_zh, country), "SELECT id FROM suppliers WHERE name = ?", (name,),
        )  # fmt: skip
        for n in (name, name_zh, *aliases):
            if n and self._alias_cache is not None:
                self._alias_cache.setdefault(alias_key(n), name)  # 'foo' now finds 'Foo'
            if n:
                self.conn.execute(
                    "INSERT OR IGNORE INTO supplier_aliases (alias, supplier_id) VALUES (?, ?)",
                    (alias_key(n), sid),
                )
        return sid

    def _made_or_found(
        self, insert: str, values: tuple[Any, ...], select: str, key: tuple[Any, ...]
    ) -> int:
        """The id of a new row, or of the row already there: nothing is written for a
        row that exists (so a write that changes nothing leaves no trace)."""
        row = self.conn.execute(f"{insert} ON CONFLICT DO NOTHING RETURNING id", values).fetchone()
        if row is None:
            row = self.conn.execute(select, key).fetchone()
        return int(row[0])

    def _id(self, table: str, key: str, make: Callable[[], int]) -> int:
        got = self._ids.get((table, key))
        if got is None:
            got = self._ids[(table, key)] = make()
        return got

    def _source_id(self, name: str) -> int:
        got = self._sources.get(name)
        if got is None:
            got = self._sources[name] = self._made_or_found(
                "INSERT INTO sources (name) VALUES (?)", (name,),
                "SELECT id FROM sources WHERE name = ?", (name,),
            )  # fmt: skip
        return got

    def _series_id(self, o: Observation) -> int:
        return self.series_id((o.supplier, o.material, o.product, o.metric, o.unit))

    def series_id(self, key: tuple[str | None, str, str | None, str, str]) -> int:
        """The id of series (supplier, material, product, metric, canonical unit), made if new."""
        got = self._series.get(key)
        if got is None:
            got = self._series[key] = self._series_row(*key)
        return got

    def _series_row(
        self, supplier: str | None, material: str, product: str | None, metric: str, unit: str
    ) -> int:
        # any alias resolves to its supplier here too, for callers that skip the importer
        name = resolve(supplier, self._aliases()) if supplier else None
        supplier_id = (
            self._id("suppliers", name, lambda: self._add_supplier(name)) if name else None
        )
        key = series_text_key(supplier_id, material, product, metric, unit)
        return self._id("series", key, lambda: self._made_or_found(
            "INSERT INTO series (supplier_id, material, product, metric, unit, key) "
            "VALUES (?, ?, ?, ?, ?, ?)", (supplier_id, material, product, metric, unit, key),
            "SELECT id FROM series WHERE key = ?", (key,),
        ))  # fmt: skip

    def resolve_ids(
        self, keys: list[tuple[Any, ...]], sources: list[str]
    ) -> tuple[list[int], list[int]]:
        """Ids of series keys and source names, made where new (for tracker.bulk's reader)."""
        return [self.series_id(tuple(k)) for k in keys], [self._source_id(n) for n in sources]

    def _row(self, o: Observation, recorded: str, revision: int = 0) -> tuple[Any, ...]:
        """The observation as an INSERT row; per-row work kept to dict lookups (bulk path)."""
        v, p, source = o.value, o.period, o.source
        start = self._starts.get(p.text)
        if start is None:
            start = self._starts[p.text] = p.start.isoformat()
        source_id = self._source_id(source) if source else None
        return (
            self._series_id(o), p.text, start, v.low, v.high,
            _flags(v), v.special, o.entered, o.kind,
            source_id, o.quote, o.note, o.recorded_at or recorded, revision, None, None, None,
        )  # fmt: skip

    # --- writing ----------------------------------------------------------
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
        batch: list[tuple[Any, ...]] = []
        for o in observations:
            seen += 1
            batch.append(self._row(o, recorded))
            if len(batch) >= 5000:
                added += self.conn.executemany(INSERT, batch).rowcount
                batch.clear()
        if batch:
            added += self.conn.executemany(INSERT, batch).rowcount
        return added, seen

    def insert_runs(self, runs: Iterable[tuple[Any, list[tuple[Any, ...]]]], recorded: str) -> int:
        """Insert tracker.bulk's runs of ready rows (the caller holds the transaction);
        returns how many were new.

        A lean run's shared (flags, special, kind, source_id) are written into
        the statement as literals, so each row binds 6 values instead of 13.
        """
        recorded = _sql_text(recorded)
        added = 0
        for consts, rows in runs:
            if consts is None:
                sql = _FULL_INSERT.format(recorded=recorded)
            else:
                flags, special, kind, source_id = consts
                if kind not in KINDS:  # never: the reader checked it; a literal must be safe
                    raise TrackerError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
                sql = _LEAN_INSERT.format(
                    flags=int(flags), special=_sql_text(special), kind=_sql_text(kind),
                    source_id="NULL" if source_id is None else int(source_id), recorded=recorded,
                )  # fmt: skip
            added += self.conn.executemany(sql, rows).rowcount
        return added

    def find(self, o: Observation, revision: int | None = None) -> int | None:
        """The id of the stored observation identical to `o`, if there is one (of that
        `revision` when given, else the first)."""
        v = o.value
        row = self.conn.execute(
            "SELECT o.id FROM observations o JOIN series se ON se.id = o.series_id "
            "WHERE se.key = ? AND o.period_start = ? AND o.date = ? AND o.kind = ? "
            "AND o.low IS ? AND o.high IS ? AND o.flags & 3 = ? AND o.special IS ? "
            "AND ifnull(o.source_id, 0) = ifnull((SELECT id FROM sources WHERE name = ?), 0) "
            "AND o.revision = ifnull(?, o.revision) ORDER BY o.revision LIMIT 1",
            (self._series_key(o), o.period.start.isoformat(), o.period.text, o.kind, v.low,
             v.high, _flags(v) & 3, v.special, o.source, revision),
        ).fetchone()  # fmt: skip
        return None if row is None else int(row[0])

    def _series_key(self, o: Observation) -> str:
        sid = None
        if o.supplier:
            name = resolve(o.supplier, self._aliases())
            r = self.conn.execute("SELECT id FROM suppliers WHERE name = ?", (name,)).fetchone()
            sid = r[0] if r else -1
        return series_text_key(sid, o.material, o.product, o.metric, o.unit)

    def get(self, oid: int) -> Observation:
        """One observation by id, current or not (TrackerError if there is none)."""
        r = self.conn.execute(_SELECT + " WHERE o.id = ?", (oid,)).fetchone()
        if r is None:
            raise TrackerError(f"there is no observation {oid}")
        return _observation(r)

    # --- reading ----------------------------------------------------------
    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM observations").fetchone()[0])

    def id_span(self) -> tuple[int, int] | None:
        """The smallest and largest observation id, None when there are none."""
        lo, hi = self.conn.execute("SELECT min(id), max(id) FROM observations").fetchone()
        return None if lo is None else (int(lo), int(hi))

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
        for r in self.conn.execute(f"{_SELECT} {where} ORDER BY o.id", params):
            yield _observation(r)

    def iter_raw(
        self, filters: Filters = Filters(), ids: tuple[int, int] | None = None
    ) -> tuple[dict[int, tuple[Any, ...]], dict[int | None, str | None], Iterator[tuple[Any, ...]]]:
        """The export's fast path: (series, sources, rows) with no Observation per row.

        series maps an id to (supplier, material, product, metric, unit) and
        sources an id to its name, read once instead of joined into every row;
        rows are (id, series_id, date, low, high, flags, special, kind,
        source_id, quote, note, entered, recorded_at) in id order; `ids` keeps those
        in [first, last], so two processes can each take a part.
        """
        series = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT se.id, sp.name, se.material, se.product, se.metric, se.unit "
            "FROM series se LEFT JOIN suppliers sp ON sp.id = se.supplier_id")}  # fmt: skip
        sources: dict[int | None, str | None] = dict(
            self.conn.execute("SELECT id, name FROM sources").fetchall()
        )
        sources[None] = None
        where, params = self._where_sql(filters)
        if ids is not None:
            where = f"{where} AND o.id BETWEEN ? AND ?" if where else "WHERE o.id BETWEEN ? AND ?"
            params = [*params, *ids]
        rows = self.conn.execute(
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
            obs.append(f"o.kind = {_sql_text(kind)}")
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

    def series_extremes_raw(
        self, filters: Filters = Filters(), series: tuple[int, int] | None = None
    ) -> Iterator[tuple[int, int, tuple[Any, ...], list[tuple[Any, ...]]]]:
        """For the report, per series (its count of current observations, its id,
        (supplier, material, product, metric, unit), rows), the rows (RAW_COLUMNS) in
        analysis.ordered order.  `series` keeps ids in [first, last], so two
        processes can each take a part.

        Shaped for speed (half the time of one grouped min/max/count query
        joined back, which tests/test_report.py keeps as the reference): the
        count is the only scan, first, latest and previous start are index
        seeks, and names are read once per series instead of joined into every row.
        """
        series_cond, series_params, obs, obs_params = self._conditions(
            filters._replace(history=False)
        )
        trend = " AND ".join(obs)
        pick, pick_params = "", list(series_params)
        if series_cond:
            pick = (" AND o.series_id IN (SELECT se.id FROM series se LEFT JOIN suppliers sp "
                    f"ON sp.id = se.supplier_id WHERE {' AND '.join(series_cond)})")  # fmt: skip
        span = ""
        if series is not None:
            span = " AND o.series_id BETWEEN ? AND ?"
            pick_params += list(series)
        sql = f"""
            WITH g AS (SELECT o.series_id AS sid, count(*) AS n FROM observations o
                       WHERE {trend}{pick}{span} GROUP BY o.series_id),
                 m AS (SELECT sid, n,
                              (SELECT min(o.period_start) FROM observations o
                               WHERE {trend} AND o.series_id = g.sid) AS mn,
                              (SELECT max(o.period_start) FROM observations o
                               WHERE {trend} AND o.series_id = g.sid) AS mx
                       FROM g),
                 p AS (SELECT sid, n, mn, mx,
                              (SELECT max(o.period_start) FROM observations o
                               WHERE {trend} AND o.series_id = m.sid AND o.period_start < m.mx)
                              AS prev
                       FROM m)
            SELECT p.n, o.series_id, {RAW_COLUMNS}
            FROM p CROSS JOIN observations o ON o.series_id = p.sid
                AND o.period_start IN (p.mn, p.mx, p.prev)
            LEFT JOIN sources src ON src.id = o.source_id
            WHERE {trend}
            ORDER BY o.series_id, {_ANALYSIS_ORDER}
        """
        params = obs_params + pick_params + obs_params * 4
        rows = self.conn.execute(sql, params).fetchall()
        where, where_params = "", []
        if series is not None:
            where, where_params = "WHERE se.id BETWEEN ? AND ?", list(series)
        names = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT se.id, sp.name, se.material, se.product, se.metric, se.unit FROM series se "
            f"LEFT JOIN suppliers sp ON sp.id = se.supplier_id {where}", where_params)}  # fmt: skip
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][1] != rows[start][1]:
                sid = rows[start][1]
                yield rows[start][0], sid, names[sid], [r[2:] for r in rows[start:i]]
                start = i


def parse_filter_dates(since: str | None, until: str | None) -> tuple[Period | None, Period | None]:
    """--since/--until text to periods (ParseError names the bad one)."""
    return (parse_period(since) if since else None, parse_period(until) if until else None)


def backup(conn: sqlite3.Connection, target: str | Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write.

    The copy is taken in one step (pages=-1), so it is one snapshot.  `target`
    is written as it is: the caller makes it a temp file published only when
    this succeeded (tracker.output.output_path).
    """
    dest = sqlite3.connect(_file_name(str(target)))
    try:
        conn.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
    finally:
        dest.close()
