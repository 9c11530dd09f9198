"""A new SQLite database built aside and linked into place: a failed import leaves no file.

The database is built under a unique name beside the target and linked into
place only after the import committed, so there is never a database to remove
after the fact (another process may be writing to it).  If another process
created the target meanwhile, the rows are added to theirs, as an import into
an existing database would.  SQLite only: a server database is never a file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tracker.store.sqlite import Store

R = TypeVar("R")


def build_aside(
    path: Path, seeded: bool, fill: Callable[[Store], R], merged: Callable[[int, R], R]
) -> R:
    """`fill(store)` into a new database built beside `path`, then published at `path`;
    when `path` appeared meanwhile, its observations are added to it and
    `merged(added, result)` is returned instead."""
    from tracker.dberrors import check_can_create
    from tracker.tempfiles import sweep, temp_name

    temp = path.with_name(temp_name(path.name, "new"))  # carries the pid: swept if we die
    made = [d for d in path.parents if not d.exists()]  # folders this import creates
    if not made:
        check_can_create(path)  # said of the user's path, not of the temp
        sweep(path.parent)
    try:
        store = _open(temp, seeded)
        try:
            with store.unpublished():
                result = fill(store)
        finally:
            store.close()
    except BaseException:
        remove_database(temp)
        for d in made:  # innermost first; one another process has filled stays
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            result = merged(_merge_into(path, temp), result)
        except OSError:  # no hard links here (some network or FAT file systems)
            if path.exists():
                result = merged(_merge_into(path, temp), result)
            else:
                os.replace(temp, path)
    finally:
        remove_database(temp)
    return result


def _open(path: Path, seeded: bool) -> Store:
    if not seeded:
        return Store.open(path)
    from tracker.dataset import article_observations

    return Store.open(path, seed=article_observations)


def _merge_into(target: Path, built: Path) -> int:
    """Add the observations of a database built aside to one that appeared meanwhile;
    returns how many were new there."""
    source = Store.open(built)
    dest = Store.open(target)
    try:
        with source.snapshot():
            rows = list(source.iter_observations())
        added, _ = dest.insert(rows)
    finally:
        source.close()
        dest.close()
    return added


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):  # a cleanup must not hide the error that caused it
            Path(str(path) + suffix).unlink(missing_ok=True)
