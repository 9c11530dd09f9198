"""The store: observations kept in a database, one module per job.

- :mod:`~tracker.store.rows`: the one mapping of an Observation to its row and back;
- :mod:`~tracker.store.names`: suppliers, aliases, sources and series ids;
- :mod:`~tracker.store.writes`: inserts, bulk runs, corrections, retractions;
- :mod:`~tracker.store.reads`: filters and every read;
- :mod:`~tracker.store.sqlite`: the SQLite connection, schema upgrades and
  transactions (everything particular to SQLite), and :class:`Store`, which joins them.

The names here are what the rest of the package imports.
"""

from tracker.store.names import series_text_key
from tracker.store.reads import RAW_COLUMNS, Filters, parse_filter_dates
from tracker.store.rows import INSERT, StoredRow, observation, period_of, stored_row
from tracker.store.sqlite import Store, backup
from tracker.store.writes import now_utc

__all__ = [
    "INSERT",
    "RAW_COLUMNS",
    "Filters",
    "Store",
    "StoredRow",
    "backup",
    "now_utc",
    "observation",
    "parse_filter_dates",
    "period_of",
    "series_text_key",
    "stored_row",
]
