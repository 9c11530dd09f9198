"""Temp files of the tracker's writes: named so that a later run can tell whose they are,
and removed by that run when their process has died (SIGKILL, a power cut).

A temp file is ``.NAME.tracker-PID-XXXXXXXX.tmp`` (``.new`` for a database built aside,
with SQLite's -journal, -wal and -shm beside it), in the folder of the file it becomes.
"""

from __future__ import annotations

import contextlib
import os
import re

TEMP_RE = re.compile(
    r"^\.(?P<name>.+)\.tracker-(?P<pid>\d+)-[0-9a-f]{8}\.(?:tmp|new)(?:-journal|-wal|-shm)?$"
)


def temp_name(name: str, suffix: str = "tmp") -> str:
    """A hidden name beside `name` for a file being made: it carries this process's id,
    so a later run can tell a temp file whose writer has died."""
    import secrets  # here: it loads hashlib and hmac, which a read-only command never needs

    return f".{name}.tracker-{os.getpid()}-{secrets.token_hex(4)}.{suffix}"


_swept: set[tuple[int, int]] = set()  # folders (device, inode) swept by this process


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is someone else's
        return True
    return True


def sweep(folder: str | os.PathLike[str] | int) -> list[str]:
    """Remove the tracker's temp files in `folder` (a path or an open folder descriptor)
    whose process is gone; returns their names.  Once per folder per process.

    Limit: a process in another PID namespace (another container writing into the same
    shared folder) cannot be seen from here, so its temp files would look stale; do not
    point two containers' outputs at one folder at the same moment.
    """
    try:
        if isinstance(folder, int):
            fd = folder
        else:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) in _swept:
                return []
            _swept.add((st.st_dev, st.st_ino))
            removed = []
            for entry in os.listdir(fd):
                m = TEMP_RE.match(entry)
                if m and not _alive(int(m["pid"])):
                    with contextlib.suppress(OSError):
                        os.unlink(entry, dir_fd=fd)
                        removed.append(entry)
            return removed
        finally:
            if not isinstance(folder, int):
                os.close(fd)
    except OSError:  # a folder that cannot be read: nothing to sweep here
        return []
