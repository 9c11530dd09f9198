"""The review inbox: proposed rows wait here until a person accepts, edits or rejects them.

`tracker extract FILE --stage` puts candidates here; nothing here reaches a
report.  An accepted candidate goes through the normal add path (validated,
de-duplicated) and becomes an observation with its source and quote; the
decision is committed at once, so an interrupted review loses nothing.

Storage is one table with plain SQL (standard types, ``ON CONFLICT DO
NOTHING``, no SQLite-only functions), touched only through the store's
connection and transactions, so another database backend can run it as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import TrackerError

if TYPE_CHECKING:
    import sqlite3

    from tracker.news.pipeline import Candidate
    from tracker.store import Store

FIELDS = ("date", "supplier", "material", "product", "metric", "value", "unit", "kind",
          "source", "quote", "note")  # fmt: skip
EDITABLE = ("date", "supplier", "material", "product", "metric", "value", "unit", "kind", "note")
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"

DDL = f"""
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    article TEXT NOT NULL,             -- the file (and digest number) it was read from
    fingerprint TEXT NOT NULL UNIQUE,  -- the same figure staged twice is stored once
    {", ".join(f"{f} TEXT" for f in FIELDS)},
    mark_start INTEGER NOT NULL,       -- where the figure stands in the quote
    mark_end INTEGER NOT NULL,
    confidence REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status = 'pending' OR status = 'accepted' OR status = 'rejected'),
    observation_id INTEGER REFERENCES observations(id),  -- what accepting it made or found
    staged_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX candidates_status ON candidates (status, id);
"""


def schema_step(conn: sqlite3.Connection) -> None:
    """Schema step for the inbox: the candidates table, and one alias put right.

    Earlier supplier tables made 南亚新材 (Nanya New Material) an alias of Nan
    Ya Plastics; they are different companies, so that alias row goes.
    """
    from tracker.schema import statements

    for statement in statements(DDL):
        conn.execute(statement)
    conn.execute(
        "DELETE FROM supplier_aliases WHERE alias = ? AND supplier_id IN "
        "(SELECT id FROM suppliers WHERE name = ?)",
        ("南亚新材", "Nan Ya Plastics"),
    )


class Entry(NamedTuple):
    """A candidate in the inbox.

    Attributes:
        id: its number (what `tracker review` shows).
        article: the file it was read from.
        fields: the proposed row, interchange-CSV fields.
        mark: (start, end) of the figure in ``fields['quote']``.
        confidence: how sure the extractor was.
        status: pending, accepted or rejected.
        observation_id: the observation accepting it made or found.
    """

    id: int
    article: str
    fields: dict[str, str]
    mark: tuple[int, int]
    confidence: float
    status: str
    observation_id: int | None


def _fingerprint(c: Candidate) -> str:
    parts = [c.source, c.quote, str(c.span[0]), c.date, c.supplier, c.material, c.product,
             c.metric, c.value, c.unit, c.kind]  # fmt: skip
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def stage(store: Store, candidates: Iterable[Candidate], article: str) -> int:
    """Keep candidates for review; returns how many were new (staging twice adds nothing)."""
    from tracker.store import now_utc

    now = now_utc()
    columns = ("article", "fingerprint", *FIELDS, "mark_start", "mark_end", "confidence",
               "staged_at")  # fmt: skip
    sql = (f"INSERT INTO candidates ({', '.join(columns)}) VALUES "
           f"({', '.join('?' for _ in columns)}) ON CONFLICT (fingerprint) DO NOTHING")  # fmt: skip
    added = 0
    with store.transaction():
        for c in candidates:
            f = c.fields()
            row = (article, _fingerprint(c), *(f[k] for k in FIELDS), c.span[0], c.span[1],
                   c.confidence, now)  # fmt: skip
            added += store.conn.execute(sql, row).rowcount
    return added


_SELECT = (f"SELECT id, article, {', '.join(FIELDS)}, mark_start, mark_end, confidence, status, "
           "observation_id FROM candidates")  # fmt: skip


def _entry(r: tuple[Any, ...]) -> Entry:
    n = len(FIELDS)
    fields = {k: v or "" for k, v in zip(FIELDS, r[2 : 2 + n], strict=True)}
    return Entry(r[0], r[1], fields, (r[2 + n], r[3 + n]), r[4 + n], r[5 + n], r[6 + n])


def entries(store: Store, status: str | None = PENDING) -> list[Entry]:
    """The inbox in the order it was staged; `status` None for every entry."""
    where, args = (" WHERE status = ?", (status,)) if status else ("", ())
    with store.snapshot():
        rows = store.conn.execute(_SELECT + where + " ORDER BY id", args).fetchall()
    return [_entry(r) for r in rows]


def get(store: Store, cid: int) -> Entry:
    row = store.conn.execute(_SELECT + " WHERE id = ?", (cid,)).fetchone()
    if row is None:
        raise TrackerError(f"there is no candidate {cid} in the inbox")
    return _entry(row)


def edit(store: Store, cid: int, changes: dict[str, str]) -> Entry:
    """Change proposed fields of a pending candidate (committed at once)."""
    bad = set(changes) - set(EDITABLE)
    if bad:
        raise TrackerError(f"cannot edit {', '.join(sorted(bad))}; editable: {', '.join(EDITABLE)}")
    if changes:
        sets = ", ".join(f"{k} = ?" for k in changes)
        with store.transaction():
            n = store.conn.execute(
                f"UPDATE candidates SET {sets} WHERE id = ? AND status = ?",
                (*changes.values(), cid, PENDING),
            ).rowcount
        if n == 0:
            raise TrackerError(f"candidate {cid} is not pending")
    return get(store, cid)


def _decide(store: Store, cid: int, status: str, by: str, oid: int | None = None) -> None:
    from tracker.store import now_utc

    with store.transaction():
        n = store.conn.execute(
            "UPDATE candidates SET status = ?, observation_id = ?, decided_at = ?, "
            "decided_by = ? WHERE id = ? AND status = ?",
            (status, oid, now_utc(), by, cid, PENDING),
        ).rowcount
    if n == 0:
        raise TrackerError(f"candidate {cid} is not pending")


def reject(store: Store, cid: int, by: str) -> None:
    """Mark a candidate rejected (kept, so staging the article again adds it not again)."""
    _decide(store, cid, REJECTED, by)


def accept(store: Store, cid: int, by: str) -> tuple[bool, int]:
    """Add the candidate as an observation through the normal add path (validated,
    de-duplicated); returns (new, observation id).  A ValidationError leaves it pending.

    The observation is added and then the candidate marked, each committed; if
    the process dies between the two, accepting again finds the observation
    already there and only marks the candidate.
    """
    from tracker.api import add_observation

    entry = get(store, cid)
    if entry.status != PENDING:
        raise TrackerError(f"candidate {cid} is {entry.status}")
    fields = {k: v for k, v in entry.fields.items() if v}
    added, oid = add_observation(store, fields)
    _decide(store, cid, ACCEPTED, by, oid)
    return added, oid


def counts(store: Store) -> dict[str, int]:
    """How many candidates are pending, accepted and rejected."""
    rows = store.conn.execute("SELECT status, COUNT(*) FROM candidates GROUP BY status")
    out = {PENDING: 0, ACCEPTED: 0, REJECTED: 0}
    out.update({s: int(n) for s, n in rows})
    return out
