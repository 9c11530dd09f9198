"""The briefing: `report --format html` (one file to send as it is) and `--format markdown`.

Why a module of its own: the terminal report is for the analyst, the briefing for
whoever the analyst sends it to, who has only the file.  So it says what it is (a
title, the as-of date, the filters, the sources), shows each figure with its date
(first and latest, so "+300%" has a period) and its kind (a forecast is marked, never
read as a fact), names metrics in words, and lays numbers out to be compared:
right-aligned, dates never wrapped.  Charts carry their titles, not file names.

The HTML is one self-contained file: styles inline, charts as data URIs, no link to
anything outside it; printed from a browser it fits A4 landscape (a chart at full
width keeps its legend legible), with table headers repeated and no row split.
Layout only: rows come from tracker.report (and tracker.currency), never recomputed.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from tracker.dates import parse_period
from tracker.terminal import visible
from tracker.text import human_value
from tracker.values import parse_value

TITLE = "Lead times and prices"
KIND_MARKS = {"baseline": "normal level", "announced": "announced", "forecast": "forecast"}
METRIC_WORDS = {"lead_time": "lead time", "price": "price", "capacity": "capacity"}


class Chart(NamedTuple):
    """A chart of the briefing.

    Attributes:
        title: what it shows ('MGC: lead time'), the heading and the alt text.
        path: the file it was drawn into (linked from Markdown, inlined in HTML).
    """

    title: str
    path: Path


class Meta(NamedTuple):
    """What the briefing says about itself.

    Attributes:
        filters: the filters as typed ('--supplier MGC'), '' for everything.
        made: the day it was made.
        notes: lines shown under the title (the rates of --currency).
    """

    filters: str = ""
    made: date | None = None
    notes: Sequence[str] = ()


def metric_words(metric: str) -> str:
    """'lead_time' -> 'lead time', 'china_market_share' -> 'China market share'."""
    words = METRIC_WORDS.get(metric) or metric.replace("_", " ")
    return "China" + words[5:] if words.startswith("china") else words


def chart_titles(paths: Iterable[Path], suppliers: Iterable[str | None]) -> list[Chart]:
    """A title per chart file, from the names tracker.charts gives them
    (``<supplier stem>_<metric>``, ``overview_<metric>``); a file of another name is
    titled by its name, tidied."""
    from tracker.charts import MARKET_WIDE, chart_stems

    by_stem = {stem: name for name, stem in chart_stems(suppliers).items()}
    out = []
    for p in paths:
        head, _, metric = p.stem.partition("_")
        words = metric_words(metric) if metric else ""
        if head == "overview" and metric:
            title = f"All suppliers: {words}"
        elif head in by_stem and metric:
            title = f"{by_stem[head] or MARKET_WIDE}: {words}"
        else:
            title = p.stem.replace("_", " ").replace("-", " ")
        out.append(Chart(visible(title), p))
    return out


def as_of(rows: Sequence[dict[str, Any]]) -> str:
    """The date of the latest figure that is not announced or forecast ('' if none)."""
    dates = [r["last_date"] for r in rows if r["last_kind"] in ("observed", "baseline")]
    dates += [r["first_date"] for r in rows if r["first_kind"] in ("observed", "baseline")]
    if not dates:
        return ""
    return max(dates, key=lambda d: (parse_period(d, stored=True).start, len(d)))


def sources(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The sources of the figures shown, in order of first use (numbered [1], [2] ...)."""
    return list(dict.fromkeys(r["source"] for r in rows if r["source"]))


# --- cells, shared by both formats ------------------------------------------------------------


class Cells(NamedTuple):
    who: str
    what: str
    first_date: str
    first: str
    first_kind: str
    last_date: str
    last: str
    last_kind: str
    change: str
    note: str
    source: int | None


def _cells(r: dict[str, Any], other: bool, numbers: dict[str, int]) -> Cells:
    from tracker.report import change_text, note_text

    item = " ".join(p for p in (r["material"], r["product"]) if p)
    what = f"{metric_words(r['metric'])}: {item}" if other else item
    more = r["observations"] > 1
    unit = r["unit"]
    first = human_value(parse_value(r["first_value"]), unit) if more else ""
    note = note_text(r)
    if r.get("entered_unit"):  # converted by --currency: the entered currency stays in view
        note = "; ".join(x for x in (note, f"entered in {r['entered_unit']}") if x)
    return Cells(
        r["supplier"] or "(market-wide)", what,
        r["first_date"] if more else "", first, r["first_kind"] if more else "",
        r["last_date"], human_value(parse_value(r["last_value"]), unit), r["last_kind"],
        change_text(r) if more else "", note,
        numbers.get(r["source"]) if r["source"] else None,
    )  # fmt: skip


def _mark(kind: str) -> str:
    return KIND_MARKS.get(kind, "")


def _header_lines(rows: Sequence[dict[str, Any]], meta: Meta) -> list[str]:
    made = (meta.made or date.today()).isoformat()
    when = as_of(rows)
    line = f"As of {when} (latest observed figure)" if when else "No observed figures"
    line += f" · made {made}"
    if meta.filters:
        line += f" · filters: {meta.filters}"
    return [line]


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
 color:#1b1f24;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
h1{font-size:1.7rem;margin:0 0 .3rem}
h2{font-size:1.25rem;margin:1.8rem 0 .5rem;border-bottom:1px solid #ccd3dc}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
.meta,.notes{color:#4a5563;margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border-bottom:1px solid #e1e6ec;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#eef2f6;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.d,th.d{white-space:nowrap;font-variant-numeric:tabular-nums}
td.n{white-space:nowrap}
td:first-child{white-space:nowrap}td:nth-child(2){min-width:10em}td:nth-child(8){min-width:12em}
.kind{display:inline-block;margin-left:.3em;padding:0 .35em;border-radius:.3em;
 font-size:.78em;font-style:italic;background:#fff3d6;color:#6b4e00;white-space:nowrap}
sup{color:#4a5563}
figure{margin:1rem 0 2rem;break-inside:avoid}
figure img{display:block;width:100%;max-width:60rem;height:auto}
figcaption{font-weight:600;margin-bottom:.3rem}
ol.sources{padding-left:1.5rem}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}
 thead{display:table-header-group}tr{break-inside:avoid}h2,h3{break-after:avoid}
 figure img{max-width:100%}}
"""


def to_html(rows: Sequence[dict[str, Any]], charts: Sequence[Chart] = (),
            meta: Meta | None = None) -> str:  # fmt: skip
    """One self-contained HTML file: title, as-of, tables per section, charts, sources."""
    from tracker.report import _sections

    meta = meta or Meta()
    e = html.escape
    srcs = sources(rows)
    numbers = {s: i for i, s in enumerate(srcs, 1)}
    parts = ["<!doctype html>", "<html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             f"<title>{e(TITLE)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(TITLE)}</h1>"]  # fmt: skip
    parts += [f"<p class='meta'>{e(visible(line))}</p>" for line in _header_lines(rows, meta)]
    parts += [f"<p class='notes'>{e(visible(n))}</p>" for n in meta.notes]
    if not rows:
        parts.append("<p>No observations match.</p>")
    for title, sel in _sections(rows):
        parts.append(f"<h2>{e(title)}</h2><table><thead><tr><th>Supplier</th><th>Item</th>"
                     "<th class='d'>First date</th><th class='n'>First</th>"
                     "<th class='d'>Latest date</th><th class='n'>Latest</th>"
                     "<th class='n'>Change</th><th>Note</th><th>Source</th></tr></thead>"
                     "<tbody>")  # fmt: skip
        for r in sel:
            c = _cells(r, title == "Other figures", numbers)
            src = f"<sup>[{c.source}]</sup>" if c.source else ""
            parts.append(
                f"<tr><td>{e(visible(c.who))}</td><td>{e(visible(c.what))}</td>"
                f"<td class='d'>{e(c.first_date)}</td>"
                f"<td class='n'>{_html_value(c.first, c.first_kind)}</td>"
                f"<td class='d'>{e(c.last_date)}</td>"
                f"<td class='n'>{_html_value(c.last, c.last_kind)}</td>"
                f"<td class='n'>{e(c.change)}</td><td>{e(visible(c.note))}</td>"
                f"<td>{src}</td></tr>"
            )
        parts.append("</tbody></table>")
    if charts:
        parts.append("<h2>Charts</h2>")
        for chart in charts:
            parts.append(
                f"<figure><figcaption>{e(chart.title)}</figcaption><img "
                f"alt='{e(chart.title)}' src='{_data_uri(chart.path)}'></figure>"
            )
    if srcs:
        parts.append("<h2>Sources</h2><ol class='sources'>")
        parts += [f"<li>{e(visible(s))}</li>" for s in srcs]
        parts.append("</ol>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_value(text: str, kind: str) -> str:
    mark = _mark(kind)
    out = html.escape(visible(text))
    return out + (f"<span class='kind'>{html.escape(mark)}</span>" if mark else "")


def _data_uri(path: Path) -> str:
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# --- Markdown ---------------------------------------------------------------------------------


def to_markdown(rows: Sequence[dict[str, Any]], charts: Sequence[tuple[str, str]] = (),
                meta: Meta | None = None) -> str:  # fmt: skip
    """The same briefing in Markdown; `charts` are (title, relative link) pairs."""
    from tracker.report import _sections

    meta = meta or Meta()
    srcs = sources(rows)
    numbers = {s: i for i, s in enumerate(srcs, 1)}
    lines = [f"# {TITLE}", ""]
    lines += [f"{_md(line)}  " for line in _header_lines(rows, meta)]
    lines += [f"{_md(n)}  " for n in meta.notes]
    lines.append("")
    if not rows:
        lines += ["No observations match.", ""]
    for title, sel in _sections(rows):
        lines += [f"## {title}", "",
                  "| supplier | item | first date | first | latest date | latest | change | "
                  "note | source |",
                  "|---|---|---|--:|---|--:|--:|---|---|"]  # fmt: skip
        for r in sel:
            c = _cells(r, title == "Other figures", numbers)
            cells = [c.who, c.what, c.first_date, _md_value(c.first, c.first_kind), c.last_date,
                     _md_value(c.last, c.last_kind), c.change, c.note,
                     f"[{c.source}]" if c.source else ""]  # fmt: skip
            lines.append("| " + " | ".join(_md(x) for x in cells) + " |")
        lines.append("")
    if charts:
        lines += ["## Charts", ""]
        for title, link in charts:
            lines += [f"### {_md(title)}", "", f"![{_md(title)}]({link})", ""]
    if srcs:
        lines += ["## Sources", ""]
        lines += [f"{i}. {_md(s)}" for i, s in enumerate(srcs, 1)]
        lines.append("")
    return "\n".join(lines)


def _md_value(text: str, kind: str) -> str:
    mark = _mark(kind)
    return f"{text} *({mark})*" if mark and text else text


def _md(text: str) -> str:
    return visible(text).replace("|", "\\|")
