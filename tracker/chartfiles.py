"""Where charts go and how they are laid out and written.

File names come only from sanitised supplier names (:func:`chart_stems`), never a
path; a chart is laid out once by measure and drawn once (:func:`save`); a PNG is
written straight from the canvas; ``index.html`` shows every chart written.
"""

from __future__ import annotations

import hashlib
import html
import re
import struct
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.output import open_output, write_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_RESERVED = {"overview", "market-wide"}  # stems of charts that are not one named supplier
SAFE_STEM = re.compile(r"^[a-z0-9_-]{1,80}$")


def save(fig: Figure, path: Path, fmt: str, dpi: int, database: str | None = None) -> None:
    """Lay a chart out once, by measure, and write it, drawing it once: constrained layout walks
    every artist twice and has savefig draw once more.  The axes grid goes between the title
    and the footnote, with room for tick labels, panel titles, legends and the value column."""
    from matplotlib.ticker import FixedFormatter, FixedLocator
    from matplotlib.transforms import Bbox

    axes, canvas = fig.axes, fig.canvas
    r = canvas.get_renderer()  # type: ignore[attr-defined]
    fig.set_layout_engine("none")
    (w, h), pad, title, note = fig.bbox.size, fig.dpi * 4 / 72, fig.texts[0], fig.texts[-1]
    title.set_y(1 - pad / h)
    if axes[0].axison:  # not the note of an empty chart
        if getattr(fig, "_tracker_dates", False):  # date ticks found and named once, not per axes
            at = axes[-1].xaxis.get_major_locator()()
            dates = axes[-1].xaxis.get_major_formatter()
            names = FixedFormatter(dates.format_ticks(list(at)))
            names.set_offset_string(dates.get_offset())
            for ax in axes:  # shared: one locator for all; else each its own (same limits)
                ax.xaxis.set_major_locator(FixedLocator(at))
                ax.xaxis.set_major_formatter(names)
        note.set_y(pad / h)
        over = []  # how far each axes' labels, legend and value column reach past it
        for ax in axes:
            parts = [ax.yaxis.get_tightbbox(r)]
            if ax.xaxis.get_tick_params()["labelbottom"] or ax.get_xlabel():  # else ticks only
                parts.append(ax.xaxis.get_tightbbox(r))
            legend = ax.get_legend()
            parts += [legend.get_window_extent(r)] if legend is not None else []
            parts += [t.get_window_extent(r) for t in ax.texts if t.get_gid() == "outside"]
            u, b = Bbox.union([ax.bbox, *(p for p in parts if p is not None)]), ax.bbox
            titles = (ax.title, ax._left_title)  # type: ignore[attr-defined]
            heads = [t.get_window_extent(r).y1 for t in titles if t.get_text()]
            up = max([u.y1, *heads]) - b.y1  # a panel's title: above it, never beside it
            over.append((b.x0 - u.x0, u.x1 - b.x1, b.y0 - u.y0, up))
        left, right, below, above = (max(0.0, max(o[i] for o in over)) for i in range(4))
        grid = axes[0].get_subplotspec().get_gridspec()  # type: ignore[union-attr]
        rows, cols = grid.get_geometry()
        ratios: list[float] = list(grid.get_height_ratios() or [1] * rows)  # type: ignore[arg-type]
        top = title.get_window_extent(r).y0 - pad
        bottom = note.get_window_extent(r).y1 + pad
        width = (w - 2 * pad - cols * (left + right) - (cols - 1) * 2 * pad) / cols
        room = top - bottom - rows * (above + below) - (rows - 1) * pad
        heights = [room * q / sum(ratios) for q in ratios]
        for ax in axes:
            spec = ax.get_subplotspec()
            assert spec is not None
            row, col = spec.rowspan.start, spec.colspan.start
            x0 = pad + left + col * (width + right + 2 * pad + left)
            y1 = top - above - sum(heights[:row]) - row * (above + below + pad)
            ax.set_position((x0 / w, (y1 - heights[row]) / h, width / w, heights[row] / h))
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


def chart_stems(suppliers: Iterable[str | None]) -> dict[str | None, str]:
    """A file-name stem per supplier: only [a-z0-9-], never a path, never shared.

    Nothing is transliterated: a name with non-ASCII letters, or with none left
    (``..``), gets a short stable hash.  Names that reduce to one stem (``A/B``
    and ``A B``) or to a stem of the tool's own (``overview``) get a hash each.
    """
    names = sorted(set(suppliers), key=supplier_order)
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


def supplier_order(name: str | None) -> tuple[bool, str, str]:
    """Sorted by name, any case, market-wide (None) last."""
    return (name is None, (name or "").casefold(), name or "")


def write_contact_sheet(out_dir: Path, paths: Sequence[Path], titles: Sequence[tuple[str, str]],
                  metrics: dict[str, str], database: str | None) -> Path:  # fmt: skip
    """index.html beside the charts: every chart, under its metric, titled, linked."""
    head = ("<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n"
            "<title>Charts</title>\n<style>body{font-family:system-ui,sans-serif;margin:1.5em}"
            ".g{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1.2em}"
            "figure{margin:0}img{width:100%;border:1px solid #ddd}"
            "figcaption{font-size:.9em;margin-top:.3em}code{color:#666}</style>\n")  # fmt: skip
    body = [f"<h1>Charts</h1>\n<p>{len(paths)} charts written by <code>tracker chart</code>.</p>"]
    for metric in metrics:
        mine = [(p, t) for p, (m, t) in zip(paths, titles, strict=True) if m == metric]
        if not mine:
            continue
        body.append(f'<h2>{html.escape(metrics[metric].capitalize())}</h2>\n<div class="g">')
        for p, t in mine:
            name, text = html.escape(p.name), html.escape(t.replace(r"\$", "$"))
            body.append(f"<figure><a href=\"{name}\"><img src=\"{name}\" alt=\"{text}\" "
                        f"loading=\"lazy\"></a><figcaption>{text}<br><code>{name}</code>"
                        "</figcaption></figure>")  # fmt: skip
        body.append("</div>")
    path = out_dir / "index.html"
    write_bytes(path, (head + "\n".join(body) + "\n</html>\n").encode(), in_folder=True,
                database=database)  # fmt: skip
    return path
