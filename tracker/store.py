"""The SQLite store: schema, one-transaction writes, filtered reads.

Every write runs inside ``BEGIN IMMEDIATE ... COMMIT`` so a command either
lands whole or not at all, and concurrent writers queue on SQLite's lock
(WAL mode, busy timeout) instead of failing.  The hot paths use the standard
library's sqlite3 directly: sqlite-utils imports pandas at start-up and caps
its statements at 999 parameters, which costs a factor of 3-7 on bulk loads
(measured in issue 5).  sqlite-utils serves where a path is cold: schema
inspection in :func:`check`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from tracker import migrations
from tracker.dates import Period, parse_period, period_from_parts
from tracker.errors import TrackerError
from tracker.model import KINDS, Observation, dedup_key
from tracker.suppliers import KNOWN, alias_key, alias_map, resolve
from tracker.values import Value

BUSY_TIMEOUT_MS = 30_000

# Version 1 of the schema; later versions are steps in tracker.migrations.
SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    name_zh TEXT,
    country TEXT
);
CREATE TABLE supplier_aliases (
    alias TEXT PRIMARY KEY,            -- suppliers.alias_key(name)
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id)
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE          -- title, URL or source id
);
CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,                -- as normalised: 2025-07-24, 2025-07, 2025-Q3, 2025
    period_start TEXT NOT NULL,        -- ISO day
    period_end TEXT NOT NULL,          -- ISO day, inclusive
    precision TEXT NOT NULL CHECK (precision IN ('day', 'month', 'quarter', 'year')),
    supplier_id INTEGER REFERENCES suppliers(id),   -- NULL: market-wide
    material TEXT NOT NULL,
    product TEXT,
    metric TEXT NOT NULL,
    low REAL,                          -- canonical unit; NULL: open below
    high REAL,                         -- canonical unit; NULL: open above
    low_strict INTEGER NOT NULL DEFAULT 0,
    high_strict INTEGER NOT NULL DEFAULT 0,
    approx INTEGER NOT NULL DEFAULT 0,
    special TEXT,                      -- 'allocation' or NULL
    unit TEXT NOT NULL,                -- canonical unit
    entered TEXT NOT NULL,             -- value and unit as first entered
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in KINDS)})),
    source_id INTEGER REFERENCES sources(id),
    quote TEXT,
    note TEXT,
    recorded_at TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE
);
CREATE INDEX observations_series
    ON observations (metric, material, supplier_id, product, unit, period_start);
CREATE INDEX observations_supplier ON observations (supplier_id, period_start);
CREATE INDEX observations_start ON observations (period_start);
"""


def default_db_path() -> Path:
    """Where the tracker keeps its database when neither --db nor TRACKER_DB is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "tracker.db"


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


class Revision(NamedTuple):
    """One version in an observation's chain of corrections.

    Attributes:
        observation: the figure as recorded in this version (recorded_at is when).
        supersedes: id of the version this one corrected; None for the original.
        changed_by, change_reason: who made this correction and why.
        retracted_at, retracted_by, retracted_reason: set when it was retracted.
    """

    observation: Observation
    supersedes: int | None
    changed_by: str | None
    change_reason: str | None
    retracted_at: str | None
    retracted_by: str | None
    retracted_reason: str | None


class Store:
    """An open tracker database."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    # --- opening ----------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, seed: Iterable[Observation] | None = None) -> Store:
        """Open (creating if needed) the database at `path`.

        `seed` is loaded in the same transaction that creates the schema, so
        a default database is never seen empty, and two processes racing to
        create it produce one schema and one copy of the seed.
        """
        path = str(path)
        if path != ":memory:":
            parent = Path(path).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise TrackerError(f"{path}: cannot create its folder: {e.strerror}") from None
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            version = _schema_version(conn)
        except sqlite3.DatabaseError as e:
            raise TrackerError(f"{path}: not a tracker database ({e})") from None
        store = cls(conn, path)
        if version is None:
            store._create(seed)
        elif version > migrations.latest():
            conn.close()
            raise TrackerError(
                f"{path}: schema version {version} is newer than this tracker "
                f"understands ({migrations.latest()}); upgrade tracker"
            )
        elif version < migrations.latest():
            store._upgrade()
        return store

    def _upgrade(self) -> None:
        """Bring an older database to the current schema, in one transaction."""
        with self.transaction():
            version = _schema_version(self.conn)
            assert version is not None
            migrations.upgrade(self.conn, version)

    def _create(self, seed: Iterable[Observation] | None) -> None:
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        with self.transaction():
            if _schema_version(self.conn) is not None:
                return  # another process created it while we waited for the lock
            has_tables = self.conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if has_tables:
                raise TrackerError(
                    f"{self.path}: is an SQLite database, but not a tracker database"
                )
            for statement in _statements(SCHEMA):
                self.conn.execute(statement)
            self.conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
            migrations.upgrade(self.conn, 1)
            for s in KNOWN:
                self._add_supplier(s.name, s.name_zh, s.country, s.aliases)
            if seed is not None:
                self._insert(seed)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception (all or nothing)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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

    # --- suppliers and sources -------------------------------------------
    def aliases(self) -> dict[str, str]:
        """alias key -> canonical supplier name, including suppliers users added."""
        out = alias_map()
        for alias, name in self.conn.execute(
            "SELECT a.alias, s.name FROM supplier_aliases a "
            "JOIN suppliers s ON s.id = a.supplier_id"
        ):
            out[alias] = name
        return out

    def _add_supplier(
        self,
        name: str,
        name_zh: str | None = None,
        country: str | None = None,
        aliases: Iterable[str] = (),
    ) -> int:
        cur = self.conn.execute(
            "INSERT INTO suppliers (name, name_zh, country) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
            (name, name_zh, country),
        )
        sid = int(cur.fetchone()[0])
        for n in (name, name_zh, *aliases):
            if n:
                self.conn.execute(
                    "INSERT OR IGNORE INTO supplier_aliases (alias, supplier_id) VALUES (?, ?)",
                    (alias_key(n), sid),
                )
        return sid

    def _id_for(self, table: str, name: str, cache: dict[str, int]) -> int:
        if name in cache:
            return cache[name]
        if table == "suppliers":
            sid = self._add_supplier(name)
        else:
            cur = self.conn.execute(
                "INSERT INTO sources (name) VALUES (?) "
                "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
                (name,),
            )
            sid = int(cur.fetchone()[0])
        cache[name] = sid
        return sid

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

    _COLUMNS = (
        "date, period_start, period_end, precision, supplier_id, material, product, metric, "
        "low, high, low_strict, high_strict, approx, special, unit, entered, kind, source_id, "
        "quote, note, recorded_at, dedup_key"
    )

    def _row(
        self, o: Observation, key: str, recorded: str, ids: dict[str, dict[str, int]]
    ) -> tuple[Any, ...]:
        v, p = o.value, o.period
        return (
            p.text, p.start.isoformat(), p.end.isoformat(), p.precision,
            self._id_for("suppliers", o.supplier, ids["suppliers"]) if o.supplier else None,
            o.material, o.product, o.metric, v.low, v.high, int(v.low_strict),
            int(v.high_strict), int(v.approx), v.special, o.unit, o.entered, o.kind,
            self._id_for("sources", o.source, ids["sources"]) if o.source else None,
            o.quote, o.note, o.recorded_at or recorded, key,
        )  # fmt: skip

    def _insert(self, observations: Iterable[Observation]) -> tuple[int, int]:
        ids: dict[str, dict[str, int]] = {"suppliers": {}, "sources": {}}
        recorded = now_utc()
        sql = (
            f"INSERT INTO observations ({self._COLUMNS}) VALUES ({', '.join('?' * 22)}) "
            "ON CONFLICT (dedup_key) DO NOTHING"  # not OR IGNORE: that would hide CHECK failures
        )
        added = seen = 0
        batch: list[tuple[Any, ...]] = []
        for o in observations:
            seen += 1
            batch.append(self._row(o, dedup_key(o), recorded, ids))
            if len(batch) >= 2000:
                added += self.conn.executemany(sql, batch).rowcount
                batch.clear()
        if batch:
            added += self.conn.executemany(sql, batch).rowcount
        return added, seen

    # --- corrections --------------------------------------------------------
    def get(self, oid: int, history: bool = True) -> Observation:
        """One observation by id (TrackerError if there is none)."""
        for o in self.iter_observations(Filters(history=history), where_id=oid):
            return o
        raise TrackerError(f"there is no observation {oid}")

    def correct(self, oid: int, new: Observation, by: str, reason: str) -> int:
        """Record `new` as the next version of observation `oid`; returns the new id.

        The old row stays, superseded; reports use the new one.  Only the
        current version of a chain can be corrected, so a chain never forks.
        """
        with self.transaction():
            self._require_current(oid)
            key = dedup_key(new)
            if self.conn.execute(
                "SELECT 1 FROM observations WHERE dedup_key = ?", (key,)
            ).fetchone():
                # the same figure exists (say, corrected back to an earlier version)
                key = f"{key}\x1fcorrects:{oid}"
            ids: dict[str, dict[str, int]] = {"suppliers": {}, "sources": {}}
            row = self._row(new._replace(recorded_at=None), key, now_utc(), ids)
            cur = self.conn.execute(
                f"INSERT INTO observations ({self._COLUMNS}, supersedes, changed_by, "
                f"change_reason) VALUES ({', '.join('?' * 25)}) RETURNING id",
                (*row, oid, by, reason),
            )
            return int(cur.fetchone()[0])

    def retract(self, oid: int, by: str, reason: str) -> None:
        """Mark observation `oid` retracted: kept, with who/when/why, hidden from reports."""
        with self.transaction():
            self._require_current(oid)
            self.conn.execute(
                "UPDATE observations SET retracted_at = ?, retracted_by = ?, retracted_reason = ? "
                "WHERE id = ?",
                (now_utc(), by, reason, oid),
            )

    def _require_current(self, oid: int) -> None:
        row = self.conn.execute(
            "SELECT retracted_at, (SELECT id FROM observations n WHERE n.supersedes = o.id) "
            "FROM observations o WHERE id = ?",
            (oid,),
        ).fetchone()
        if row is None:
            raise TrackerError(f"there is no observation {oid}")
        if row[1] is not None:
            raise TrackerError(
                f"observation {oid} was corrected by {row[1]}; change {row[1]} instead"
            )
        if row[0] is not None:
            raise TrackerError(f"observation {oid} was retracted on {row[0]}")

    def history(self, oid: int) -> list[Revision]:
        """Every version of observation `oid`'s chain, oldest first."""
        self.get(oid)
        root = oid
        while (prev := self.conn.execute(
            "SELECT supersedes FROM observations WHERE id = ?", (root,)
        ).fetchone()[0]) is not None:  # fmt: skip
            root = prev
        chain: list[Revision] = []
        at: int | None = root
        while at is not None:
            o = self.get(at)
            extra = self.conn.execute(
                "SELECT supersedes, changed_by, change_reason, retracted_at, retracted_by, "
                "retracted_reason FROM observations WHERE id = ?",
                (at,),
            ).fetchone()
            chain.append(Revision(o, *extra))
            nxt = self.conn.execute(
                "SELECT id FROM observations WHERE supersedes = ?", (at,)
            ).fetchone()
            at = nxt[0] if nxt else None
        return chain

    # --- reading ----------------------------------------------------------
    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM observations").fetchone()[0])

    def observations(self, filters: Filters = Filters()) -> list[Observation]:
        """Observations matching `filters`, ordered by id (the order they were recorded)."""
        return list(self.iter_observations(filters))

    def iter_observations(
        self, filters: Filters = Filters(), where_id: int | None = None
    ) -> Iterator[Observation]:
        """Observations matching `filters` (current ones only, unless filters.history)."""
        where, params = self._where(filters)
        if where_id is not None:
            where = (where + " AND" if where else "WHERE") + " o.id = ?"
            params.append(where_id)
        sql = f"""
            SELECT o.id, o.date, o.period_start, o.period_end, o.precision, s.name, o.material,
                   o.product, o.metric, o.low, o.high, o.low_strict, o.high_strict, o.approx,
                   o.special, o.unit, o.entered, o.kind, src.name, o.quote, o.note, o.recorded_at
            FROM observations o
            LEFT JOIN suppliers s ON s.id = o.supplier_id
            LEFT JOIN sources src ON src.id = o.source_id
            {where}
            ORDER BY o.id
        """
        for r in self.conn.execute(sql, params):
            yield Observation(
                period=period_from_parts(r[1], r[2], r[3], r[4]),
                supplier=r[5], material=r[6], product=r[7], metric=r[8],
                value=Value(r[9], r[10], bool(r[11]), bool(r[12]), bool(r[13]), r[14]),
                unit=r[15], entered=r[16], kind=r[17], source=r[18], quote=r[19],
                note=r[20], recorded_at=r[21], id=r[0],
            )  # fmt: skip

    def _where(self, f: Filters) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if f.supplier:
            name = resolve(f.supplier, self.aliases())
            clauses.append("s.name = ?")
            params.append(name)
        for col, val in (("material", f.material), ("product", f.product), ("metric", f.metric)):
            if val:
                clauses.append(f"o.{col} = ? COLLATE NOCASE")
                params.append(val.strip())
        if f.since:
            clauses.append("o.period_start >= ?")
            params.append(f.since.start.isoformat())
        if f.until:
            clauses.append("o.period_start <= ?")
            params.append(f.until.end.isoformat())
        if not f.history:
            clauses.append(CURRENT)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


# An observation is current unless a correction supersedes it or it was retracted.
CURRENT = (
    "o.retracted_at IS NULL AND NOT EXISTS (SELECT 1 FROM observations n WHERE n.supersedes = o.id)"
)


def _schema_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None
        raise
    return int(row[0]) if row else None


def _statements(script: str) -> list[str]:
    """Split a script into statements (executescript would COMMIT our transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def parse_filter_dates(since: str | None, until: str | None) -> tuple[Period | None, Period | None]:
    """--since/--until text to periods (ParseError names the bad one)."""
    return (parse_period(since) if since else None, parse_period(until) if until else None)


def check(conn: sqlite3.Connection) -> list[str]:
    """Findings of integrity_check, foreign_key_check and the schema check; [] when healthy.

    The schema check compares every table and column with a database freshly
    built at the current version, through sqlite-utils' introspection.
    """
    import sqlite_utils

    findings = [
        f"integrity: {r[0]}" for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"
    ]
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        findings.append(f"foreign key: {table} row {rowid} refers to a missing {parent} row")
    version = _schema_version(conn)
    if version != migrations.latest():
        findings.append(f"schema: version {version}, expected {migrations.latest()}")
    fresh = Store.open(":memory:")
    want, have = sqlite_utils.Database(fresh.conn), sqlite_utils.Database(conn)
    for name in want.table_names():
        if name not in have.table_names():
            findings.append(f"schema: table {name} is missing")
            continue
        expected = {c.name: (c.type, c.notnull) for c in want.table(name).columns}
        actual = {c.name: (c.type, c.notnull) for c in have.table(name).columns}
        for col in expected.keys() - actual.keys():
            findings.append(f"schema: column {name}.{col} is missing")
        for col in actual.keys() - expected.keys():
            findings.append(f"schema: column {name}.{col} is not in the schema")
        for col in expected.keys() & actual.keys():
            if expected[col] != actual[col]:
                findings.append(
                    f"schema: column {name}.{col} is {actual[col]}, expected {expected[col]}"
                )
    wanted_indexes = {
        r[0]
        for r in fresh.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
        )
    }
    have_indexes = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
        )
    }
    findings += [f"schema: index {i} is missing" for i in sorted(wanted_indexes - have_indexes)]
    fresh.close()
    return findings


def backup(conn: sqlite3.Connection, target: str | Path) -> None:
    """A consistent copy through SQLite's online backup API, safe while others write.

    The copy is taken in one step (pages=-1), so it is one snapshot, and
    written under a temporary name then renamed, so a failed backup never
    leaves a half-copy under the final name.
    """
    target = Path(target)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    dest = sqlite3.connect(tmp)
    try:
        conn.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
    finally:
        dest.close()
    os.replace(tmp, target)
