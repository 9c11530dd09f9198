"""Text for people's screens: control and bidi characters shown, never obeyed.

A supplier named ``\\x1b]0;pwned\\x07`` would retitle the terminal, and ``\\u202e``
would print the rest of a line backwards.  Every text the tracker shows a person
(tables, the report, messages, a CSV sent to a terminal) goes through
:func:`visible`, which writes such characters as the escapes Python uses
(``\\x1b``, ``\\u202e``).  Escaped: Unicode's control characters (C0, DEL, C1),
format characters (bidi controls, zero-width characters, the soft hyphen, BOMs),
line and paragraph separators, and lone surrogates.  Letters, marks, spaces and
symbols of every script are shown as they are.  A backslash is not doubled: the
escapes are for reading, and the exact text is in the CSV and JSON outputs.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def unsafe(c: str) -> bool:
    """Whether a terminal could act on `c` (or show it as nothing at all)."""
    return unicodedata.category(c) in _UNSAFE_CATEGORIES


def escape(c: str) -> str:
    """One character as the escape shown for it: \\n, \\x1b, \\u202e, \\U000e0001."""
    o = ord(c)
    return _NAMED.get(c) or (
        f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"
    )


def visible(text: str, keep: str = "") -> str:
    """`text` with every control, format or separator character escaped, but those in
    `keep` (``"\\n"`` for text of several lines)."""
    if text.isprintable():  # the common case: nothing to look at character by character
        return text
    return "".join(escape(c) if c not in keep and unsafe(c) else c for c in text)


def describe(c: str) -> str:
    """'U+200B ZERO WIDTH SPACE', for a message about one character."""
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" {name}" if name else "")


def json_visible(dumped: str) -> str:
    """JSON text (from json.dumps(..., ensure_ascii=False)) with the characters json
    leaves raw that a terminal would act on written as \\u escapes: the same JSON value,
    safe to print.  json escapes C0 controls inside strings, so a raw newline left is
    layout, and kept."""
    if dumped.replace("\n", "").isprintable():  # C speed over a big listing
        return dumped
    return _CANDIDATE.sub(lambda m: _json_escape(m[0]) if unsafe(m[0]) else m[0], dumped)


_CANDIDATE = re.compile(r"[^\x20-\x7e\n]")  # checked one by one: anything not plain ASCII


def _json_escape(c: str) -> str:
    o = ord(c)
    if o < 0x10000:
        return f"\\u{o:04x}"
    o -= 0x10000  # a surrogate pair, as JSON writes a character beyond the BMP
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"
