"""The store: observations kept in a database, one module per job (rows, names, writes,
reads, state; sqlite joins them onto a connection; see docs/design.md).  The names here
are what the rest of the package imports."""

from tracker.store.names import series_text_key
from tracker.store.reads import Filters, parse_filter_dates
from tracker.store.rows import INSERT, StoredRow, observation, period_of, stored_row
from tracker.store.sqlite import Store, backup
from tracker.store.writes import now_utc

__all__ = [
    "INSERT",
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
