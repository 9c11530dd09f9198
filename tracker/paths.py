"""Where files live (light: `tracker --help` imports it); tracker.output writes them."""

from __future__ import annotations

import os
from pathlib import Path

from tracker.dburl import SCHEMES, redact, scheme_of
from tracker.errors import TrackerError, shown


def default_db_path() -> Path:
    """Where the tracker keeps its database when neither --db nor TRACKER_DB is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "tracker.db"


# Schemes a --db URL may use: a backend reached by URL goes here (tracker.dburl).
URL_SCHEMES: tuple[str, ...] = SCHEMES


def check_db(value: str, source: str = "--db") -> None:
    """Refuse a database name that is empty or a URL of no backend the tracker has, before
    anything is created (a SQLite path 'file:/x?mode=ro' would make a folder 'file:').
    `source` names where the value came from (--db, TRACKER_DB)."""
    forms = (
        "give a SQLite file path such as tracker.db or /data/tracker.db, or a server "
        "URL postgresql://user@host:port/dbname"
    )
    if not value.strip():
        raise TrackerError(f"{source} is empty; {forms}")
    scheme = scheme_of(value)
    if scheme is None and scheme_of(value.strip()):
        url = shown(redact(value.strip(), value.strip()), 60)
        raise TrackerError(
            f"{source} {url} is a URL with spaces around it; {forms} (write it without "
            f"the spaces, or ./{value} for a file of that name)"
        )
    if scheme and scheme not in URL_SCHEMES:
        url = shown(redact(value, value), 60)
        raise TrackerError(
            f"{source} {url} looks like a URL, which this tracker cannot open; {forms} "
            f"(./{value.split(':', 1)[0]}:... for a file whose name has a colon)"
        )
