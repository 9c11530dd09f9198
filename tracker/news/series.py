"""Reusing the database's names: a proposed row joins the series already there.

The press names one thing several ways ("Low CTE" glass cloth where the
database says "NS/NSF Low CTE Glass"; 载板 where it says "ABF substrate").
A proposed row whose supplier, metric and unit match one existing series, and
whose material and product are compatible with it (the same family or a
generic word for it; the same product or one whose words are all in the
other's), takes that series' names, so an import does not add a near-duplicate
series.  Two or more compatible series: the row is left as read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from tracker.scoring import same_product
from tracker.suppliers import resolve

if TYPE_CHECKING:
    from tracker.news.pipeline import Candidate

# A generic family and the specific ones it may stand for.
RELATED = {
    "ic substrate": {"abf substrate", "bt substrate"},
    "glass fiber": {"glass cloth", "glass yarn"},
}

Series = tuple[str, str, str, str, str]  # supplier ('' market), material, product, metric, unit


def existing(conn: sqlite3.Connection) -> list[Series]:
    """Every series of the database (plain SQL: series joined with suppliers)."""
    rows = conn.execute(
        "SELECT COALESCE(s.name, ''), se.material, COALESCE(se.product, ''), se.metric, se.unit "
        "FROM series se LEFT JOIN suppliers s ON s.id = se.supplier_id"
    ).fetchall()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def _material_fits(a: str, b: str) -> bool:
    a, b = a.casefold(), b.casefold()
    return a == b or b in RELATED.get(a, set()) or a in RELATED.get(b, set())


def reuse(rows: Iterable[Candidate], series: list[Series], aliases: dict[str, str]
          ) -> list[Candidate]:  # fmt: skip
    """The rows, each renamed to the one existing series it fits, if there is one."""
    from tracker.units import parse_unit

    out = []
    for c in rows:
        try:
            unit = parse_unit(c.unit).canonical
        except Exception:  # a unit the tracker does not know: nothing to match
            out.append(c)
            continue
        who = resolve(c.supplier, aliases) if c.supplier else ""
        same = [s for s in series if s[0].casefold() == who.casefold() and s[3] == c.metric
                and s[4] == unit]  # fmt: skip
        if any(s[1].casefold() == c.material.casefold() and s[2].casefold() == c.product.casefold()
               for s in same):  # fmt: skip
            out.append(c)
            continue
        fits = [s for s in same if _material_fits(c.material, s[1])
                and (same_product(c.product, s[2]) or (not c.product and s[1] != c.material
                                                       and not s[2]))]  # fmt: skip
        if len(fits) == 1:
            s = fits[0]
            note = f"{c.note}; names of the existing series" if c.note else \
                "names of the existing series"  # fmt: skip
            c = replace(c, material=s[1], product=s[2], note=note)
        out.append(c)
    return out
