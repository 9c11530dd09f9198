"""The marks of a chart: one series over time, and one row of a ranked range chart.

What is drawn is what the source stated, no more: a range is a band between
its bounds (with its bounds drawn as lines, so it shows at any scale), an open
bound is an arrow pointing where it is open, a month figure spans its month,
and a line joins bound to bound only where both figures state that bound; no
midpoint the source never gave is drawn or joined.  A stated normal level is
a dashed reference across its own series only (on a time axis) or a row of
its own (ranked).  Each kind of mark is one artist per series, for speed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.analysis import Summary
from tracker.chartfonts import clean_text, families
from tracker.dates import midpoint
from tracker.model import Observation
from tracker.text import describe_change, human_number, human_value
from tracker.values import ALLOCATION

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from numpy.typing import NDArray

#: Set by api.chart for --currency: a line for the footnote of every chart, and no % change
#: in labels (a converted series' % mixes in the exchange rate; the report's % stay in the
#: entered currency).
CURRENCY_NOTE: ContextVar[str] = ContextVar("CURRENCY_NOTE", default="")
BAND_ALPHA = 0.3
FILL_ALPHA = 0.12  # between the bounds of two figures: lighter than a stated range


class Line(NamedTuple):
    """One series as charted.

    Attributes:
        name: as labelled (supplier prefixed in an overview); short: the product alone.
        obs: its figures in period order, normal levels left out.
        baseline: its latest stated normal level, if any.
        summary: first, latest and change, as ``tracker report`` computes them.
        colour, marker, linestyle: its style on this chart.
    """

    supplier: str | None
    name: str
    short: str
    unit: str
    obs: list[Observation]
    baseline: Observation | None
    summary: Summary | None
    colour: str
    marker: str = "o"
    linestyle: str = "-"
    scale: float = 1.0  # of marks: smaller in a panel of small multiples


def is_day(o: Observation) -> bool:
    return o.period.precision == "day"


def days(obs: Sequence[Observation],
         when: Callable[[Any], date] = midpoint) -> NDArray[np.float64]:  # fmt: skip
    """matplotlib date numbers of the observations' periods (their middle day by default)."""
    import numpy as np
    from matplotlib.dates import date2num

    x = np.array([when(o.period).toordinal() for o in obs], dtype=float)
    return x + (date2num(date(2000, 1, 1)) - date(2000, 1, 1).toordinal())  # to date numbers


def start_of(p: Any) -> date:
    return p.start


def end_of(p: Any) -> date:
    return p.end + timedelta(days=1)


def value_text(o: Observation) -> str:
    return human_value(o.value, clean_text(o.unit))


def change_text(line: Line) -> str:
    """'+14.3% / +16.7% since 1 Jan 2025', '2.0× normal', or ''."""
    s = line.summary
    if s is None:
        return ""
    parts = []
    change = describe_change(s.change, s.n_observations)
    if change not in ("—", "n/a") and not CURRENCY_NOTE.get():
        parts.append(f"{change} since {day_text(s.first.period)}")
    if s.ratio_low is not None or s.ratio_high is not None:
        lo, hi = s.ratio_low, s.ratio_high  # worded as `tracker report` words them
        one = lo is not None and hi is not None and abs(lo - hi) < 0.05
        r = f"{lo:.1f}" if one else "-".join("?" if b is None else f"{b:.1f}" for b in (lo, hi))
        parts.append(f"{r}× normal")
    return ", ".join(parts)


def day_text(p: Any) -> str:
    """24 Jul 2025, Jul 2025, 2025-Q3, 2025: a date as precise as it was given."""
    if p.precision == "day":
        return f"{p.start.day} {p.start:%b %Y}"
    if p.precision == "month":
        return f"{p.start:%b %Y}"
    return str(p.text)


# --- marks shared by both kinds of chart ---------------------------------------


def _add(ax: Axes, collection: Any) -> None:
    """Add a collection without growing the data limits: every chart sets its own, and on
    shared axes each update would ripple through every panel."""
    ax.add_collection(collection, autolim=False)


def markers(ax: Axes, x: Any, y: Any, colour: str, shape: tuple[Any, float, float],
            face: str | None = None, **kw: Any) -> None:  # fmt: skip
    """One line of markers, nothing between them: `shape` is (marker, size, edge width)."""
    from matplotlib.lines import Line2D

    if len(y):
        marker, size, edge = shape
        kw = {"zorder": 4, **kw, "mfc": face or colour}
        ax.add_line(Line2D(x, y, ls="none", marker=marker, ms=size, mew=edge, color=colour, **kw))


@cache
def arrow(direction: str, start: float, length: float) -> tuple[Any, float, float]:
    """An arrow as a marker, as annotate's ``-|>`` draws it, in points from the point marked:
    its shaft starts `start` from that point, its tip is `length` further on; `direction`
    is up, down, right or left."""
    from matplotlib.path import Path as P

    s = 1 if direction in ("up", "right") else -1
    a, b, tip = s * start, s * (start + length - 4), s * (start + length)
    pts: list[tuple[float, float]] = [(0, a), (0, b), (-2, b), (2, b), (0, tip), (0, tip)]
    if direction in ("left", "right"):
        pts = [(v, u) for u, v in pts]
    path = P(pts, [P.MOVETO, P.LINETO, P.MOVETO, P.LINETO, P.LINETO, P.CLOSEPOLY])
    return path, 2 * max(abs(a), abs(tip)), 1.6  # a marker spans its size: kept in points


# --- a series on a time axis ---------------------------------------------------------


def draw_series(ax: Axes, line: Line, shown: set[str], xlim: tuple[float, float],
                crowded: bool = False) -> None:  # fmt: skip
    """Every figure of one series on a time axis, the bound-to-bound joins, its normal level."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.transforms import ScaledTranslation

    colour = line.colour
    alloc = [o.value.low is None and o.value.high is None for o in line.obs]
    if any(alloc):  # open above, no figure at all: arrows up to the top, named once per run
        shown.add("allocation")
        top = ax.get_xaxis_transform()
        xa = days([o for o, a in zip(line.obs, alloc, strict=True) if a])
        markers(ax, xa, [1.0] * len(xa), colour, arrow("up", -38, 36), transform=top, zorder=3)
        under = top + ScaledTranslation(0, -40 / 72, ax.figure.dpi_scale_trans)
        for i, o in enumerate(line.obs):
            if alloc[i] and not (i and alloc[i - 1]):
                ax.text(days([o])[0], 1.0, ALLOCATION, color=colour, fontsize=8, ha="center",
                        va="top", transform=under, clip_on=True)  # fmt: skip
    pts = [o for o, a in zip(line.obs, alloc, strict=True) if not a]
    x, x0, x1 = days(pts), days(pts, start_of), days(pts, end_of)
    boxes: list[Any] = []  # a range over a month, quarter or year: a shaded box
    bars: list[Any] = []  # a range on one day: a bar from bound to bound
    spans: list[Any] = []  # one figure for a month, quarter or year: a bar across it
    for i, o in enumerate(pts):
        lo, hi = o.value.low, o.value.high
        ranged = lo is not None and hi is not None and lo < hi
        if ranged and is_day(o):
            bars.append([(x[i], lo), (x[i], hi)])
        elif ranged:
            boxes.append([(x0[i], lo), (x0[i], hi), (x1[i], hi), (x1[i], lo)])
        elif not is_day(o):
            y = lo if lo is not None else hi
            spans.append([(x0[i], y), (x1[i], y)])
    shown.update(["span"] if spans or boxes else [])
    shown.update(["range"] if boxes or bars else [])
    if boxes:
        _add(ax, PolyCollection(boxes, facecolors=colour, alpha=BAND_ALPHA,
                                         edgecolors=colour, lw=1.0))  # fmt: skip
    if bars:
        k = line.scale
        _add(ax, LineCollection(bars, colors=colour, alpha=BAND_ALPHA + 0.2, lw=6 * k))
        ends = [(b[0][0], v) for b in bars for v in (b[0][1], b[1][1])]
        markers(ax, [e[0] for e in ends], [e[1] for e in ends], colour, ("_", 9 * k, 2 * k))
    if spans:
        _add(ax, LineCollection(spans, colors=colour, alpha=0.8, lw=2.5))
    _joins(ax, pts, x, line)
    for up in (True, False):  # an open bound: arrows pointing where it is open
        at = [i for i, o in enumerate(pts) if (o.value.high if up else o.value.low) is None]
        shown.update(["open"] if at else [])
        ys = [pts[i].value.low if up else pts[i].value.high for i in at]
        shape = arrow("up" if up else "down", 5 * line.scale, 21 * line.scale)
        markers(ax, x[at], ys, colour, shape, zorder=3)
    single = [i for i, o in enumerate(pts) if o.value.low is None or o.value.high is None
              or o.value.low == o.value.high]  # fmt: skip
    hollow = [o.kind in ("announced", "forecast") for o in pts]
    shown.update(["hollow"] if any(hollow) else [])
    for h in (False, True):
        at = [i for i in single if hollow[i] == h]
        ys = [pts[i].value.low if pts[i].value.low is not None else pts[i].value.high for i in at]
        markers(ax, x[at], ys, colour, (line.marker, 7 * line.scale, 1), "white" if h else None)
    if line.baseline is not None:
        xs = [*x0, *x1] if len(pts) else []
        draw_baseline(ax, line, xs, xlim, line.short if crowded else "")
        shown.add("baseline")


def _joins(ax: Axes, pts: list[Observation], x: Any, line: Line) -> None:
    """Lines from each figure to the next, low bound to low bound and high to high, only
    where both state that bound; between two ranges (or a range and a point) a light fill."""
    from matplotlib.collections import LineCollection, PolyCollection

    segments: dict[tuple[float, float, float, float], None] = {}  # a point's low is its high
    fills: list[Any] = []
    for (i, a), (j, b) in itertools.pairwise(enumerate(pts)):
        for bound in ("low", "high"):
            va, vb = getattr(a.value, bound), getattr(b.value, bound)
            if va is not None and vb is not None:
                segments[(x[i], va, x[j], vb)] = None
        av, bv = a.value, b.value
        both = None not in (av.low, av.high, bv.low, bv.high)
        if both and (av.low != av.high or bv.low != bv.high):
            fills.append([(x[i], av.low), (x[j], bv.low), (x[j], bv.high), (x[i], av.high)])
    if fills:
        _add(ax, PolyCollection(fills, facecolors=line.colour, alpha=FILL_ALPHA, lw=0))
    if segments:
        segs = [[(a, b), (c, d)] for a, b, c, d in segments]
        _add(ax, LineCollection(segs, colors=line.colour, linestyles=line.linestyle,
                                         lw=1.6 * line.scale ** 0.5, zorder=3,
                                         gid="join"))  # fmt: skip


def draw_baseline(ax: Axes, line: Line, xs: Sequence[float], xlim: tuple[float, float],
                  name: str) -> None:  # fmt: skip
    """A stated normal level: dashed across the dates of its own series only, labelled at
    its right end (a series of one date gets a short stretch around that date)."""
    from matplotlib.collections import LineCollection

    base = line.baseline
    assert base is not None
    levels = sorted({b for b in (base.value.low, base.value.high) if b is not None})
    if not levels:  # "normal: allocation" says nothing to draw
        return
    lo, hi = (min(xs), max(xs)) if xs else xlim
    least = (xlim[1] - xlim[0]) * 0.08
    if hi - lo < least:
        lo, hi = (lo + hi - least) / 2, (lo + hi + least) / 2
    segs = [[(lo, v), (hi, v)] for v in levels]
    _add(ax, LineCollection(segs, colors=line.colour, linestyles="--", lw=1.2,
                                     alpha=0.9, zorder=2, gid="normal"))  # fmt: skip
    text = f"{name + ' ' if name else ''}normal: {value_text(base)}"
    ax.annotate(text, (hi, levels[-1]), xytext=(0, 2), textcoords="offset points",
                color=line.colour, fontsize=7.5, ha="right", va="bottom", family=families(),
                annotation_clip=True)  # fmt: skip


# --- a ranked range chart ------------------------------------------------------------


class Row(NamedTuple):
    line: Line
    normal: bool  # the row of the series' stated normal level


def rank_value(line: Line) -> float:
    """Where a series' latest figure ranks: its middle, its one bound, allocation on top."""
    if not line.obs:
        base = line.baseline
        v = base.value if base is not None else None
    else:
        v = line.obs[-1].value
    if v is None or (v.low is None and v.high is None):
        return float("inf")
    if v.low is not None and v.high is not None:
        return (v.low + v.high) / 2
    return v.low if v.low is not None else v.high  # type: ignore[return-value]


def rows_of(lines: Sequence[Line]) -> list[Row]:
    """Highest first; a normal level on its own row right under its series."""
    rows = []
    for line in sorted(lines, key=rank_value, reverse=True):
        if line.obs:
            rows.append(Row(line, False))
        if line.baseline is not None:
            rows.append(Row(line, True))
    return rows


def draw_rows(ax: Axes, rows: Sequence[Row], shown: set[str], dated: bool) -> float:
    """Rows top to bottom on a value axis; returns the largest figure drawn (for the axis).

    Each row: the latest figure in full colour; where the series has an earlier one, that
    first figure in a light shade with a thin arrow to the latest; on the right, the value
    and the change (and the date when the rows are not all of one date)."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.transforms import blended_transform_factory

    right = blended_transform_factory(ax.transAxes, ax.transData)
    n = len(rows)
    boxes: list[Any] = []
    faces: list[Any] = []
    edges: list[Any] = []
    top = 0.0
    for k, row in enumerate(rows):
        y, line = n - 1 - k, row.line
        o = line.baseline if row.normal else line.obs[-1]
        assert o is not None
        lo, hi = o.value.low, o.value.high
        top = max([top, *(b for b in (lo, hi) if b is not None)])
        colour = line.colour
        if row.normal:
            shown.add("normal")
            levels = [b for b in (lo, hi) if b is not None]
            if len(levels) == 2:
                band: Any = [[(lo, y), (hi, y)]]
                _add(ax, LineCollection(band, colors=colour, lw=1.3,
                                                 linestyles="--"))  # fmt: skip
            markers(ax, levels, [y] * len(levels), colour, ("|", 14, 2.2))
            text = f"normal {value_text(o)}"
        else:
            if len(line.obs) > 1:  # the first figure, light, and how it moved
                first = line.obs[0]
                f_lo, f_hi = first.value.low, first.value.high
                top = max([top, *(b for b in (f_lo, f_hi) if b is not None)])
                _row_mark(ax, first, y, colour, boxes, faces, edges, ghost=True)
                a, b = _anchor(first), _anchor(o)
                if a is not None and b is not None and a != b:
                    ax.annotate("", (b, y + 0.3), (a, y + 0.3), arrowprops={
                        "arrowstyle": "-|>", "color": colour, "lw": 0.9, "alpha": 0.7,
                        "shrinkA": 0, "shrinkB": 0, "mutation_scale": 8})  # fmt: skip
                shown.add("first")
            _row_mark(ax, o, y, colour, boxes, faces, edges, ghost=False, shown=shown)
            if lo is None and hi is None:
                shown.add("allocation")
                markers(ax, [0.97], [y], colour, arrow("right", -30, 28), transform=right)
            text = value_text(o)
            if dated:
                text += f" ({day_text(o.period)})"
            extra = change_text(line)
            text += f"  {extra}" if extra else ""
        ax.text(
            1.02,
            y,
            text,
            transform=right,
            va="center",
            ha="left",
            fontsize=8.5,
            color="0.15" if not row.normal else colour,
            family=families(),
            gid="outside",
        )
    if boxes:
        _add(ax, PolyCollection(boxes, facecolors=faces, edgecolors=edges, lw=1.2))
    return top


def _anchor(o: Observation) -> float | None:
    v = o.value
    if v.low is not None and v.high is not None:
        return (v.low + v.high) / 2
    return v.low if v.low is not None else v.high


def _row_mark(ax: Axes, o: Observation, y: float, colour: str, boxes: list[Any],
              faces: list[Any], edges: list[Any], ghost: bool,
              shown: set[str] | None = None) -> None:  # fmt: skip
    """One figure on a row: a band for a range, a dot for a figure, an arrow for an open bound."""
    from matplotlib.colors import to_rgba

    lo, hi = o.value.low, o.value.high
    alpha = 0.12 if ghost else BAND_ALPHA
    if lo is not None and hi is not None and lo < hi:
        h = 0.22 if ghost else 0.32
        boxes.append([(lo, y - h), (lo, y + h), (hi, y + h), (hi, y - h)])
        faces.append(to_rgba(colour, alpha))
        edges.append(to_rgba(colour, 0.35 if ghost else 1.0))
        if shown is not None:
            shown.add("bar")
        return
    v = lo if lo is not None else hi
    if v is None:
        return
    hollow = o.kind in ("announced", "forecast")
    if shown is not None and hollow:
        shown.add("hollow")
    face = "white" if hollow else (to_rgba(colour, 0.3) if ghost else None)
    edge = to_rgba(colour, 0.45) if ghost else colour
    markers(ax, [v], [y], edge, ("o", 6 if ghost else 8, 1.2), face)  # type: ignore[arg-type]
    if not ghost and (lo is None) != (hi is None):
        if shown is not None:
            shown.add("open")
        markers(ax, [v], [y], colour, arrow("right" if hi is None else "left", 5, 22))


def number_formatter(top: float) -> Any:
    from matplotlib.ticker import FuncFormatter

    if top >= 1000:
        return FuncFormatter(lambda v, _: f"{v:,.0f}")
    return FuncFormatter(lambda v, _: human_number(float(v)) if v == v else "")
