"""Fonts for charts: a CJK font found through matplotlib's font manager, and text it can draw.

matplotlib caches its font list (``fontlist-v*.json``) and never looks again, so
a CJK font installed after the first chart stays invisible until that cache is
deleted by hand.  :func:`cjk_font` looks at the fonts on the system when the
cached list has none, adds the new ones and writes the cache again, once.
Without any CJK font, Chinese text becomes an English placeholder such as
``(Chinese title)`` and :func:`missing_font_notice` says how to install one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

# Open-licence fonts first (Noto/Source Han: OFL; WenQuanYi: GPL with font exception).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
             "Source Han Sans CN", "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB",
             "Droid Sans Fallback", "Arial Unicode MS")  # fmt: skip
NO_CJK_NOTICE = ("note: no CJK font installed, Chinese text in charts is shown as "
                 "'(Chinese ...)'; install one, e.g. `apt-get install fonts-wqy-microhei` "
                 "or `fonts-noto-cjk`")  # fmt: skip


@cache
def cjk_font() -> str | None:
    """An installed font family with Chinese glyphs (checked in its character map), or None.

    When matplotlib's cached font list has none, the system's font files are listed and
    any the cache does not know are added and the cache rewritten, so that a font
    installed since the cache was made is found now and by every later run."""
    from matplotlib import font_manager

    family = _cjk_in(font_manager.fontManager.ttflist)
    if family is None and _add_new_system_fonts():
        family = _cjk_in(font_manager.fontManager.ttflist)
    return family


def _cjk_in(fonts: Iterable[object]) -> str | None:
    from matplotlib.ft2font import FT2Font

    by_name = {f.name: f.fname for f in fonts}  # type: ignore[attr-defined]
    for family in CJK_FONTS:
        try:
            if family in by_name and ord("中") in FT2Font(by_name[family]).get_charmap():
                return family
        except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
            continue
    return None


def _add_new_system_fonts() -> bool:
    """Add the system fonts the cached list lacks; rewrite the cache.  True if any were new."""
    from pathlib import Path

    import matplotlib
    from matplotlib import font_manager

    fm = font_manager.fontManager
    known = {Path(f.fname).resolve() for f in fm.ttflist}
    new = [p for p in font_manager.findSystemFonts() if Path(p).resolve() not in known]
    added = False
    for path in new:
        try:
            fm.addfont(path)
            added = True
        except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
            continue
    if added:
        _fonts.cache_clear()
        cache_file = Path(matplotlib.get_cachedir(), f"fontlist-v{fm.__version__}.json")
        font_manager.json_dump(fm, cache_file)  # a read-only cache: logged, found again next run
    return added


@cache
def _fonts() -> tuple[list[str], frozenset[int], frozenset[int]]:
    """Families for every text (a CJK fallback when there is one), the characters they draw
    together, and those the first alone draws (a CJK fallback font may have no bold face)."""
    families = ["sans-serif"] + ([cjk] if (cjk := cjk_font()) else [])
    charmaps = [_charmap(family) for family in families]
    return families, frozenset().union(*charmaps), charmaps[0]


def families() -> list[str]:
    """The font families to give every text: the default sans-serif, then the CJK one."""
    return _fonts()[0]


def drawable_alone(text: str) -> bool:
    """True if the default font alone has every character (so bold is safe)."""
    first = _fonts()[2]
    return all(ord(c) in first for c in text)


def _charmap(family: str) -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=[family]))
    return frozenset(FT2Font(path).get_charmap())


def missing_font_notice(texts: Iterable[str | None]) -> str | None:
    """The one-line notice when some text is Chinese and no CJK font can draw it, else None."""
    if cjk_font() is not None:
        return None
    for t in texts:
        if t and any(_is_han(c) for c in t):
            return NO_CJK_NOTICE
    return None


def _is_han(c: str) -> bool:
    return "CJK" in unicodedata.name(c, "")


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
            han = any(_is_han(c) for c in lost)
            return f"({'Chinese' if han else 'non-Latin'} {what}{tag})"
        text = kept
    return " ".join(text.split()).replace("$", r"\$")
