"""The report: per series, first and latest figure and the change, as a table, CSV, JSON.

Rows come from :mod:`tracker.analysis`; this module only lays them out.  CSV
and JSON carry unrounded percentages (14.285714285714286) for machines; the
table rounds for people (+14.3%); the briefing (tracker.briefing) lays the
same rows out in HTML and Markdown.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import Any

from tracker.analysis import (
    CHANGE_SUFFIX,
    NO_CHANGE,
    Change,
    Check,
    Series,
    Summary,
    change,
    check_stated,
    key_of,
    order_key,
    ratio,
    summarise,
)
from tracker.model import Observation
from tracker.terminal import json_visible, visible
from tracker.text import describe_change, human_value, signed_pct
from tracker.values import Value, float_text, format_value, parse_value

FIELDS = (
    # the CONTRACT's columns first, in its order
    "supplier", "material", "product", "metric", "unit",
    "first_date", "first_low", "first_high", "last_date", "last_low", "last_high",
    "change_low_pct", "change_high_pct",
    # then the rest
    "first_value", "first_kind", "last_value", "last_kind", "change_mid_pct",
    "change_low_abs", "change_high_abs", "change_at_least_pct", "change_at_most_pct",
    "observations", "previous_date", "previous_value",
    "baseline_value", "ratio_low", "ratio_high",
    "stated_change", "stated_diff_low", "stated_diff_high", "stated_status",
    "source",
)  # fmt: skip


def _excel_kind(field: str) -> str:
    """How a report column goes into an --excel CSV (see tracker.export)."""
    from tracker.export import NUMBER, PLAIN, TEXT, VALUE

    if field.endswith("_value") or field == "stated_change":
        return VALUE  # grammar text: 16-20, >=6; a plain figure stays a number
    if field.endswith("_date"):
        return PLAIN
    if field.endswith(("_low", "_high", "_pct", "_abs", "_rate")) or field == "observations":
        return NUMBER
    return TEXT  # names, unit, kinds, status, source


EXCEL_KINDS = [_excel_kind(f) for f in FIELDS]


def build_rows(summaries: Iterable[Summary], checks: Iterable[Check] = ()) -> list[dict[str, Any]]:
    """One dict per series with every FIELDS key; numbers as float, missing as None.

    A stated change (a Check) is shown on the row of the series it checks.
    """
    by_series = {_series_of_check(c): c for c in checks if c.target is not None}
    return [_row(s, by_series.get((s.last.supplier, s.last.material, s.last.product, s.metric)))
            for s in summaries]  # fmt: skip


def rows_from_observations(observations: Iterable[Observation]) -> list[dict[str, Any]]:
    """Report rows straight from a list of observations (for notebooks and small data)."""
    obs = list(observations)
    return build_rows(summarise(obs), check_stated(obs))


def _series_of_check(c: Check) -> tuple[str | None, str, str | None, str]:
    assert c.target is not None
    t = c.target
    return (t.supplier, t.material, t.product, t.metric)


def _row(s: Summary, c: Check | None) -> dict[str, Any]:
    """A report row; keys in FIELDS order, so a CSV row is its values as they are."""
    f, last, prev = s.first, s.last, s.previous
    return _fields(
        s.series, f.period.text, f.value, f.kind, last.period.text, last.value, last.kind,
        s.change, s.n_observations, prev.period.text if prev else None,
        prev.value if prev else None, s.baseline.value if s.baseline else None, s.ratio_low,
        s.ratio_high, c, last.source,
    )  # fmt: skip


def _fields(*args: Any) -> dict[str, Any]:
    """A report row as a dict, keys in FIELDS order (see :func:`_values`)."""
    return dict(zip(FIELDS, _values(*args), strict=True))


def _values(
    series: Series, first_date: str, fv: Value, first_kind: str, last_date: str, lv: Value,
    last_kind: str, ch: Change, n: int, prev_date: str | None, pv: Value | None,
    base: Value | None, ratio_low: float | None, ratio_high: float | None, c: Check | None,
    source: str | None,
) -> list[Any]:  # fmt: skip
    """The one place a report row is laid out, in FIELDS order (from a Summary, or from
    raw rows; the CSV path takes this list as it is)."""
    supplier, material, product, metric, unit = series
    return [
        supplier, material, product, metric, unit,
        first_date, fv.low, fv.high, last_date, lv.low, lv.high,
        ch.low_pct, ch.high_pct,
        format_value(fv), first_kind, format_value(lv), last_kind, ch.mid_pct,
        ch.low_abs, ch.high_abs, ch.at_least, ch.at_most,
        n, prev_date, format_value(pv) if pv is not None else None,
        format_value(base) if base is not None else None, ratio_low, ratio_high,
        format_value(c.stated.value) if c else None,
        c.differences[0] if c and c.differences else None,
        c.differences[-1] if c and c.differences else None,
        c.status if c else None,
        source,
    ]  # fmt: skip


# --- the bulk path: the same rows from plain database rows -------------------------------

# store.RAW_COLUMNS: id, date, low, high, flags, special, kind, source
Raw = tuple[Any, ...]


def _raw_value(r: Raw) -> Value:
    f = r[4]
    return Value(r[2], r[3], bool(f & 1), bool(f & 2), bool(f & 4), r[5])


def raw_rows(
    groups: Iterable[tuple[int, int, tuple[Any, ...], list[Raw]]],
    normal: Mapping[tuple[str, str, str, str, str], Observation],
    checks: Iterable[Check] = (),
    as_lists: bool = False,
) -> list[tuple[str, Any]]:
    """(report order key, row) per series from Store.series_extremes_raw: the rows
    build_rows gives for the same series, without an Observation per candidate.

    Report rows for a million observations are mostly this loop, so it builds
    Values only for the rows it shows and shares every number and format with
    :func:`_row` (analysis.change, ratio, format_value), which the tests compare.
    """
    by_series = {_series_of_check(c): c for c in checks if c.target is not None}
    out: list[tuple[str, Any]] = []
    lay_out = _values if as_lists else _fields
    for n, sid, series, g in groups:  # g comes in analysis.ordered order
        first, last = g[0], g[-1]
        prev = g[-2] if n > 1 and len(g) > 1 else None
        fv, lv = _raw_value(first), _raw_value(last)
        supplier, material, product, metric, _ = series
        baseline = normal.get(key_of(*series))
        ch = change(fv, lv) if n > 1 else NO_CHANGE
        rl = rh = None
        if baseline is not None and last[0] != baseline.id and last[6] != "baseline":
            rl, rh = ratio(lv, baseline.value)
        row = lay_out(
            series, first[1], fv, first[6], last[1], lv, last[6], ch, n,
            prev[1] if prev else None, _raw_value(prev) if prev else None,
            baseline.value if baseline is not None else None, rl, rh,
            by_series.get((supplier, material, product, metric)), last[7],
        )  # fmt: skip
        out.append((f"{order_key(*series)}\x00{sid:012d}", row))
    return out


def to_csv(
    rows: Sequence[dict[str, Any]], excel: bool = False, fields: Sequence[str] = FIELDS
) -> str:
    """Unrounded numbers in their shortest exact form; the csv module writes None as empty.

    `fields` are the rows' keys in order: FIELDS, then any added (the rates of --currency).
    """
    return csv_head(excel, fields) + "".join(csv_lines([r.values() for r in rows], excel, fields))


def csv_head(excel: bool = False, fields: Sequence[str] = FIELDS) -> str:
    """The header line (after a BOM for spreadsheets)."""
    from tracker.export import write_csv

    buf = io.StringIO(newline="")
    write_csv(buf, fields, [], excel=excel)
    return buf.getvalue()


def csv_lines(
    rows: Iterable[Iterable[Any]], excel: bool = False, fields: Sequence[str] = FIELDS
) -> list[str]:
    """Each row's CSV text (a quoted cell may hold line breaks), so that lines made in
    two processes can be put in order together."""
    if excel:  # as export --excel writes: text cells quoted and defused, numbers bare
        from tracker.export import excel_line

        kinds = EXCEL_KINDS if fields is FIELDS else [_excel_kind(f) for f in fields]
        return [excel_line(r, kinds) for r in rows]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    cells = ([float_text(v) if v.__class__ is float else v for v in r] for r in rows)
    ends = list(accumulate(map(w.writerow, cells)))  # writerow returns the length written
    text = buf.getvalue()
    return [text[a:b] for a, b in zip([0, *ends], ends, strict=False)]


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as JSON; characters a terminal would act on are \\u-escaped (same data)."""
    return json_visible(json.dumps(list(rows), ensure_ascii=False, indent=2)) + "\n"


# --- for people ---------------------------------------------------------------


def change_text(r: dict[str, Any]) -> str:
    """The change as a person reads it, from a report row."""
    ch = Change(r["change_low_abs"], r["change_high_abs"], None, r["change_low_pct"],
                r["change_high_pct"], r["change_mid_pct"], r["change_at_least_pct"],
                r["change_at_most_pct"])  # fmt: skip
    return describe_change(ch, r["observations"])


def note_text(r: dict[str, Any]) -> str:
    parts = []
    if r["ratio_low"] is not None or r["ratio_high"] is not None:
        parts.append(f"{_ratio_text(r)} ({r['baseline_value']})")
    if r["stated_change"] is not None:
        mark = {"ok": "ok", "differs": "DIFFERS"}.get(r["stated_status"], "not checkable")
        parts.append(f"stated {r['stated_change']}%: {mark}")
    return "; ".join(parts)


SECTIONS = (("Lead times", ("lead_time",)), ("Prices", ("price",)))


def _sections(rows: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Lead times, prices, then other metrics; stated *_change rows shown beside their series."""
    checked = {(r["supplier"], r["material"], r["product"], r["metric"] + CHANGE_SUFFIX)
               for r in rows if r["stated_change"] is not None}  # fmt: skip
    out = []
    used: set[int] = set()
    for title, metrics in SECTIONS:
        sel = [r for r in rows if r["metric"] in metrics]
        used.update(id(r) for r in sel)
        if sel:
            out.append((title, sel))
    rest = [r for r in rows if id(r) not in used and _key(r) not in checked]
    if rest:
        out.append(("Other figures", rest))
    return out


def _key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["supplier"], r["material"], r["product"], r["metric"])


def _item(r: dict[str, Any], with_metric: bool) -> str:
    parts = [r["material"], r["product"] or ""]
    if with_metric:
        parts.append(r["metric"])
    return " ".join(p for p in parts if p)


def to_table(rows: Sequence[dict[str, Any]], width: int = 80) -> str:
    """A short card per series, in sections: lead times, prices, other figures.

    A card per series fits 80 columns whatever the value's length:
    its name, then first, previous and latest figure with date, the change
    beside the latest, and the baseline ratio and the stated change below.
    """
    from tracker.table import clip

    if not rows:
        return "No observations match."
    blocks = []
    for title, sel in _sections(rows):
        lines = [title]
        for r in sel:
            metric = f"{r['metric']}: " if title == "Other figures" else ""
            name = f"  {metric}{r['supplier'] or '(market)'}, {_item(r, False)}"
            lines.append(clip(visible(name), width))
            unit = r["unit"]
            if r["observations"] > 1:
                first = human_value(_value_of(r, "first"), unit) + _kind(r["first_kind"])
                lines.append(f"    {r['first_date']:<11} {first}")
                if r["observations"] > 2 and r["previous_date"]:
                    prev = human_value(parse_value(r["previous_value"]), unit)
                    lines.append(f"    {r['previous_date']:<11} {prev}")
            latest = human_value(_value_of(r, "last"), unit)
            change = change_text(r) if r["observations"] > 1 else ""
            lines.append(
                f"    {r['last_date']:<11} {latest + _kind(r['last_kind']):<28} {change}".rstrip()
            )
            if r["baseline_value"] is not None:
                base = human_value(parse_value(r["baseline_value"]), unit)
                lines.append(f"    {'normal':<11} {base:<28} {_ratio_text(r)}".rstrip())
            if r["stated_change"] is not None:
                verdict = _VERDICTS.get(r["stated_status"], "not checkable")
                lines.append(f"    {'stated':<11} {r['stated_change'] + '%':<28} {verdict}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


_VERDICTS = {"ok": "ok, within rounding", "differs": "DIFFERS from the figures"}


def _kind(kind: str) -> str:
    return "" if kind == "observed" else f" ({kind})"


def _ratio_text(r: dict[str, Any]) -> str:
    lo, hi = r["ratio_low"], r["ratio_high"]
    if lo is not None and hi is not None and abs(lo - hi) < 0.05:
        return f"now {lo:.1f}× normal"
    return f"now {_opt(lo)}-{_opt(hi)}× normal"


def _opt(x: float | None) -> str:
    return "?" if x is None else f"{x:.1f}"


def _value_of(r: dict[str, Any], which: str) -> Value:
    return parse_value(r[f"{which}_value"])


def checks_table(checks: Sequence[Check]) -> str:
    """`tracker verify` output: one line per stated change."""
    from tracker.table import render

    rows = []
    for c in checks:
        s = c.stated
        item = " ".join(x for x in (s.supplier or "(market)", s.material, s.product or "") if x)
        computed = "—"
        if c.target is not None and c.base is not None:
            lo, hi = c.computed.low_pct, c.computed.high_pct
            computed = (signed_pct(lo) if lo == hi or hi is None else
                        f"{signed_pct(lo)} / {signed_pct(hi)}")  # fmt: skip
            computed += f" ({format_value(c.base.value)} → {format_value(c.target.value)})"
        diff = ", ".join(f"{d:+.2f}" for d in c.differences) if c.differences else ""
        rows.append([c.status.upper(), item, s.metric, f"{format_value(s.value)}%", computed, diff])
    return render(["status", "series", "metric", "stated", "computed", "diff (pts)"], rows)
