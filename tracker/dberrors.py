"""What an SQLite error means for the user: one accurate line each, naming their path.

SQLite says "disk I/O error" for a full disk on some file systems and "attempt to
write a readonly database" for a folder it cannot create its journal in; a message
must say which, and only a damaged file should send the user to `tracker check`.
One function, :func:`explain`, called wherever an SQLite error reaches the user.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from tracker.errors import TrackerError


class DatabaseError(TrackerError):
    """An SQLite error, explained (see :func:`explain`)."""


def _no_space(path: Path) -> bool:
    try:
        st = os.statvfs(path.parent if not path.is_dir() else path)
    except OSError:
        return False
    return st.f_bavail == 0 or st.f_favail == 0


def _read_only_reason(path: Path) -> str:
    """Why a database cannot be written: the file, its folder, or the file system."""
    folder = path.parent
    try:
        st = os.statvfs(folder)
        if st.f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} is read-only (SQLite keeps its journal beside the file)"
    return "it was opened read-only"


def explain(
    e: sqlite3.Error, path: str | os.PathLike[str], outcome: str = "nothing was changed"
) -> DatabaseError:
    """The user's message for `e`, met while working on the database at `path`;
    `outcome` says what was left (for a write that failed)."""
    name = getattr(e, "sqlite_errorname", "") or ""
    text = str(e)
    p = Path(path)
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return DatabaseError(f"{p}: the disk is full; {outcome}")
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        if _no_space(p):
            return DatabaseError(f"{p}: the disk is full; {outcome}")
        return DatabaseError(f"{p}: the disk reported an input/output error ({text})")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DatabaseError(
            f"{p}: the database cannot be changed: {_read_only_reason(p)}; {outcome}"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        if not p.parent.is_dir():
            return DatabaseError(f"{p}: cannot open the database: folder {p.parent} is missing")
        if not p.exists():
            return DatabaseError(f"{p}: cannot create the database: {_read_only_reason(p)}")
        return DatabaseError(f"{p}: cannot open the database ({text})")
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return DatabaseError(f"{p}: not a tracker database (not an SQLite file)")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return DatabaseError(f"{p}: the database is damaged ({text}); `tracker check` tells more")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DatabaseError(
            f"{p}: another process kept the database locked for too long; try again"
        )
    return DatabaseError(f"{p}: the database says: {text}")


def check_can_create(path: str | os.PathLike[str]) -> None:
    """Raise the user's message when a database cannot be created at `path` (an existing
    folder that cannot be written), before any work or temp file is made."""
    p = Path(path)
    if p.parent.is_dir() and not os.access(p.parent, os.W_OK):
        raise DatabaseError(f"{p}: cannot create the database: {_read_only_reason(p)}")


def open_read_only(
    path: str, error: sqlite3.Error, connect: Callable[[str], sqlite3.Connection]
) -> sqlite3.Connection:
    """A database that exists but cannot be opened for writing, opened for reading.

    A WAL database needs its -shm file beside it, even to read; in a read-only folder
    (a read-only mount, a colleague's share) SQLite cannot make one, so the file is read
    as immutable: without locks, which is right only while nobody writes to it, and
    refused when its -wal holds changes not yet in the file.  Anything else that went
    wrong is explained by :func:`explain` (raised).
    """
    name = getattr(error, "sqlite_errorname", "") or ""
    if not (Path(path).is_file() and name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY"))):
        raise explain(error, path) from None
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    wal = Path(f"{path}-wal")
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        if "immutable" in mode and wal.exists() and wal.stat().st_size > 0:
            raise DatabaseError(
                f"{path}: cannot be read here: its folder is read-only and {wal.name} holds "
                "changes not yet in the file (open it once where the folder can be written)"
            )
        conn = None
        try:
            conn = connect(uri + mode)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error:
            if conn is not None:
                conn.close()
    raise explain(error, path) from None
