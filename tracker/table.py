"""Plain-text tables that line up with Chinese text (wide characters count as two)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from tracker.terminal import visible


def width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide and full-width count 2."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def clip(text: str, limit: int) -> str:
    """Cut to at most `limit` columns, marking the cut with '…'."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def render(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[int] = (),
    max_width: int | None = None,
) -> str:
    """Header, rule and rows, columns padded to the widest cell.

    `right` lists the columns to right-align (numbers).  With `max_width`, the
    widest columns are clipped until the table fits.  Cells are shown with control
    and bidi characters escaped (tracker.terminal), so a name cannot act on a terminal.
    """
    cells = [[visible(str(c)) for c in r] for r in [header, *rows]]
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    if max_width:
        while sum(widths) + 2 * (len(widths) - 1) > max_width and max(widths) > 8:
            i = widths.index(max(widths))
            widths[i] -= 1
    lines = []
    for n, r in enumerate(cells):
        parts = []
        for i, c in enumerate(r):
            c = clip(c, widths[i])
            pad = " " * (widths[i] - width(c))
            parts.append(pad + c if i in right else c + pad)
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
