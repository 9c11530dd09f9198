"""The database schema, its versions, and the health check.

A database records its schema version in ``meta``.  Opening an older one runs
every migration step from its version to :func:`latest` inside one
transaction, so an upgrade either completes or leaves the file as it was; a
newer one is refused.  A new database is built as version 1 and then every
step, so a fresh database and an upgraded one cannot drift apart.

Design: a *series* (supplier, material, product, metric, canonical unit) is a
row of its own; observations point at it.  Per-series questions (first and
latest, the report) are then an index range on ``(series_id, period_start)``,
and the identity index that makes imports idempotent starts with a small
integer instead of repeating five text columns in every entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tracker.model import KINDS

SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE suppliers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,         -- canonical English name
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
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    supplier_id INTEGER REFERENCES suppliers(id),   -- NULL: a market-wide series
    material TEXT NOT NULL,            -- as first spelled
    product TEXT,
    metric TEXT NOT NULL,
    unit TEXT NOT NULL,                -- canonical unit
    key TEXT NOT NULL UNIQUE           -- case-folded identity: one series however it is spelled
);
CREATE INDEX series_supplier ON series (supplier_id);
CREATE INDEX series_metric ON series (metric, material);
CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    date TEXT NOT NULL,                -- 2025-07-24, 2025-07, 2025-Q3 or 2025 (form = precision)
    period_start TEXT NOT NULL,        -- ISO day the period starts
    low REAL,                          -- canonical unit; NULL: open below
    high REAL,                         -- canonical unit; NULL: open above
    flags INTEGER NOT NULL DEFAULT 0,  -- 1: low strict (>), 2: high strict (<), 4: approximate
    special TEXT,                      -- 'allocation' or NULL
    entered TEXT NOT NULL,             -- value and unit as first entered
    kind TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in KINDS)})),
    source_id INTEGER REFERENCES sources(id),
    quote TEXT,
    note TEXT,
    recorded_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,   -- non-zero only for a correction restating a kept figure
    supersedes INTEGER REFERENCES observations(id),     -- the version this one corrects
    superseded_by INTEGER REFERENCES observations(id),  -- set when corrected: not current
    changed_by TEXT,
    change_reason TEXT,
    retracted_at TEXT,                 -- set when retracted: not current
    retracted_by TEXT,
    retracted_reason TEXT
);
-- The identity of an observation (CONTRACT section 3): importing it twice stores it once.
CREATE UNIQUE INDEX observations_identity ON observations (
    series_id, period_start, date, kind, ifnull(low, ''), ifnull(high, ''), flags & 3,
    ifnull(special, ''), ifnull(source_id, 0), revision
);
CREATE INDEX observations_supersedes ON observations (supersedes) WHERE supersedes IS NOT NULL;
-- The current rows of each series: the report reads first and latest per series from
-- this index alone.
CREATE INDEX observations_trend ON observations (series_id, period_start)
    WHERE superseded_by IS NULL AND retracted_at IS NULL;
-- Stated normal levels are few; this keeps finding them from reading every row.
CREATE INDEX observations_baseline ON observations (series_id) WHERE kind = 'baseline';
"""

CURRENT = "o.superseded_by IS NULL AND o.retracted_at IS NULL"
# corrections whose two ends disagree: (old id, the id it says corrects it)
HISTORY_CHECK = (
    "SELECT o.id, o.superseded_by FROM observations o LEFT JOIN observations n "
    "ON n.id = o.superseded_by WHERE o.superseded_by IS NOT NULL "
    "AND (n.id IS NULL OR n.supersedes IS NOT o.id)"
)

Migration = Callable[[sqlite3.Connection], None]


def _v2_bulk_friendly(conn: sqlite3.Connection) -> None:
    """Version 2: the same rules, cheaper to insert into (issue 5, measured per million rows).

    - The CHECK on observations.kind is written as ORs: SQLite builds the lookup
      table of an ``IN (...)`` list each time a statement runs, and a bulk insert
      runs its statement once per row (1.3 s).
    - The identity index leads with the date and drops period_start (the date
      text fixes it, so identity is unchanged): feeds arrive in date order, so
      new entries land at the end of the index instead of all over it (0.9 s).
      The per-series order the report needs stays in ``observations_trend``.
    - The baseline index is on ``kind`` (see BASELINE), so the report finds the
      stated normal levels without reading every row (0.1-0.3 s).

    SQLite cannot alter a CHECK in place, so the table is rebuilt the
    documented way: new table, copy, drop, rename, indexes again.
    """
    old = f"CHECK (kind IN ({', '.join(repr(k) for k in KINDS)}))"
    (table_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'observations'"
    ).fetchone()
    if old not in table_sql:
        raise RuntimeError(f"observations has an unexpected definition: {table_sql}")
    redefined = ("observations_identity", "observations_baseline")
    indexes = [sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'observations' "
        "AND sql IS NOT NULL") if name not in redefined]  # fmt: skip
    new = table_sql.replace(old, KIND_CHECK).replace(
        "CREATE TABLE observations", "CREATE TABLE observations_new", 1)  # fmt: skip
    conn.execute(new)
    conn.execute("INSERT INTO observations_new SELECT * FROM observations")
    conn.execute("DROP TABLE observations")
    conn.execute("ALTER TABLE observations_new RENAME TO observations")
    conn.execute(IDENTITY)
    conn.execute(BASELINE)
    for sql in indexes:
        conn.execute(sql)


# Stated normal levels are few: finding them reads this index, in id order (on `kind`, so
# that `kind = 'baseline'` matches it; on series_id the planner scanned the table instead).
BASELINE = "CREATE INDEX observations_baseline ON observations (kind) WHERE kind = 'baseline'"
KIND_CHECK = "CHECK (" + " OR ".join(f"kind = '{k}'" for k in KINDS) + ")"
# The identity of an observation (CONTRACT section 3): importing it twice stores it once.
IDENTITY = """CREATE UNIQUE INDEX observations_identity ON observations (
    date, series_id, kind, ifnull(low, ''), ifnull(high, ''), flags & 3, ifnull(special, ''),
    ifnull(source_id, 0), revision
)"""


def _v3_candidates(conn: sqlite3.Connection) -> None:
    """Version 3: the review inbox of `tracker extract --stage` (see tracker.inbox)."""
    from tracker.inbox import schema_step

    schema_step(conn)


SERIES_STATE = """
CREATE TABLE series_state (
    series_id INTEGER PRIMARY KEY REFERENCES series(id),
    observations INTEGER NOT NULL,         -- current observations of the series
    first_id INTEGER NOT NULL REFERENCES observations(id),
    previous_id INTEGER REFERENCES observations(id),   -- NULL: one observation
    last_id INTEGER NOT NULL REFERENCES observations(id),
    baseline_id INTEGER REFERENCES observations(id),   -- the latest stated normal level
    change_low_abs REAL,                   -- first -> last (tracker.analysis.Change)
    change_high_abs REAL,
    change_mid_abs REAL,
    change_low_pct REAL,
    change_high_pct REAL,
    change_mid_pct REAL,
    change_at_least_pct REAL,
    change_at_most_pct REAL,
    ratio_low REAL,                        -- last / baseline, bound to bound
    ratio_high REAL
);
-- Current observations as people read them (datasette, the sqlite3 shell): names instead
-- of ids, each bound's openness spelled out, superseded and retracted versions left out.
CREATE VIEW current_observations AS
SELECT o.id, o.date, o.period_start, sp.name AS supplier, se.material, se.product, se.metric,
    o.low, o.high, se.unit,
    CASE WHEN o.low IS NULL THEN 'open' WHEN o.flags & 1 THEN 'exclusive' ELSE 'inclusive' END
        AS low_bound,
    CASE WHEN o.high IS NULL THEN 'open' WHEN o.flags & 2 THEN 'exclusive' ELSE 'inclusive' END
        AS high_bound,
    CASE WHEN o.flags & 4 THEN 1 ELSE 0 END AS approximate,
    o.special, o.entered, o.kind, src.name AS source, o.quote, o.note, o.recorded_at
FROM observations o
    JOIN series se ON se.id = o.series_id
    LEFT JOIN suppliers sp ON sp.id = se.supplier_id
    LEFT JOIN sources src ON src.id = o.source_id
WHERE o.superseded_by IS NULL AND o.retracted_at IS NULL;
"""


def _v4_series_state(conn: sqlite3.Connection) -> None:
    """Version 4: each series' summary kept on write (tracker.store.state), and the
    current_observations view.  The store fills series_state in the same transaction
    (Store._upgrade), with the code every write uses."""
    for statement in statements(SERIES_STATE):
        conn.execute(statement)
    conn.execute("DELETE FROM meta WHERE key = 'changes'")  # the retired fork bookkeeping


STATE_VERSION = 4  # the version from which series_state is kept

# from-version -> the step that brings a database to from-version + 1
MIGRATIONS: dict[int, Migration] = {1: _v2_bulk_friendly, 2: _v3_candidates, 3: _v4_series_state}


def latest() -> int:
    """The version this tracker writes: 1 plus every step it knows."""
    return 1 + len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a script into statements (executescript would COMMIT the caller's transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def version_of(conn: sqlite3.Connection) -> int | None:
    """The schema version recorded in the database; None for a database without a schema."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None
        raise
    return int(row[0]) if row else None


def create(conn: sqlite3.Connection) -> None:
    """Version 1, then every step (the caller holds the transaction)."""
    for statement in statements(SCHEMA):
        conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
    upgrade(conn, 1)


def upgrade(conn: sqlite3.Connection, version: int) -> int:
    """Run the steps from `version` to latest() (the caller holds the transaction)."""
    while version < latest():
        MIGRATIONS[version](conn)
        version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    return version


def check(conn: sqlite3.Connection) -> list[str]:
    """Findings of integrity_check, foreign_key_check and the schema check; [] when healthy.

    The schema check compares every table, column and index with a database
    freshly built at the current version, through sqlite-utils' introspection
    (imported here only: it pulls in pandas).
    """
    import sqlite_utils

    try:
        pages = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as e:  # damage where SQLite cannot even walk the pages
        return [
            f"integrity: {e}: the database is damaged; restore it from a backup (`tracker "
            "backup` makes one), or save what can be read with the sqlite3 shell's .recover"
        ]
    findings = [f"integrity: {r[0]}" for r in pages if r[0] != "ok"]
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        findings.append(f"foreign key: {table} row {rowid} refers to a missing {parent} row")
    version = version_of(conn)
    if version != latest():
        findings.append(f"schema: version {version}, expected {latest()}")
    fresh = sqlite3.connect(":memory:")
    create(fresh)
    want, have = sqlite_utils.Database(fresh), sqlite_utils.Database(conn)
    for name in want.table_names():
        if name not in have.table_names():
            findings.append(f"schema: table {name} is missing")
            continue
        expected = {c.name: (c.type, c.notnull) for c in want.table(name).columns}
        actual = {c.name: (c.type, c.notnull) for c in have.table(name).columns}
        findings += [
            f"schema: column {name}.{c} is missing" for c in expected.keys() - actual.keys()
        ]
        findings += [f"schema: column {name}.{c} is not in the schema"
                     for c in actual.keys() - expected.keys()]  # fmt: skip
        changed = [c for c in expected.keys() & actual.keys() if expected[c] != actual[c]]
        findings += [f"schema: column {name}.{c} is {actual[c]}, expected {expected[c]}"
                     for c in changed]  # fmt: skip
    index_sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    missing = {r[0] for r in fresh.execute(index_sql)} - {r[0] for r in conn.execute(index_sql)}
    findings += [f"schema: index {i} is missing" for i in sorted(missing)]
    view_sql = "SELECT name FROM sqlite_master WHERE type = 'view'"
    missing = {r[0] for r in fresh.execute(view_sql)} - {r[0] for r in conn.execute(view_sql)}
    findings += [f"schema: view {v} is missing" for v in sorted(missing)]
    inconsistent = conn.execute(HISTORY_CHECK).fetchall()
    findings += [f"history: observation {a} says {b} corrects it, but {b} does not"
                 for a, b in inconsistent]  # fmt: skip
    fresh.close()
    return findings
