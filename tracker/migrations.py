"""Schema versions and the steps between them.

A database records its version in ``meta``.  Opening an older one runs every
step from its version to :func:`latest` inside one transaction, so an
upgrade either completes or leaves the file as it was; a newer one is refused.
A new database is built the same way (version 1, then every step), so a fresh
database and an upgraded one cannot drift apart.

Steps use sqlite-utils, which makes column changes readable; it is imported
here only, on this cold path, because it pulls in pandas.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    """Corrections and retractions: an observation is never overwritten or deleted.

    A correction is a new row whose ``supersedes`` names the row it corrects;
    a retraction stamps ``retracted_at``.  Who and why are kept on both.
    """
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    table = db.table("observations")
    for name in ("changed_by", "change_reason", "retracted_at", "retracted_by", "retracted_reason"):
        table.add_column(name, str)
    # ALTER TABLE ... ADD COLUMN ... REFERENCES: the foreign key without a table rebuild
    conn.execute(
        "ALTER TABLE observations ADD COLUMN supersedes INTEGER REFERENCES observations(id)"
    )
    conn.execute("CREATE INDEX observations_supersedes ON observations (supersedes)")


# from-version -> the step that brings it to from-version + 1
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}


def latest() -> int:
    """The version this tracker writes: 1 plus every step it knows."""
    return 1 + len(MIGRATIONS)


def upgrade(conn: sqlite3.Connection, version: int, target: int | None = None) -> int:
    """Run the steps from `version` to `target` (the caller holds the transaction)."""
    target = latest() if target is None else target
    while version < target:
        MIGRATIONS[version](conn)
        version += 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    return version
