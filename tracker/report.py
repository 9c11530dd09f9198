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
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from tracker.analysis import (
    CHANGE_SUFFIX,
    Change,
    Check,
    Series,
    Summary,
    check_stated,
    order_key,
    summarise,
)
from tracker.model import Observation
from tracker.terminal import json_visible, visible
from tracker.text import describe_change, human_value, signed_pct
from tracker.values import Value, float_text, format_value, parse_value, stored_text

_first = itemgetter(0)

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
    f, last, prev, base = s.first, s.last, s.previous, s.baseline
    return dict(zip(FIELDS, _values(
        s.series, s.n_observations, f.period.text, f.value.low, f.value.high,
        format_value(f.value), f.kind, last.period.text, last.value.low, last.value.high,
        format_value(last.value), last.kind, last.source, prev.period.text if prev else None,
        format_value(prev.value) if prev else None, format_value(base.value) if base else None,
        s.change, s.ratio_low, s.ratio_high, c,
    ), strict=True))  # fmt: skip


def _values(
    series: Series, n: int, first_date: str, first_low: float | None, first_high: float | None,
    first_value: str, first_kind: str, last_date: str, last_low: float | None,
    last_high: float | None, last_value: str, last_kind: str, source: str | None,
    prev_date: str | None, prev_value: str | None, base_value: str | None,
    ch: Change | tuple[float | None, ...],
    ratio_low: float | None, ratio_high: float | None, c: Check | None,
) -> list[Any]:  # fmt: skip
    """The one place a report row is laid out, in FIELDS order (from a Summary, or from
    a stored summary; the CSV path takes this list as it is)."""
    supplier, material, product, metric, unit = series
    return [
        supplier, material, product, metric, unit,
        first_date, first_low, first_high, last_date, last_low, last_high,
        ch[3], ch[4],  # low_pct, high_pct (indexed: a stored summary passes a plain tuple)
        first_value, first_kind, last_value, last_kind, ch[5],  # mid_pct
        ch[0], ch[1], ch[6], ch[7],  # low_abs, high_abs, at_least, at_most
        n, prev_date, prev_value, base_value, ratio_low, ratio_high,
        format_value(c.stated.value) if c else None,
        c.differences[0] if c and c.differences else None,
        c.differences[-1] if c and c.differences else None,
        c.status if c else None,
        source,
    ]  # fmt: skip


# --- from the stored summaries (tracker.store.state) ------------------------------------


def stored_rows(states: Iterable[tuple[Any, ...]], checks: Iterable[Check] = ()) -> list[list[Any]]:
    """Report rows (as lists in FIELDS order), in report order, from Store.state_rows:
    the rows build_rows gives for the summaries analysis.summary_of computes, read from
    series_state instead of computed again (the tests compare the two)."""
    by_series = {_series_of_check(c): c for c in checks if c.target is not None}
    keyed: list[tuple[str, list[Any]]] = []
    for r in states:
        series = r[1:6]
        supplier, material, product, metric, _ = series
        keyed.append((f"{order_key(*series)}\x00{r[0]:012d}", _values(
            series, r[6], r[7], r[8], r[9], stored_text(r[8], r[9], r[10], r[11]), r[12],
            r[13], r[14], r[15], stored_text(r[14], r[15], r[16], r[17]), r[18], r[19],
            r[20], None if r[20] is None else stored_text(r[21], r[22], r[23], r[24]),
            None if r[25] is None else stored_text(r[26], r[27], r[28], r[29]),
            r[30:38], r[38], r[39], by_series.get((supplier, material, product, metric)),
        )))  # fmt: skip
    keyed.sort(key=_first)
    return [row for _, row in keyed]


def to_csv(
    rows: Sequence[dict[str, Any]], excel: bool = False, fields: Sequence[str] = FIELDS
) -> str:
    """Unrounded numbers in their shortest exact form; the csv module writes None as empty.

    `fields` are the rows' keys in order: FIELDS, then any added (the rates of --currency).
    """
    return csv_head(excel, fields) + csv_body([r.values() for r in rows], excel, fields)


def csv_head(excel: bool = False, fields: Sequence[str] = FIELDS) -> str:
    """The header line (after a BOM for spreadsheets)."""
    from tracker.export import write_csv

    buf = io.StringIO(newline="")
    write_csv(buf, fields, [], excel=excel)
    return buf.getvalue()


def csv_body(
    rows: Iterable[Iterable[Any]], excel: bool = False, fields: Sequence[str] = FIELDS
) -> str:
    """The rows' CSV text, after the header."""
    if excel:  # as export --excel writes: text cells quoted and defused, numbers bare
        from tracker.export import excel_line

        kinds = EXCEL_KINDS if fields is FIELDS else [_excel_kind(f) for f in fields]
        return "".join([excel_line(r, kinds) for r in rows])
    texts: dict[float, str] = {}  # a report repeats its figures: each formatted once

    def text(x: float) -> str:
        got = texts.get(x)
        if got is None:
            got = texts[x] = float_text(x)
        return got

    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(
        [text(v) if v.__class__ is float else v for v in r] for r in rows
    )
    return buf.getvalue()


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
