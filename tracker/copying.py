"""`tracker copy`: every observation with its versions, and the suppliers, from one database
into another (SQLite or PostgreSQL, either way).

Built on the store's own reading and writing (iter_observations, the insert every
command uses), so a copied row is checked and de-duplicated like an imported one:
a row already in the target (same identity, same revision) is found, not added,
and a second copy adds nothing.  The history survives: a correction still points
at the version it corrects (ids are mapped, the target's own ids kept), a
retraction keeps who, when and why, and every row keeps its recorded_at.

The source is read in one snapshot and the target written in one transaction:
the copy lands whole or not at all, while others go on using either database.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tracker.model import Observation
from tracker.store import Filters, Store, now_utc
from tracker.store.rows import INSERT_VERSION

# what an observation's row holds beyond the Observation: its place in a history
_VERSIONS = (
    "SELECT id, revision, supersedes, superseded_by, changed_by, change_reason, retracted_at, "
    "retracted_by, retracted_reason FROM observations WHERE revision <> 0 OR supersedes IS NOT "
    "NULL OR superseded_by IS NOT NULL OR retracted_at IS NOT NULL"
)
_SUPPLIERS = "SELECT id, name, name_zh, country FROM suppliers ORDER BY id"
_ALIASES = "SELECT alias, supplier_id FROM supplier_aliases ORDER BY alias"
BATCH = 5000


class CopyResult(NamedTuple):
    """What a copy did.

    Attributes:
        added: observations (versions included) new in the target.
        existing: observations the target held already.
        suppliers: suppliers new in the target.
    """

    added: int
    existing: int
    suppliers: int


def copy_into(src: Store, dst: Store) -> CopyResult:
    """Copy every observation (each version) and every supplier of `src` into `dst`."""
    with src.snapshot():
        suppliers = src.conn.execute(_SUPPLIERS).fetchall()
        aliases: dict[int, list[str]] = {}
        for alias, sid in src.conn.execute(_ALIASES):
            aliases.setdefault(sid, []).append(alias)
        versions = {r[0]: r[1:] for r in src.conn.execute(_VERSIONS)}
        with dst.transaction():
            before = _count_suppliers(dst)
            for sid, name, name_zh, country in suppliers:
                dst._add_supplier(name, name_zh, country, aliases.get(sid, ()))
            new_suppliers = _count_suppliers(dst) - before
            added, seen = _copy_observations(src.iter_observations(Filters(history=True)),
                                             versions, dst)  # fmt: skip
    return CopyResult(added, seen - added, new_suppliers)


def _count_suppliers(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM suppliers").fetchone()[0])


def _copy_observations(
    rows: Any, versions: dict[int, tuple[Any, ...]], dst: Store
) -> tuple[int, int]:
    """Insert in the source's id order (so ids keep their order); plain rows in batches,
    versioned ones one by one, mapping ids; then the links that point forward."""
    recorded = now_utc()
    added = seen = 0
    batch: list[Observation] = []
    ids: dict[int, int] = {}  # source id -> target id, for versioned rows

    def flush() -> None:
        nonlocal added, seen
        if batch:
            a, s = dst._insert(batch)
            added, seen = added + a, seen + s
            batch.clear()

    for o in rows:
        v = versions.get(o.id)
        if v is None:
            batch.append(o)
            if len(batch) >= BATCH:
                flush()
            continue
        flush()
        revision, supersedes, _, changed_by, change_reason = v[:5]
        stored = dst.row_of(o, recorded)  # the source's recorded_at kept
        row = (*stored, revision, ids.get(supersedes), changed_by, change_reason)
        got = dst.conn.execute(INSERT_VERSION + " RETURNING id", row).fetchone()
        seen += 1
        if got is not None:
            added += 1
            ids[o.id] = int(got[0])
            dst.touch([stored.series_id])
        else:
            found = dst.find(o, revision)
            if found is None:  # a row that is there but cannot be found: not a copy
                raise RuntimeError(f"observation {o.id} conflicts in the target but is not there")
            ids[o.id] = found
    flush()
    for oid, (_, _, superseded_by, _, _, at, by, reason) in versions.items():
        if oid not in ids:
            continue
        if superseded_by is not None and superseded_by in ids:
            _mark(dst, "UPDATE observations SET superseded_by = ? WHERE id = ? "
                  "AND superseded_by IS NULL", (ids[superseded_by], ids[oid]))  # fmt: skip
        if at is not None:
            _mark(dst, "UPDATE observations SET retracted_at = ?, retracted_by = ?, "
                  "retracted_reason = ? WHERE id = ? AND retracted_at IS NULL",
                  (at, by, reason, ids[oid]))  # fmt: skip
    return added, seen


def _mark(dst: Store, sql: str, params: tuple[Any, ...]) -> None:
    """An UPDATE of one observation (its id last in `params`) that only fills what is empty;
    the series' summary is refreshed when it changed something."""
    if dst.conn.execute(sql, params).rowcount:
        dst.touch_observation(params[-1])
