"""tracker: prices and lead times of electronic materials, from the news to a chart.

    >>> import tracker
    >>> store = tracker.open_store()
    >>> tracker.report_rows(store)   # what `tracker report` prints, from the same code
    >>> tracker.summaries(store)     # first, previous, latest and baseline per series
    >>> df = tracker.load()          # every observation, as a DataFrame

Only light modules load here; pandas and matplotlib load inside the functions
that need them, so the CLI starts fast.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.api import (
        add_observation,
        export_csv,
        import_files,
        list_observations,
        load,
        open_store,
        report_rows,
        seed,
        summaries,
    )
    from tracker.dates import Period, parse_period
    from tracker.errors import ParseError, Problem, TrackerError, ValidationError
    from tracker.model import Observation
    from tracker.store import Filters, Store
    from tracker.units import Unit, parse_unit
    from tracker.values import Value, format_value, parse_value

# name -> module: loaded on first use, so `import tracker` (and `tracker --help`) stays fast
_LAZY = {
    "add_observation": "api", "export_csv": "api", "import_files": "api",
    "list_observations": "api", "load": "api", "open_store": "api", "seed": "api",
    "report_rows": "api", "summaries": "api",
    "Period": "dates", "parse_period": "dates",
    "ParseError": "errors", "Problem": "errors", "TrackerError": "errors",
    "ValidationError": "errors", "Observation": "model", "Filters": "store", "Store": "store",
    "Unit": "units", "parse_unit": "units",
    "Value": "values", "format_value": "values", "parse_value": "values",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"tracker.{module}"), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "Filters",
    "Observation",
    "ParseError",
    "Period",
    "Problem",
    "Store",
    "TrackerError",
    "Unit",
    "ValidationError",
    "Value",
    "__version__",
    "add_observation",
    "export_csv",
    "format_value",
    "import_files",
    "list_observations",
    "load",
    "open_store",
    "parse_period",
    "parse_unit",
    "parse_value",
    "report_rows",
    "seed",
    "summaries",
]
