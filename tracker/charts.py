"""Trend charts of lead times and prices: one per supplier and metric, one overview per metric.

A chart shows no more precision than the source gave: a month figure spans
its month, a range is a shaded band, an open bound is an arrow pointing where
the figure is open, a stated normal level is a dashed reference and never a
point of the trend.  Labels come from :func:`tracker.analysis.summary_of`, as
``tracker report``'s do, so a chart and the report always agree on the change.

matplotlib is imported inside the functions, so ``import tracker.charts``
stays cheap, and only its object API is used (``Figure`` + Agg): no pyplot,
no global state (rcParams only inside ``rc_context``), nothing printed.  For
speed a kind of mark is one artist for a whole series (a line of markers, a
collection), and a chart is laid out, drawn and written once, in one figure.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import struct
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.analysis import Summary, group, summary_of
from tracker.dates import LAST_YEAR, Period, midpoint
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.output import open_output, prepare_folder, write_bytes
from tracker.text import describe_change, human_value
from tracker.values import ALLOCATION, MAX_MAGNITUDE

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from numpy.typing import NDArray

METRICS = {"lead_time": "lead time", "price": "price"}  # charted metrics, in output order
FORMATS = ("png", "svg")
FIGSIZE = (10.0, 5.6)  # inches: 16:9, readable on a slide
MARKET_WIDE = "Market-wide"
BAND_ALPHA = 0.25
MARKET_COLOUR = "#555555"
# tab10 without its grey (kept for market-wide figures), then the lighter tab20 shades.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
           "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")  # fmt: skip
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
             "Droid Sans Fallback", "Arial Unicode MS")  # fmt: skip
#: Set by api.chart for --currency: a line for the footnote of every chart, and no % change
#: in legends (a converted series' % mixes in the exchange rate; the report's % stay in the
#: entered currency).
CURRENCY_NOTE: ContextVar[str] = ContextVar("CURRENCY_NOTE", default="")
_MARKERS = ("o", "s", "D", "P", "X", "h", "*")
_LINESTYLES = ("-", ":", "-.")
_RESERVED = {"overview", "market-wide"}  # stems of charts that are not one named supplier
_SAFE_STEM = re.compile(r"^[a-z0-9_-]{1,80}$")
_KEY = {"span": "bar: the month/quarter/year a figure covers", "range": "band: range",
        "open": "arrow: open bound", "allocation": "allocation: no date quoted",
        "baseline": "dashed: normal level", "hollow": "hollow: announced/forecast",
        "dodge": "figures of one day set slightly apart"}  # fmt: skip


def render_charts(
    observations: Sequence[Observation],
    out_dir: Path,
    fmt: str = "png",
    dpi: int = 150,
    progress: Callable[[Path], None] | None = None,
    metrics: Sequence[str] = tuple(METRICS),
    database: str | None = None,
) -> list[Path]:
    """Write every chart into `out_dir` and return the paths, lead time first, then price.

    `metrics` narrows the charted metrics (a `--metric price` run draws no
    lead-time overview).

    Per metric: one chart per supplier (sorted, market-wide last), then the
    overview.  The overview of each metric is always written, with a note
    when there is nothing to show, so ``overview_<metric>`` can be relied on.
    """
    if fmt not in FORMATS:
        raise TrackerError(f"unknown chart format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise TrackerError(f"dpi {dpi!r} is out of range (use a whole number from 20 to 1200)")
    drawable(o for o in observations if o.metric in metrics)
    out_dir = prepare_folder(out_dir)  # never a link (tracker.output)
    from matplotlib import rc_context

    colours = supplier_colours(observations)
    stems = chart_stems(o.supplier for o in observations)
    written: list[Path] = []
    fig = None  # one figure, drawn in again for each chart: what it measured stays known
    for metric in (m for m in METRICS if m in metrics):
        obs = [o for o in observations if o.metric == metric]
        suppliers = sorted({o.supplier for o in obs}, key=_supplier_order)
        charts = [(f"{stems[s]}_{metric}", [o for o in obs if o.supplier == s]) for s in suppliers]
        for stem, chart_obs in [*charts, (f"overview_{metric}", obs)]:
            if not _SAFE_STEM.match(stem):  # pragma: no cover - chart_stems guarantees it
                raise TrackerError(f"unsafe chart file name '{stem}'")
            overview = stem.startswith("overview_")
            fig = draw_chart(chart_obs, metric, colours, overview, stems, dpi, into=fig)
            path = out_dir / f"{stem}.{fmt}"
            with rc_context({"text.hinting": "no_hinting"}):  # text sized and drawn 1/3 faster
                _save(fig, path, fmt, dpi, database)
            written.append(path)
            if progress is not None:
                progress(path)
    return written


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


def _save(fig: Figure, path: Path, fmt: str, dpi: int, database: str | None = None) -> None:
    """Lay a chart out once, by measure, and write it, drawing it once: constrained layout walks
    every artist twice and has savefig draw once more.  The axes go between the title and the
    footnote, with room for tick labels and legends; date ticks are fixed, not redone per draw."""
    from matplotlib.ticker import FixedLocator
    from matplotlib.transforms import Bbox

    axes, canvas = fig.axes, fig.canvas
    r = canvas.get_renderer()  # type: ignore[attr-defined]
    fig.set_layout_engine("none")
    (w, h), pad, title, note = fig.bbox.size, fig.dpi * 4 / 72, fig.texts[0], fig.texts[-1]
    title.set_y(1 - pad / h)
    if axes[0].axison:  # not the note of an empty chart
        axes[-1].xaxis.set_major_locator(FixedLocator(axes[-1].xaxis.get_major_locator()()))
        note.set_y(pad / h)
        boxes = []  # each axes, and the box of it with its tick labels, axis labels and legend
        for ax in axes:
            legend, parts = ax.get_legend(), [ax.yaxis.get_tightbbox(r), ax.xaxis.get_tightbbox(r)]
            parts += [legend.get_window_extent(r)] if legend is not None else []
            boxes.append((ax.bbox, Bbox.union([b for b in parts if b is not None])))
        left = pad + max(a.x0 - o.x0 for a, o in boxes)
        right = w - pad - max(o.x1 - a.x1 for a, o in boxes)
        top = title.get_window_extent(r).y0 - pad - max(0, boxes[0][1].y1 - boxes[0][0].y1)
        bottom = note.get_window_extent(r).y1 + pad + boxes[-1][0].y0 - boxes[-1][1].y0
        gap = 2 * pad + max((a.y0 - o.y0 + max(0, p.y1 - q.y1) for (a, o), (q, p)
                             in itertools.pairwise(boxes)), default=0)  # fmt: skip
        size = (top - bottom - gap * (len(axes) - 1)) / len(axes)
        for i, ax in enumerate(axes):
            y0 = top - size - i * (size + gap)
            ax.set_position((left / w, y0 / h, (right - left) / w, size / h))
    if fmt == "svg":
        with open_output(path, in_folder=True, database=database) as f:
            fig.savefig(f, format=fmt, dpi=dpi, metadata={"Date": None})
    else:
        canvas.draw()
        _write_png(path, canvas.buffer_rgba(), dpi, database)  # type: ignore[attr-defined]


def _write_png(path: Path, rgba: Any, dpi: int, database: str | None = None) -> None:
    """An opaque canvas as an RGB PNG, unfiltered, at zlib level 1: for a chart, no larger and
    in half the time of savefig's RGBA through Pillow, whose adaptive row filters do not pay."""
    import numpy as np

    pixels = np.asarray(rgba)[:, :, :3]
    (h, w), ppm = pixels.shape[:2], round(dpi / 0.0254)  # pixels per metre
    rows = np.hstack([np.zeros((h, 1), np.uint8), pixels.reshape(h, 3 * w)])  # filter 0: none
    chunks = [(b"IHDR", struct.pack(">2I5B", w, h, 8, 2, 0, 0, 0)),  # 8-bit RGB
              (b"pHYs", struct.pack(">2IB", ppm, ppm, 1)),
              (b"IDAT", zlib.compress(rows.tobytes(), 1)), (b"IEND", b"")]  # fmt: skip
    png = [
        struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d)) for k, d in chunks
    ]
    data = b"\x89PNG\r\n\x1a\n" + b"".join(png)
    write_bytes(path, data, in_folder=True, database=database)


def supplier_colours(observations: Iterable[Observation]) -> dict[str | None, str]:
    """One colour per supplier, from the sorted names, so a supplier looks the same everywhere."""
    names = sorted({o.supplier for o in observations} - {None}, key=_supplier_order)
    colours: dict[str | None, str] = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    colours[None] = MARKET_COLOUR
    return colours


def chart_stems(suppliers: Iterable[str | None]) -> dict[str | None, str]:
    """A file-name stem per supplier: only [a-z0-9-], never a path, never shared.

    Nothing is transliterated: a name with non-ASCII letters, or with none left
    (``..``), gets a short stable hash.  Names that reduce to one stem (``A/B``
    and ``A B``) or to a stem of the tool's own (``overview``) get a hash each.
    """
    names = sorted(set(suppliers), key=_supplier_order)
    base = {n: "market-wide" if n is None else _slug(n) for n in names}
    counts = Counter(base.values())
    stems: dict[str | None, str] = {}
    for n in names:
        stem = base[n]
        if n is not None and (counts[stem] > 1 or stem in _RESERVED):
            stem = f"{stem}-{_short_hash(n)}"
        if n is not None and stem in stems.values():  # only a name built to collide gets here
            stem = f"s-{_short_hash(n, 24)}"
        stems[n] = stem
    return stems


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in name if c.isascii()).lower()).strip("-")
    short = slug[:40].strip("-")
    if not short:
        return f"s-{_short_hash(name)}"
    return short if short == slug and name.isascii() else f"{short}-{_short_hash(name)}"


def _short_hash(name: str, length: int = 8) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _supplier_order(name: str | None) -> tuple[bool, str, str]:
    """Sorted by name, any case, market-wide (None) last."""
    return (name is None, (name or "").casefold(), name or "")


# --- text that the fonts can draw --------------------------------------------


@cache
def cjk_font() -> str | None:
    """An installed font family with Chinese glyphs (checked in its character map), or None."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        try:
            if family in by_name and ord("中") in FT2Font(by_name[family]).get_charmap():
                return family
        except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
            continue
    return None


@cache
def _fonts() -> tuple[list[str], frozenset[int], frozenset[int]]:
    """Families for every text (a CJK fallback when there is one), the characters they draw
    together, and those the first alone draws (a CJK fallback font may have no bold face)."""
    families = ["sans-serif"] + ([cjk] if (cjk := cjk_font()) else [])
    charmaps = [_charmap(family) for family in families]
    return families, frozenset().union(*charmaps), charmaps[0]


def _charmap(family: str) -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=[family]))
    return frozenset(FT2Font(path).get_charmap())


def clean_text(text: str, what: str = "text", tag: str = "") -> str:
    """`text` with only characters the chart fonts can draw, so no empty boxes appear.

    Characters the fonts lack are dropped and the rest kept; when they made
    up most of the text, it becomes a placeholder such as ``(Chinese text)``.
    ``$`` is escaped so that a name is never read as mathtext.
    """
    chars = _fonts()[1]
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    lost = [c for c in text if c != " " and ord(c) not in chars]
    if lost:
        kept = "".join(" " if c in lost else c for c in text)
        if 2 * len(lost) > len(text.replace(" ", "")) or not re.search(r"[^\W_]", kept):
            han = any("CJK" in unicodedata.name(c, "") for c in lost)
            return f"({'Chinese' if han else 'non-Latin'} {what}{tag})"
        text = kept
    return " ".join(text.split()).replace("$", r"\$")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _supplier_name(name: str | None, stems: dict[str | None, str]) -> str:
    """A supplier as shown; two unreadable names get the stem of their files to tell them apart."""
    if name is None:
        return MARKET_WIDE
    shown = clean_text(name, "name", f", {stems.get(name) or _slug(name)}")
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


# --- drawing ----------------------------------------------------------------


def draw_chart(observations: Sequence[Observation], metric: str, colours: dict[str | None, str],
               overview: bool = False, stems: dict[str | None, str] | None = None,
               dpi: int = 150, into: Figure | None = None) -> Figure:  # fmt: skip
    """One chart of `metric` as a Figure, one stacked axes per canonical unit.

    Public so that a notebook can draw one chart and adjust it before saving.  `into` is a
    figure of an earlier chart to clear and draw in again, instead of a new one.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = _fonts()[0]
    stems = stems if stems is not None else chart_stems(o.supplier for o in observations)
    fig = into if into is not None else FigureCanvasAgg(Figure(figsize=FIGSIZE, dpi=dpi)).figure
    for ax in fig.axes:  # an earlier chart's: dropped as clear() would, but not cleared first
        fig.delaxes(ax)
    fig.clear()
    fig.set_dpi(dpi)
    fig.set_layout_engine("constrained")
    name = METRICS.get(metric, metric.replace("_", " "))
    suppliers = sorted({o.supplier for o in observations}, key=_supplier_order)
    who = "All suppliers" if overview else _supplier_name(next(iter(suppliers), None), stems)
    names = {o.material for o in observations}
    materials = sorted({clean_text(m) for m in names}, key=str.casefold)
    what = ", ".join(materials)
    if len(what) > 48:
        what = f"{', '.join(materials[:2])}, +{len(materials) - 2} more"
    title = f"{who} — {name}" + (f" ({what})" if what else "")
    if all(ord(c) in _fonts()[2] for c in title):  # bold without a fallback: it may lack bold
        fig.suptitle(title, family=families[:1], fontsize=14, fontweight="bold")
    else:
        fig.suptitle(title, family=families, fontsize=14)
    if not observations:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"No {name} observations to chart.", ha="center", family=families)
        return fig
    xlim = _xlim(observations)
    units = sorted({o.unit for o in observations})
    axes = fig.subplots(len(units), 1, sharex=True, squeeze=False)[:, 0]
    shown: set[str] = set()
    for ax, unit in zip(axes, units, strict=True):
        series = []  # (supplier, index within the supplier, observations)
        for supplier in suppliers:
            sup_obs = [o for o in observations if o.supplier == supplier and o.unit == unit]
            series += [(supplier, i, obs) for i, obs in enumerate(group(sup_obs).values())]
        # series quoted on the same day are spread a little sideways so none hides another
        days = Counter(p for *_, obs in series for p in {o.period for o in obs if _is_day(o)})
        shared = {d for d, n in days.items() if n > 1}
        # 2% of the axis per series, but never more than 10% in all, so none leaves the plot
        step = (xlim[1] - xlim[0]) * min(0.02, 0.10 / max(len(series) - 1, 1))
        shown.update(["dodge"] if shared else [])
        handles = []
        for j, (supplier, i, obs) in enumerate(series):
            colour = colours.get(supplier, MARKET_COLOUR)
            style = (colour, _MARKERS[i % len(_MARKERS)], _LINESTYLES[i % len(_LINESTYLES)])
            prefix = _supplier_name(supplier, stems) if overview else None
            dodge = (j - (len(series) - 1) / 2) * step
            shift = dict.fromkeys(shared, dodge)
            handles.append(_draw_series(ax, obs, style, prefix, len(series) > 1, shown, shift))
        _style_axes(ax, observations, unit, name)
        n = len(handles)  # smaller and tighter as the legend grows, so it stays in the figure
        prop = {"family": families, "size": 8 if n <= 6 else 6.5 if n <= 12 else 5.5}
        legend = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "frameon": False}
        spacing = 0.9 if n <= 6 else 0.5 if n <= 12 else 0.3
        ax.legend(handles=handles, prop=prop, labelspacing=spacing, ncols=1 + (n > 20), **legend)
    axes[-1].set_xlim(*xlim)
    fig.align_ylabels(axes)
    note = _footnote(observations, shown)
    fig.supxlabel(note, x=0.01, ha="left", fontsize=7, color="0.35", family=families)
    return fig


def _is_day(o: Observation) -> bool:
    return o.period.precision == "day" and o.kind != "baseline"


def _draw_series(ax: Axes, obs: list[Observation], style: tuple[str, str, str],
                 prefix: str | None, crowded: bool, shown: set[str],
                 shift: dict[Period, float]) -> Line2D:  # fmt: skip
    """Bands, markers, arrows and the connecting line of one series; returns its legend handle.
    Each kind is one artist (a collection, a line of markers) for all figures of the series."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.transforms import ScaledTranslation

    colour, marker, linestyle = style
    regular = [o for o in obs if o.kind != "baseline"]
    alloc = [o.value.low is None and o.value.high is None for o in regular]
    if any(alloc):  # open above, no figure at all: arrows up to the top, named once per run
        shown.add("allocation")
        top = ax.get_xaxis_transform()
        xa = _days([o for o, a in zip(regular, alloc, strict=True) if a], shift)
        _markers(ax, xa, [1.0] * len(xa), colour, _arrow(True, -38, 36), transform=top, zorder=3)
        under = top + ScaledTranslation(0, -40 / 72, ax.figure.dpi_scale_trans)
        for o in [o for i, o in enumerate(regular) if alloc[i] and not (i and alloc[i - 1])]:
            ax.text(_days([o], shift)[0], 1.0, ALLOCATION, color=colour, fontsize=8, ha="center",
                    va="top", transform=under, clip_on=True)  # fmt: skip
    pts = [o for o, a in zip(regular, alloc, strict=True) if not a]
    x, x0 = _days(pts, shift), _days(pts, when=lambda p: p.start)
    x1 = _days(pts, when=lambda p: p.end + timedelta(days=1))
    y = [next(b for b in (o.value.midpoint, o.value.low, o.value.high) if b is not None)
         for o in pts]  # fmt: skip
    bands: list[Any] = []  # a range over a month, quarter or year: a shaded box
    bars: list[Any] = []  # a range on one day: a wide bar
    spans: list[Any] = []  # one figure for a month, quarter or year: a bar across it
    for i, o in enumerate(pts):
        lo, hi, span = o.value.low, o.value.high, not _is_day(o)
        if lo is not None and hi is not None and lo < hi:
            box = [(x0[i], lo), (x0[i], hi), (x1[i], hi), (x1[i], lo)]
            (bands if span else bars).append(box if span else [(x[i], lo), (x[i], hi)])
        elif span:
            spans.append([(x0[i], y[i]), (x1[i], y[i])])
    shown.update(["span"] if any(not _is_day(o) for o in pts) else [])
    shown.update(["range"] if bands or bars else [])
    if bands:
        ax.add_collection(PolyCollection(bands, facecolors=colour, alpha=BAND_ALPHA, lw=0))
    if bars:
        ax.add_collection(LineCollection(bars, colors=colour, alpha=BAND_ALPHA + 0.1, lw=10))
    if spans:
        ax.add_collection(LineCollection(spans, colors=colour, alpha=0.8, lw=2.5))
    for up in (True, False):  # an open bound: arrows pointing where it is open
        at = [i for i, o in enumerate(pts) if (o.value.high if up else o.value.low) is None]
        shown.update(["open"] if at else [])
        _markers(ax, x[at], [y[i] for i in at], colour, _arrow(up, 5, 21), zorder=3)
    hollow = [o.kind in ("announced", "forecast") for o in pts]
    shown.update(["hollow"] if any(hollow) else [])
    for h in (False, True):
        at = [i for i, k in enumerate(hollow) if k == h]
        _markers(ax, x[at], [y[i] for i in at], colour, (marker, 7, 1), "white" if h else None)
    ax.add_line(Line2D(x, y, color=colour, ls=linestyle, lw=1.6, zorder=3))
    baselines = [o for o in obs if o.kind == "baseline"]
    summary = summary_of(regular, len(regular), baselines[-1] if baselines else None)
    if summary is not None:
        label = series_label(summary, prefix)
    else:
        label = f"{_series_name(obs[0], prefix)}:\nnormal level only"
    if baselines:
        name = _series_name(obs[0], prefix, short=True) if crowded else ""
        _draw_baseline(ax, baselines[-1], colour, name)
        shown.add("baseline")
    return Line2D([], [], color=colour, ls=linestyle, marker=marker, label=label)


def _days(obs: list[Observation], shift: dict[Period, float] | None = None,
          when: Callable[[Period], date] = midpoint) -> NDArray[np.float64]:  # fmt: skip
    """matplotlib date numbers of the observations' days, each moved by its period's dodge."""
    import numpy as np
    from matplotlib.dates import date2num

    x = np.array([when(o.period).toordinal() for o in obs], dtype=float)
    x += date2num(date(2000, 1, 1)) - date(2000, 1, 1).toordinal()  # ordinals to date numbers
    return x + [shift.get(o.period, 0.0) for o in obs] if shift and obs else x


def _markers(ax: Axes, x: Any, y: Sequence[float], colour: str, shape: tuple[Any, float, float],
             face: str | None = None, **kw: Any) -> None:  # fmt: skip
    """One line of markers, nothing between them: `shape` is (marker, size, edge width)."""
    from matplotlib.lines import Line2D

    if len(y):
        marker, size, edge = shape
        kw = {"zorder": 4, **kw, "mfc": face or colour}
        ax.add_line(Line2D(x, y, ls="none", marker=marker, ms=size, mew=edge, color=colour, **kw))


@cache
def _arrow(up: bool, start: float, length: float) -> tuple[Any, float, float]:
    """An arrow as a marker, as annotate's ``-|>`` draws it, in points from the point marked:
    its shaft starts `start` above (or below) that point, its tip is `length` further on."""
    from matplotlib.path import Path as P

    s = 1 if up else -1
    a, b, tip = s * start, s * (start + length - 4), s * (start + length)
    path = P([(0, a), (0, b), (-2, b), (2, b), (0, tip), (0, tip)],
             [P.MOVETO, P.LINETO, P.MOVETO, P.LINETO, P.LINETO, P.CLOSEPOLY])  # fmt: skip
    return path, 2 * max(abs(a), abs(tip)), 1.6  # a marker spans its size: kept in points


def _draw_baseline(ax: Axes, base: Observation, colour: str, name: str) -> None:
    """A stated normal level: dashed lines across the chart, named at the left."""
    levels = sorted({b for b in (base.value.low, base.value.high) if b is not None})
    if not levels:  # "normal: allocation" says nothing to draw
        return
    for level in levels:
        ax.axhline(level, color=colour, ls="--", lw=1.1, alpha=0.85, zorder=2)
    text = f"{name + ' ' if name else ''}normal: {human_value(base.value, clean_text(base.unit))}"
    box = {"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1}
    where: dict[str, Any] = {"transform": ax.get_yaxis_transform(), "family": _fonts()[0]}
    ax.text(0.01, levels[-1], text, color=colour, fontsize=8, va="bottom", bbox=box, **where)


def _style_axes(ax: Axes, obs: Sequence[Observation], unit: str, name: str) -> None:
    """From zero, so that a doubling looks like one; thousands separated; headroom for arrows."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import FuncFormatter

    bounds = [b for o in obs if o.unit == unit for b in (o.value.low, o.value.high)]
    top = max((b for b in bounds if b is not None), default=0.0)
    ax.set_ylim(0, top * 1.3 if top > 0 else 1.0)
    if top >= 1000:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    ax.set_ylabel(f"{name.capitalize()} ({clean_text(unit)})", family=_fonts()[0])
    ax.grid(True, color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis_date()
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _xlim(obs: Sequence[Observation]) -> tuple[float, float]:
    """At least four months wide, so that a lone day figure has some time around it."""
    from matplotlib.dates import date2num

    lo = float(date2num(min(o.period.start for o in obs)))
    hi = float(date2num(max(o.period.end for o in obs) + timedelta(days=1)))
    if hi - lo < 120:
        lo, hi = (lo + hi) / 2 - 60, (lo + hi) / 2 + 60
    return lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05


def _footnote(obs: Sequence[Observation], shown: set[str]) -> str:
    """The distinct sources, shortened, and a key for the symbols that appear."""
    titles = {o.source for o in obs if o.source}
    sources = sorted({_shorten(clean_text(t, "title"), 70) for t in titles})
    head = "Source" if len(sources) < 2 else f"Sources ({len(sources)})"
    source = f"{head}: {_shorten('; '.join(sources), 150) or 'not recorded'}"
    key = " · ".join(v for k, v in _KEY.items() if k in shown)
    key = " · ".join(x for x in (key, CURRENCY_NOTE.get()) if x)
    return f"{source}\n{key}" if key else source
