"""Close names for a name that matches nothing: "did you mean MGC?".

Why a module of its own: a filter value that selects nothing and a unit typo both end
in an empty or refused result that does not say why; the fix is nearly always a
spelling, so the message names the closest known spellings.  Pure functions over the
names the caller knows (the database's, or the unit table's): no I/O here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

# difflib's ratio cut-off: MGX/MGC (0.67) and weks/weeks (0.89) pass, unrelated names not
CUTOFF = 0.6


def close(word: str, names: Iterable[str], n: int = 3, cutoff: float = CUTOFF) -> list[str]:
    """Up to `n` of `names` closest to `word`, compared without case, best first.

    Names are returned as given (their first spelling when two differ only in case).
    """
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(name.casefold(), name)
    keys = difflib.get_close_matches(word.casefold().strip(), list(by_key), n=n, cutoff=cutoff)
    return [by_key[k] for k in keys]


def did_you_mean(candidates: list[str]) -> str:
    """'; did you mean MGC?' or '; did you mean 7628 or 1037?' ('' for none)."""
    if not candidates:
        return ""
    shown = [c if c.strip() == c and c else repr(c) for c in candidates]
    if len(shown) == 1:
        return f"; did you mean {shown[0]}?"
    return f"; did you mean {', '.join(shown[:-1])} or {shown[-1]}?"


def unmatched(
    field: str, value: str, known: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str:
    """The message for a filter value `value` of `field` that no series has.

    `known` are the values the database holds; for suppliers, `aliases` (alias key ->
    canonical name) lets 'Mitsubishi Gsa Chemical' suggest MGC.  With no close name, the
    message lists up to ten known ones, as csvkit's "Column names are: ..." does.
    """
    names = sorted(set(known), key=str.casefold)
    pool = list(names)
    if aliases:
        pool += [a for a, canon in aliases.items() if canon in set(names)]
    hits = close(value, pool)
    if aliases:  # an alias is shown as the supplier it stands for
        hits = list(dict.fromkeys(aliases.get(h, h) for h in hits))
    text = f"no {field} matches {value!r}"
    if hits:
        return text + did_you_mean(hits)
    if not names:
        return text + " (the database holds none)"
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return text + f"; known: {', '.join(names[:10])}{more}"
