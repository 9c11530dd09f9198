"""Where files live (light: `tracker --help` imports it); tracker.output writes them."""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """Where the tracker keeps its database when neither --db nor TRACKER_DB is given."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "tracker.db"
