"""Trend charts of lead times and prices: one per supplier and metric, one overview per metric.

A chart shows no more precision than the source gave: a month figure spans
its month, a range is a shaded band, an open bound is an arrow pointing where
the figure is open, a stated normal level is a dashed reference and never a
point of the trend.  Labels come from :func:`tracker.analysis.summarise`, so a
chart and ``tracker report`` always agree on the change.

matplotlib is imported inside the functions, so ``import tracker.charts``
stays cheap, and only its object API is used (``Figure`` + Agg): no pyplot,
no global state, nothing printed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.analysis import Summary, group, summarise
from tracker.dates import Period, midpoint
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.text import describe_change, human_value
from tracker.values import ALLOCATION

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

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
) -> list[Path]:
    """Write every chart into `out_dir` and return the paths, lead time first, then price.

    Per metric: one chart per supplier (sorted, market-wide last), then the
    overview.  The overview of each metric is always written, with a note
    when there is nothing to show, so ``overview_<metric>`` can be relied on.
    """
    if fmt not in FORMATS:
        raise TrackerError(f"unknown chart format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise TrackerError(f"dpi {dpi!r} is out of range (use a whole number from 20 to 1200)")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise TrackerError(f"{out_dir}: exists and is not a folder") from None
    colours = supplier_colours(observations)
    stems = chart_stems(o.supplier for o in observations)
    written: list[Path] = []
    for metric in METRICS:
        obs = [o for o in observations if o.metric == metric]
        suppliers = sorted({o.supplier for o in obs}, key=_supplier_order)
        charts = [(f"{stems[s]}_{metric}", [o for o in obs if o.supplier == s]) for s in suppliers]
        for stem, chart_obs in [*charts, (f"overview_{metric}", obs)]:
            if not _SAFE_STEM.match(stem):  # pragma: no cover - chart_stems guarantees it
                raise TrackerError(f"unsafe chart file name '{stem}'")
            overview = stem.startswith("overview_")
            fig = draw_chart(chart_obs, metric, colours, overview, stems, dpi)
            path = out_dir / f"{stem}.{fmt}"
            fig.savefig(path, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else {})
            written.append(path)
            if progress is not None:
                progress(path)
    return written


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
    change = "" if change == "—" else f"({change})"
    latest = f"{human_value(s.last.value, clean_text(s.series[4]))} {change}".strip()
    return f"{_series_name(s.last, supplier)}:\n{latest}"


def _series_name(o: Observation, supplier: str | None = None, short: bool = False) -> str:
    parts = [o.product] if short and o.product else [o.material, o.product]
    name = " ".join(clean_text(p) for p in parts if p)
    return _shorten(f"{supplier} · {name}" if supplier else name, 46)


# --- drawing ----------------------------------------------------------------


def draw_chart(observations: Sequence[Observation], metric: str, colours: dict[str | None, str],
               overview: bool = False, stems: dict[str | None, str] | None = None,
               dpi: int = 150) -> Figure:  # fmt: skip
    """One chart of `metric` as a Figure, one stacked axes per canonical unit.

    Public so that a notebook can draw one chart and adjust it before saving.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = _fonts()[0]
    stems = stems if stems is not None else chart_stems(o.supplier for o in observations)
    fig = Figure(figsize=FIGSIZE, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    name = METRICS.get(metric, metric.replace("_", " "))
    suppliers = sorted({o.supplier for o in observations}, key=_supplier_order)
    who = "All suppliers" if overview else _supplier_name(next(iter(suppliers), None), stems)
    materials = sorted({clean_text(o.material) for o in observations}, key=str.casefold)
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
        step = (xlim[1] - xlim[0]) * 0.02
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
    """Bands, markers, arrows and the connecting line of one series; returns its legend handle."""
    from matplotlib.dates import date2num

    colour, marker, linestyle = style
    regular = [o for o in obs if o.kind != "baseline"]
    xs, ys = [], []
    for o in regular:
        v, x = o.value, date2num(midpoint(o.period)) + shift.get(o.period, 0.0)
        if v.low is None and v.high is None:  # allocation: open above, no figure at all
            shown.add("allocation")
            at_top: dict[str, Any] = {"xycoords": ax.get_xaxis_transform()}
            at_top["textcoords"] = at_top["xycoords"]
            arrow = {"arrowstyle": "-|>", "color": colour, "lw": 1.6}
            ax.annotate(ALLOCATION, xy=(x, 1.0), xytext=(x, 0.8), color=colour, fontsize=8,
                        ha="center", va="top", arrowprops=arrow, **at_top)  # fmt: skip
            continue
        y = next(b for b in (v.midpoint, v.low, v.high) if b is not None)
        x0, x1 = date2num(o.period.start), date2num(o.period.end + timedelta(days=1))
        span = not _is_day(o)
        shown.update(["span"] if span else [])
        if v.low is not None and v.high is not None and v.low < v.high:
            shown.add("range")
            if span:
                ax.fill_between([x0, x1], v.low, v.high, color=colour, alpha=BAND_ALPHA, lw=0)
            else:
                ax.vlines(x, v.low, v.high, color=colour, alpha=BAND_ALPHA + 0.1, lw=10)
        elif span:
            ax.hlines(y, x0, x1, color=colour, lw=2.5, alpha=0.8)
        if v.low is None or v.high is None:
            shown.add("open")
            arrow = {"arrowstyle": "<|-", "color": colour, "lw": 1.6, "shrinkA": 0, "shrinkB": 5}
            offset = (0, 26 if v.high is None else -26)
            ax.annotate("", xy=(x, y), xytext=offset, textcoords="offset points", arrowprops=arrow)
        hollow = o.kind in ("announced", "forecast")
        shown.update(["hollow"] if hollow else [])
        face = "white" if hollow else colour
        ax.plot([x], [y], marker=marker, color=colour, mfc=face, ms=7, ls="none", zorder=4)
        xs.append(x)
        ys.append(y)
    ax.plot(xs, ys, color=colour, ls=linestyle, lw=1.6, zorder=3)
    if regular:
        label = series_label(summarise(obs)[0], prefix)
    else:
        label = f"{_series_name(obs[0], prefix)}:\nnormal level only"
    baselines = [o for o in obs if o.kind == "baseline"]
    if baselines:
        name = _series_name(obs[0], prefix, short=True) if crowded else ""
        _draw_baseline(ax, baselines[-1], colour, name)
        shown.add("baseline")
    (handle,) = ax.plot([], [], color=colour, ls=linestyle, marker=marker, label=label)
    return handle


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
    sources = sorted({_shorten(clean_text(o.source, "title"), 70) for o in obs if o.source})
    head = "Source" if len(sources) < 2 else f"Sources ({len(sources)})"
    source = f"{head}: {_shorten('; '.join(sources), 150) or 'not recorded'}"
    key = " · ".join(v for k, v in _KEY.items() if k in shown)
    return f"{source}\n{key}" if key else source
