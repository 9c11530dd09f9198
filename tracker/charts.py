"""Charts of lead times and prices: one per supplier and metric, one overview per metric.

Which chart a reader gets depends on what the figures can show:

* a **ranked range chart** (one row per series, a value axis) where every series has
  one dated figure, a snapshot such as an article's "MGC 16-20 weeks, Resonac >=6":
  a time axis would spread figures of one date apart or leave one dot in an empty
  frame.  Every overview is one too: each series' latest figure, ranked, with the
  first in a light shade, so an overview never repeats a supplier's chart;
* a **trend** on a time axis for a supplier with up to six series;
* **small multiples**, one panel per series, for a supplier with more.

At most about a dozen series go in a chart (the largest movers; a note counts the
rest), so a feed of ten thousand series still gives legible charts.  The marks
are in :mod:`tracker.chartdraw`; fonts and Chinese text in :mod:`tracker.chartfonts`.
Labels come from :func:`tracker.analysis.summary_of`, as ``tracker report``'s do.

matplotlib is imported inside the functions, so ``import tracker.charts`` stays
cheap, and only its object API is used (``Figure`` + Agg): no pyplot, no global
state (rcParams only inside ``rc_context``), nothing printed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.analysis import Summary, group, series_key, summary_of
from tracker.chartdraw import (
    BAND_ALPHA,
    CURRENCY_NOTE,
    Line,
    day_text,
    draw_rows,
    draw_series,
    number_formatter,
    rows_of,
    value_text,
)
from tracker.chartfiles import SAFE_STEM, chart_stems, save, supplier_order, write_contact_sheet
from tracker.chartfonts import (
    CJK_FONTS,
    cjk_font,
    clean_text,
    drawable_alone,
    families,
    missing_font_notice,
)
from tracker.dates import LAST_YEAR
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.output import prepare_folder
from tracker.text import describe_change, human_value
from tracker.values import MAX_MAGNITUDE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BAND_ALPHA",
    "CJK_FONTS",
    "CURRENCY_NOTE",
    "FORMATS",
    "METRICS",
    "PALETTE",
    "chart_stems",
    "cjk_font",
    "clean_text",
    "draw_chart",
    "drawable",
    "render_charts",
    "series_label",
    "supplier_colours",
]  # fmt: skip

METRICS = {"lead_time": "lead time", "price": "price"}  # charted metrics, in output order
FORMATS = ("png", "svg")
FIGSIZE = (10.0, 5.6)  # inches: 16:9, readable on a slide
MAX_SERIES = 12  # rows of a ranked chart, panels of small multiples: "about a dozen"
MAX_LINES = 6  # series on one time axis; more become small multiples
MARKET_WIDE = "Market-wide"
MARKET_COLOUR = "#555555"
# tab10 without its grey (kept for market-wide figures), then the lighter tab20 shades.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
           "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")  # fmt: skip
_MARKERS = ("o", "s", "D", "P", "X", "h", "*")
_LINESTYLES = ("-", ":", "-.")
_KEY = {"span": "bar: the month/quarter/year a figure covers",
        "range": "band: range, lines join bound to bound", "bar": "band: range",
        "open": "arrow: open bound",
        "allocation": "allocation: no date quoted", "baseline": "dashed: normal level",
        "normal": "ticks: stated normal level",
        "first": "light: first figure, arrow: move to latest",
        "hollow": "hollow: announced/forecast"}  # fmt: skip


def render_charts(
    observations: Sequence[Observation],
    out_dir: Path,
    fmt: str = "png",
    dpi: int = 150,
    progress: Callable[[Path], None] | None = None,
    metrics: Sequence[str] = tuple(METRICS),
    database: str | None = None,
    *,
    notice: Callable[[str], None] | None = None,
    contact_sheet: bool = False,
) -> list[Path]:
    """Write every chart into `out_dir` and return the paths, lead time first, then price.

    `metrics` narrows the charted metrics (a `--metric price` run draws no
    lead-time overview).  `notice` gets a one-line message when Chinese text has
    no font to draw it.  With `contact_sheet`, an ``index.html`` showing every
    chart is written too, and its path comes last.

    Per metric: one chart per supplier (sorted, market-wide last), then the
    overview.  The overview of each metric is always written, with a note when
    there is nothing to show, so ``overview_<metric>`` can be relied on.  A
    market-wide chart that would only repeat the overview is not written.
    """
    if fmt not in FORMATS:
        raise TrackerError(f"unknown chart format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise TrackerError(f"dpi {dpi!r} is out of range (use a whole number from 20 to 1200)")
    charted = [m for m in METRICS if m in metrics]
    by_metric: dict[str, dict[str | None, list[Observation]]] = {m: {} for m in charted}
    for o in observations:
        if o.metric in by_metric:
            by_metric[o.metric].setdefault(o.supplier, []).append(o)
    chosen = [o for o in observations if o.metric in by_metric]
    drawable(chosen)  # the first beyond reach in the order given is the one named
    out_dir = prepare_folder(out_dir)  # never a link (tracker.output)
    if notice is not None:
        message = missing_font_notice(t for o in chosen for t in _texts(o))
        if message:
            notice(message)
    from matplotlib import rc_context

    colours = supplier_colours(observations)
    stems = chart_stems(o.supplier for o in observations)
    written: list[Path] = []
    titles: list[tuple[str, str]] = []
    fig = None  # one figure, drawn in again for each chart: what it measured stays known
    for metric in charted:
        groups = by_metric[metric]
        suppliers = sorted(groups, key=supplier_order)
        plan = [(f"{stems[s]}_{metric}", groups[s], False) for s in suppliers]
        if suppliers == [None] and is_snapshot(groups[None]):
            plan = []  # market-wide alone, one date: that chart is the overview itself
        plan.append((f"overview_{metric}", [o for s in suppliers for o in groups[s]], True))
        for stem, chart_obs, overview in plan:
            if not SAFE_STEM.match(stem):  # pragma: no cover - chart_stems guarantees it
                raise TrackerError(f"unsafe chart file name '{stem}'")
            fig = draw_chart(chart_obs, metric, colours, overview, stems, dpi, into=fig)
            path = out_dir / f"{stem}.{fmt}"
            with rc_context({"text.hinting": "no_hinting"}):  # text sized and drawn 1/3 faster
                save(fig, path, fmt, dpi, database)
            written.append(path)
            titles.append((metric, fig.texts[0].get_text()))
            if progress is not None:
                progress(path)
    if contact_sheet:
        written.append(write_contact_sheet(out_dir, written, titles, METRICS, database))
    return written


def _texts(o: Observation) -> tuple[str | None, ...]:
    return (o.supplier, o.material, o.product, o.unit, o.source)


def is_snapshot(observations: Iterable[Observation]) -> bool:
    """True when no series has more than one dated figure (normal levels aside)."""
    counts = Counter(series_key(o) for o in observations if o.kind != "baseline")
    return all(n <= 1 for n in counts.values())


def drawable(observations: Iterable[Observation]) -> None:
    """Raise TrackerError for a figure no chart can hold: a value beyond ±1e15 or a year
    after 2999, which import refuses but a database from before may hold (an axis of
    1.5e308 is infinite; 9999-12-31 has no day after it)."""
    for o in observations:
        bounds = [b for b in (o.value.low, o.value.high) if b is not None]
        if any(not abs(b) <= MAX_MAGNITUDE for b in bounds) or o.period.end.year > LAST_YEAR:
            raise TrackerError(
                f"observation {o.id}: {o.period.text} {human_value(o.value, o.unit)} is beyond "
                f"what a chart can draw (±{MAX_MAGNITUDE:.0e}, years to {LAST_YEAR}); "
                f"correct it with `tracker correct {o.id}`"
            )


def supplier_colours(observations: Iterable[Observation]) -> dict[str | None, str]:
    """One colour per supplier, from the sorted names, so a supplier looks the same everywhere."""
    names = sorted({o.supplier for o in observations} - {None}, key=supplier_order)
    colours: dict[str | None, str] = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    colours[None] = MARKET_COLOUR
    return colours


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _supplier_name(name: str | None, stems: dict[str | None, str]) -> str:
    """A supplier as shown; two unreadable names get the stem of their files to tell them apart."""
    if name is None:
        return MARKET_WIDE
    shown = clean_text(name, "name", f", {stems.get(name) or chart_stems([name])[name]}")
    return _shorten(shown, 40) or "(unnamed supplier)"


# --- labels -----------------------------------------------------------------


def series_label(s: Summary, supplier: str | None = None) -> str:
    """Legend text: ``glass cloth Low-Dk:`` over ``320000-350000 CNY/t (+14.3% / +16.7%)``."""
    change = describe_change(s.change, s.n_observations)
    change = "" if change in ("—", "n/a") or CURRENCY_NOTE.get() else f"({change})"
    latest = f"{human_value(s.last.value, clean_text(s.series[4]))} {change}".strip()
    return f"{_series_name(s.last, supplier)}:\n{latest}"


def _series_name(o: Observation, supplier: str | None = None, short: bool = False) -> str:
    parts = [o.product] if short and o.product else [o.material, o.product]
    name = " ".join(clean_text(p) for p in parts if p)
    return _shorten(f"{supplier} · {name}" if supplier else name, 46)


# --- one chart ----------------------------------------------------------------


def draw_chart(observations: Sequence[Observation], metric: str, colours: dict[str | None, str],
               overview: bool = False, stems: dict[str | None, str] | None = None,
               dpi: int = 150, into: Figure | None = None, *,
               kind: str | None = None) -> Figure:  # fmt: skip
    """One chart of `metric` as a Figure: ranked, trend or small multiples (see the module).

    Public so that a notebook can draw one chart and adjust it before saving.  `into` is a
    figure of an earlier chart to clear and draw in again, instead of a new one.  `kind`
    forces ``ranked``, ``trend`` or ``multiples`` instead of the choice made from the data.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    stems = stems if stems is not None else chart_stems(o.supplier for o in observations)
    fig = into if into is not None else FigureCanvasAgg(Figure(figsize=FIGSIZE, dpi=dpi)).figure
    fig.set_dpi(dpi)
    name = METRICS.get(metric, metric.replace("_", " "))
    suppliers = sorted({o.supplier for o in observations}, key=supplier_order)
    who = "All suppliers" if overview else _supplier_name(next(iter(suppliers), None), stems)
    lines = _lines(observations, colours, stems, overview)
    if not lines:
        _clear(fig)
        _title(fig, f"{who} — {name}")
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No {name} observations to chart.", ha="center", family=families())
        return fig
    if kind is None:
        single = is_snapshot(observations)
        kind = "ranked" if overview or single else "trend" if len(lines) <= MAX_LINES else (
            "multiples")  # fmt: skip
    shown: set[str] = set()
    if kind != "multiples":  # which keeps the panels of a chart of the same shape
        _clear(fig)
    if kind == "ranked":
        title, hidden = _ranked(fig, lines, name, shown)
        title = f"{who} — {title}"
    elif kind == "multiples":
        title, hidden = _multiples(fig, lines, name, shown)
        title = f"{who} — {title}"
    else:
        hidden = _trend(fig, lines, name, shown)
        title = f"{who} — {name}{_materials(observations)}"
    _title(fig, title)
    note = _footnote(observations, shown, hidden, kind)
    fig.supxlabel(note, x=0.01, ha="left", fontsize=7, color="0.35", family=families())
    return fig


def _clear(fig: Figure) -> None:
    for ax in fig.axes:  # an earlier chart's: dropped as clear() would, but not cleared first
        fig.delaxes(ax)
    fig.clear()
    fig._tracker_dates = False  # type: ignore[attr-defined]
    fig._tracker_grid = None  # type: ignore[attr-defined]
    fig.set_size_inches(*FIGSIZE)
    fig.set_layout_engine("constrained")


def _title(fig: Figure, title: str) -> None:
    if drawable_alone(title):  # bold without a fallback font: a CJK font may lack bold
        fig.suptitle(title, family=families()[:1], fontsize=14, fontweight="bold")
    else:
        fig.suptitle(title, family=families(), fontsize=14, fontweight="normal")  # reused: reset


def _materials(observations: Sequence[Observation]) -> str:
    materials = sorted({clean_text(o.material) for o in observations}, key=str.casefold)
    what = ", ".join(materials)
    if len(what) > 48:
        what = f"{', '.join(materials[:2])}, +{len(materials) - 2} more"
    return f" ({what})" if what else ""


def _lines(observations: Sequence[Observation], colours: dict[str | None, str],
           stems: dict[str | None, str], overview: bool) -> list[Line]:  # fmt: skip
    """A Line per series, in report order.  An overview colours by supplier (each supplier
    as on every chart); a supplier's chart gives each series its own colour, its first
    in the supplier's."""
    lines: list[Line] = []
    per_supplier: Counter[str | None] = Counter()
    for obs in group(observations).values():
        regular = [o for o in obs if o.kind != "baseline"]
        baselines = [o for o in obs if o.kind == "baseline"]
        base = baselines[-1] if baselines else None
        summary = summary_of(regular, len(regular), base)
        first = obs[0]
        i = per_supplier[first.supplier]
        per_supplier[first.supplier] += 1
        own = colours.get(first.supplier, MARKET_COLOUR)
        if overview:
            colour = own
        else:
            others = [c for c in PALETTE if c != own]
            colour = own if i == 0 else others[(i - 1) % len(others)]
        prefix = _supplier_name(first.supplier, stems) if overview else None
        lines.append(Line(first.supplier, _series_name(first, prefix),
                          _series_name(first, short=True), first.unit, regular, base, summary,
                          colour, _MARKERS[i % len(_MARKERS)],
                          _LINESTYLES[i % len(_LINESTYLES)]))  # fmt: skip
    return lines


def _move(line: Line) -> float:
    """How far a series moved, in percent, by its largest stated bound; -1 if it cannot say."""
    s = line.summary
    if s is None or s.n_observations < 2:
        return -1.0
    c = s.change
    moves = [abs(p) for p in (c.low_pct, c.high_pct, c.mid_pct, c.at_least, c.at_most)
             if p is not None]  # fmt: skip
    return max(moves, default=-1.0)


def _select(lines: Sequence[Line], limit: int = MAX_SERIES) -> tuple[list[Line], int]:
    """At most `limit` series: the largest movers (or, where none moved, the highest
    figures), in their original order; and how many were left out."""
    if len(lines) <= limit:
        return list(lines), 0
    from tracker.chartdraw import rank_value

    order = sorted(range(len(lines)), key=lambda i: (-_move(lines[i]), -rank_value(lines[i])))
    keep = sorted(order[:limit])
    return [lines[i] for i in keep], len(lines) - limit


def _ranked(fig: Figure, lines: Sequence[Line], name: str, shown: set[str]) -> tuple[str, int]:
    """One row per series, ranked, one stacked axes per unit; the figure as tall as its rows."""
    chosen, hidden = _select(lines)
    units = sorted({line.unit for line in chosen})
    per_unit = [(u, rows_of([line for line in chosen if line.unit == u])) for u in units]
    total = sum(len(rows) for _, rows in per_unit)
    fig.set_size_inches(FIGSIZE[0], min(FIGSIZE[1], max(2.3, 1.6 + 0.34 * total
                                                        + 0.7 * (len(units) - 1))))  # fmt: skip
    ratios = [len(rows) + 1.2 for _, rows in per_unit]  # a row's height, whatever the unit
    with _born_styled("x", left=False):
        axes = fig.subplots(len(units), 1, squeeze=False, gridspec_kw={"height_ratios": ratios})
    dates = {line.obs[-1].period for line in chosen if line.obs}
    for ax, (unit, rows) in zip(axes[:, 0], per_unit, strict=True):
        top = draw_rows(ax, rows, shown, dated=len(dates) > 1)
        _style_ranked(ax, rows, top, unit, name, shown)
    since = " and change since the first figure" if "first" in shown else ""
    if len(dates) == 1:
        return f"{name} on {day_text(next(iter(dates)))}{since}", hidden
    return f"{name}: latest figures{since}" + (", largest movers" if hidden else ""), hidden


def _style_ranked(ax: Axes, rows: Sequence[Any], top: float, unit: str, name: str,
                  shown: set[str]) -> None:  # fmt: skip
    """Names on the left, the value axis from zero with room for arrows, no frame."""
    from matplotlib.ticker import MaxNLocator

    n = len(rows)
    ax.set_ylim(-0.6, n - 0.4)
    labels = [
        (row.line.name if not row.normal else "normal level" if row.line.obs
         else f"{row.line.name}: normal level")  # no row of its own above to say whose
        for row in reversed(rows)
    ]  # fmt: skip
    ax.set_yticks(range(n), labels, family=families(), fontsize=9)
    for label, row in zip(ax.get_yticklabels(), reversed(rows), strict=True):
        if row.normal:
            label.set_color(row.line.colour)
            label.set_fontstyle("italic")
    ax.tick_params(axis="y", length=0)
    headroom = 1.25 if {"open", "first"} & shown else 1.08
    ax.set_xlim(0, top * headroom if top > 0 else 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(6 if top < 1000 else 5, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(number_formatter(top))
    ax.set_xlabel(f"{name.capitalize()} ({clean_text(unit)})", family=families())


def _trend(fig: Figure, lines: Sequence[Line], name: str, shown: set[str]) -> int:
    """Up to MAX_LINES series on a time axis, one stacked axes per unit, a legend each."""
    from matplotlib.lines import Line2D

    chosen, hidden = _select(lines, MAX_LINES)
    units = sorted({line.unit for line in chosen})
    xlim = _xlim([o for line in chosen for o in line.obs] or
                 [line.baseline for line in chosen if line.baseline])  # fmt: skip
    with _born_styled("both"):
        axes = fig.subplots(len(units), 1, sharex=True, squeeze=False)[:, 0]
    for ax, unit in zip(axes, units, strict=True):
        mine = [line for line in chosen if line.unit == unit]
        for line in mine:
            draw_series(ax, line, shown, xlim, crowded=len(mine) > 1)
        handles = [Line2D([], [], color=line.colour, ls=line.linestyle, label=_legend_label(line),
                          marker=line.marker if _has_points(line) else None)
                   for line in mine]  # fmt: skip
        _style_time(ax, mine, unit, name)
        prop = {"family": families(), "size": 8}
        ax.legend(handles=handles, prop=prop, labelspacing=0.9, loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), frameon=False)  # fmt: skip
    axes[-1].set_xlim(*xlim)
    fig.align_ylabels(axes)
    return hidden


def _multiples(fig: Figure, lines: Sequence[Line], name: str,
               shown: set[str]) -> tuple[str, int]:  # fmt: skip
    """A panel per series (the largest movers), on one time axis and, where they share a
    unit, one value scale, so that panels compare at a glance."""
    chosen, hidden = _select(lines)
    n = len(chosen)
    cols = 4 if n > 9 else 3 if n > 4 else 2
    rows = math.ceil(n / cols)
    xlim = _xlim([o for line in chosen for o in line.obs])
    one_unit = len({line.unit for line in chosen}) == 1
    shape = (rows, cols, n, one_unit)
    if getattr(fig, "_tracker_grid", None) == shape:  # the last chart's panels, emptied: making
        grid = fig._tracker_panels  # type: ignore[attr-defined]  # 12 axes is half a chart's time
        for ax in grid.flat[:n]:
            for artist in [*ax.lines, *ax.collections, *ax.texts]:
                artist.remove()
    else:
        _clear(fig)
        with _born_styled("y", size=7):
            grid = fig.subplots(rows, cols, sharex=True, sharey=one_unit, squeeze=False)
        for k in range(n, rows * cols):
            fig.delaxes(grid.flat[k])
            grid[k // cols - 1, k % cols].xaxis.set_tick_params(labelbottom=True)
        fig._tracker_grid, fig._tracker_panels = shape, grid  # type: ignore[attr-defined]
    for k, ax in enumerate(grid.flat[:n]):
        line = chosen[k]._replace(colour=lines[0].colour, marker="o", linestyle="-", scale=0.55)
        draw_series(ax, line, shown, xlim)
        head = _shorten(line.short or line.name, 34)
        ax.set_title(f"{head}\n{_latest_text(line)}", loc="left", fontsize=7.5, pad=3, y=1.0,
                     family=families(), color="0.15")  # fmt: skip
        _style_time(ax, chosen if one_unit else [line], line.unit, None, k == 0 or not one_unit)
        if k % cols == 0 or not one_unit:  # the unit, once per row where the scale is shared
            ax.set_ylabel(clean_text(line.unit), family=families(), fontsize=8)
    grid[0, 0].set_xlim(*xlim)
    what = f"{n} largest movers of {n + hidden} series" if hidden else f"{n} series"
    return f"{name}, {what}", hidden


def _has_points(line: Line) -> bool:
    """Whether the series has a figure drawn as a marker (not only ranges, bars and boxes)."""
    return any(o.value.low is None or o.value.high is None or o.value.low == o.value.high
               for o in line.obs)  # fmt: skip


def _latest_text(line: Line) -> str:
    s = line.summary
    if s is None:
        return f"normal {value_text(line.baseline)}" if line.baseline else ""
    change = describe_change(s.change, s.n_observations)
    change = "" if change in ("—", "n/a") or CURRENCY_NOTE.get() else f" ({change})"
    return f"{value_text(s.last)}{change}"


def _legend_label(line: Line) -> str:
    if line.summary is None:
        return f"{line.name}:\nnormal level only"
    return f"{line.name}:\n{_latest_text(line)}"


def _born_styled(grid: str, left: bool = True, size: float | None = None) -> Any:
    """Axes made in this context come with their grid, frame and tick size: set afterwards,
    each is redone on every tick, a tenth of the time of a chart of small multiples."""
    from matplotlib import rc_context

    rc: dict[str, Any] = {
        "axes.grid": True, "axes.grid.axis": grid, "grid.color": "0.9", "grid.linewidth": 0.8,
        "axes.axisbelow": True, "axes.spines.top": False, "axes.spines.right": False,
        "axes.spines.left": left}  # fmt: skip
    if size is not None:
        rc |= {"xtick.labelsize": size, "ytick.labelsize": size}
    return rc_context(rc)  # type: ignore[arg-type]


def _style_time(ax: Axes, lines: Sequence[Line], unit: str, name: str | None,
                scale: bool = True) -> None:  # fmt: skip
    """From zero, so that a doubling looks like one; thousands separated; headroom for arrows.
    `scale` False: a panel sharing the axes of the first (its limits, ticks and labels)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    if not scale:
        return
    bounds = [b for line in lines for o in [*line.obs, *([line.baseline] if line.baseline else [])]
              for b in (o.value.low, o.value.high) if b is not None]  # fmt: skip
    top = max(bounds, default=0.0)
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)
    ax.yaxis.set_major_formatter(number_formatter(top))
    if name is not None:
        ax.set_ylabel(f"{name.capitalize()} ({clean_text(unit)})", family=families())
    else:
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(3))
    ax.xaxis_date()
    locator = AutoDateLocator(minticks=3, maxticks=8 if name is not None else 4)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.figure._tracker_dates = True  # type: ignore[union-attr]


def _xlim(obs: Sequence[Observation]) -> tuple[float, float]:
    """At least four months wide, so that a lone day figure has some time around it."""
    from matplotlib.dates import date2num

    lo = float(date2num(min(o.period.start for o in obs)))
    hi = float(date2num(max(o.period.end for o in obs) + timedelta(days=1)))
    if hi - lo < 120:
        lo, hi = (lo + hi) / 2 - 60, (lo + hi) / 2 + 60
    return lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05


def _footnote(obs: Sequence[Observation], shown: set[str], hidden: int, kind: str) -> str:
    """The distinct sources, shortened; a key for the symbols that appear; what was left out."""
    titles = {o.source for o in obs if o.source}
    sources = sorted({_shorten(clean_text(t, "title"), 70) for t in titles})
    head = "Source" if len(sources) < 2 else f"Sources ({len(sources)})"
    source = f"{head}: {_shorten('; '.join(sources), 150) or 'not recorded'}"
    key = " · ".join(v for k, v in _KEY.items() if k in shown)
    if hidden:
        why = "smaller moves" if kind != "ranked" or "first" in shown else "lower figures"
        key = f"{hidden:,} more series not shown ({why}; `tracker report` lists all)" + (
            f" · {key}" if key else "")  # fmt: skip
    key = " · ".join(x for x in (key, CURRENCY_NOTE.get()) if x)
    return f"{source}\n{key}" if key else source
