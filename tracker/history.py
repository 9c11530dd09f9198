"""Corrections and retractions: an observation is never overwritten or erased.

A correction is a new row whose ``supersedes`` names the row it corrects, and
the old row gets ``superseded_by``; a retraction stamps ``retracted_at``.
Who and why are kept on both.  Reports, lists and exports read current rows
only; :func:`history` gives the whole chain.
"""

from __future__ import annotations

from typing import NamedTuple

from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.store import INSERT, Store, now_utc


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


def correct(store: Store, oid: int, new: Observation, by: str, reason: str) -> int:
    """Record `new` as the next version of observation `oid`; returns the new id.

    The old row stays, superseded; reports use the new one.  Only the
    current version of a chain can be corrected, so a chain never forks.
    A correction back to a figure that is already stored (say, an earlier
    version) is kept as a revision of it rather than refused.
    """
    with store.transaction():
        _require_current(store, oid)
        row = list(store._row(new._replace(recorded_at=None), now_utc()))
        row[14:17] = [oid, by, reason]
        cur = store.conn.execute(INSERT + " RETURNING id", row)
        got = cur.fetchone()
        if got is None:  # the same figure is stored already
            same = store.find(new)
            if same is not None and not _in_chain(store, same, oid):
                raise TrackerError(
                    f"observation {same} already holds this figure; "
                    f"retract {oid} instead (tracker delete {oid})"
                )
            row[13] = oid  # an earlier version of this chain: keep this one as a revision
            got = store.conn.execute(INSERT + " RETURNING id", row).fetchone()
        new_id = int(got[0])
        store.conn.execute("UPDATE observations SET superseded_by = ? WHERE id = ?", (new_id, oid))
        return new_id


def _in_chain(store: Store, candidate: int, oid: int) -> bool:
    """Is `candidate` an earlier version of `oid` (reached through `supersedes`)?"""
    at: int | None = oid
    while at is not None:
        if at == candidate:
            return True
        row = store.conn.execute("SELECT supersedes FROM observations WHERE id = ?", (at,))
        at = row.fetchone()[0]
    return False


def retract(store: Store, oid: int, by: str, reason: str) -> None:
    """Mark observation `oid` retracted: kept, with who/when/why, hidden from reports."""
    with store.transaction():
        _require_current(store, oid)
        store.conn.execute(
            "UPDATE observations SET retracted_at = ?, retracted_by = ?, retracted_reason = ? "
            "WHERE id = ?",
            (now_utc(), by, reason, oid),
        )


def _require_current(store: Store, oid: int) -> None:
    row = store.conn.execute(
        "SELECT retracted_at, superseded_by FROM observations WHERE id = ?", (oid,)
    ).fetchone()
    if row is None:
        raise TrackerError(f"there is no observation {oid}")
    if row[1] is not None:
        raise TrackerError(f"observation {oid} was corrected by {row[1]}; change {row[1]} instead")
    if row[0] is not None:
        raise TrackerError(f"observation {oid} was retracted on {row[0]}")


def history(store: Store, oid: int) -> list[Revision]:
    """Every version of observation `oid`'s chain, oldest first."""
    store.get(oid)
    sql = ("SELECT supersedes, superseded_by, changed_by, change_reason, retracted_at, "
           "retracted_by, retracted_reason FROM observations WHERE id = ?")  # fmt: skip
    root = oid
    while (prev := store.conn.execute(sql, (root,)).fetchone()[0]) is not None:
        root = prev
    chain: list[Revision] = []
    at: int | None = root
    while at is not None:
        sup, nxt, *rest = store.conn.execute(sql, (at,)).fetchone()
        chain.append(Revision(store.get(at), sup, *rest))
        at = nxt
    return chain
