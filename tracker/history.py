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
from tracker.store import Store


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
        new_id = store.insert_version(new, oid, by, reason)
        if new_id is None:  # the same figure is stored already
            same = store.find(new)
            if same is not None and not _in_chain(store, same, oid):
                raise TrackerError(
                    f"observation {same} already holds this figure; "
                    f"retract {oid} instead (tracker delete {oid})"
                )
            # an earlier version of this chain: keep this one as a revision of it
            new_id = store.insert_version(new, oid, by, reason, revision=oid)
            assert new_id is not None
        store.mark_superseded(oid, new_id)
        return new_id


def _in_chain(store: Store, candidate: int, oid: int) -> bool:
    """Is `candidate` an earlier version of `oid` (reached through `supersedes`)?"""
    at: int | None = oid
    while at is not None:
        if at == candidate:
            return True
        links = store.version_links(at)
        at = links[0] if links else None
    return False


def retract(store: Store, oid: int, by: str, reason: str) -> None:
    """Mark observation `oid` retracted: kept, with who/when/why, hidden from reports."""
    with store.transaction():
        _require_current(store, oid)
        store.mark_retracted(oid, by, reason)


def _require_current(store: Store, oid: int) -> None:
    links = store.version_links(oid)
    if links is None:
        raise TrackerError(f"there is no observation {oid}")
    superseded_by, retracted_at = links[1], links[4]
    if superseded_by is not None:
        raise TrackerError(
            f"observation {oid} was corrected by {superseded_by}; change {superseded_by} instead"
        )
    if retracted_at is not None:
        raise TrackerError(f"observation {oid} was retracted on {retracted_at}")


def history(store: Store, oid: int) -> list[Revision]:
    """Every version of observation `oid`'s chain, oldest first."""
    store.get(oid)
    root = oid
    while (prev := store.version_links(root)[0]) is not None:  # type: ignore[index]
        root = prev
    chain: list[Revision] = []
    at: int | None = root
    while at is not None:
        links = store.version_links(at)
        assert links is not None
        sup, nxt, *rest = links
        chain.append(Revision(store.get(at), sup, *rest))
        at = nxt
    return chain
