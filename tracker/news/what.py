"""Stage 5, what: the material family and the product a figure is about.

Materials come from a word table (覆铜板, "glass fabric" ...); a generic word
(载板, "substrate") means the last specific one named before it.  Products
come from the shapes of codes (FR-4, HVLP4, IT-180A, "MEGTRON 7", T-glass,
7628 before a cloth word, 0402 case sizes, 6μm before a foil word), from a
product name in brackets after a material (BT材料(NS/NSF Low CTE Glass)), and
from a table of descriptive grades (高Tg, 车规级, large-body).  A figure takes
the products nearest before it in its clause (a list gives one row each),
else from an earlier clause of its sentence when its own clause names no
subject.  The words are data, in ``what.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tracker.news.classify import hits
from tracker.news.text import Sentence, fold, longest_first

TABLE = Path(__file__).with_name("what.toml")

_CODE = re.compile(r"(?<![A-Za-z0-9\-/])[A-Z][A-Za-z]{0,5}-?\d{1,4}[A-Z]?(?![A-Za-z0-9])")
_LINE = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z]{3,} \d{1,3}[A-Z]?(?![A-Za-z0-9.%])")
_HYPHEN = re.compile(
    r"(?<![A-Za-z\-])(?:[A-Z]{1,2}-[a-z]{3,}|[A-Za-z]+-[A-Z][A-Za-z]*)(?![A-Za-z\-])"
)
_STYLE = re.compile(r"(?<![\d.\-A-Za-z])(\d{3,4})(?![\d.%])")
_THICK = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*-?\s*(μm|um|微米|microns?|mm)(?![A-Za-z])")
_PAREN = re.compile(r"[(（]([^()（）]{1,40})[)）]")
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"}  # fmt: skip


@dataclass(frozen=True)
class Product:
    start: int
    end: int
    name: str
    rank: int  # 0 bracketed name, 1 code, 2 thickness, 3 grade word


@cache
def table(path: Path = TABLE) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


class Describer:
    """Names material and product per figure, remembering what came before."""

    def __init__(self, title: str, body: str) -> None:
        t = table()
        self.materials = {k.lower(): v for k, v in t["materials"].items()}
        self.generic = {k.lower(): tuple(v) for k, v in t["generic"].items()}
        self.grades = {k.lower(): v for k, v in t["products"].items()}
        self.not_codes = {c.lower() for c in t["shapes"]["not_codes"]}
        self.own_subject = [w.lower() for w in t["shapes"]["own_subject"]]
        self.back = [w.lower() for w in t["shapes"]["back"]]
        self.implies = [(re.compile(k), v) for k, v in t["implies"].items()]
        self.vocab = longest_first([*self.materials, *self.generic])
        self.grade_vocab = sorted(self.grades, key=len, reverse=True)
        self.last_specific: dict[str, str] = {}
        self.previous_material = ""
        self.previous_products: list[str] = []
        self.paragraph = -1
        counts: Counter[str] = Counter()
        for text, weight in ((title, 3), (body, 1)):
            for _a, _b, w in hits(fold(text).lower(), self.vocab):
                counts[self.materials.get(w) or self.generic[w][1]] += weight
        self.dominant = counts.most_common(1)[0][0] if counts else ""

    # --- materials -----------------------------------------------------------------
    def material_mentions(self, s: Sentence) -> list[tuple[int, str]]:
        """(offset, family) of each material word, generic words resolved."""
        out = []
        for a, _b, w in hits(s.work.lower(), self.vocab):
            if w in self.materials:
                family = self.materials[w]
                for fam, _default in self.generic.values():
                    if family.lower().endswith(fam):
                        self.last_specific[fam] = family
            else:
                fam, default = self.generic[w]
                family = self.last_specific.get(fam, default)
            out.append((a, family))
        return out

    # --- products ------------------------------------------------------------------
    def product_mentions(self, s: Sentence, taken: list[tuple[int, int]],
                         quantities: list[tuple[int, int]]) -> list[Product]:  # fmt: skip
        """Products named in the sentence; `taken` are company names, `quantities` figures."""
        work, low = s.work, s.work.lower()
        found: list[Product] = []

        def add(a: int, b: int, name: str, rank: int) -> None:
            if any(x < b and a < y for x, y in taken) or any(
                    p.start < b and a < p.end for p in found):  # fmt: skip
                return
            found.append(Product(a, b, name, rank))

        for m in _PAREN.finditer(work):
            inner = m.group(1).strip()
            inner = re.sub(r"^(?:如|例如|e\.g\.|such as)\s*", "", inner)
            name = re.sub(r"\s*(?:系列|series|型号|规格|grade)$", "", inner, flags=re.IGNORECASE)
            if (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 /+.\-]*", name) and
                    name.lower() not in self.not_codes and name.lower() not in self.materials
                    and not any(x < m.end() and m.start() < y for x, y in taken)):  # fmt: skip
                add(m.start(1), m.end(1), name, 0)
        for rx in (_LINE, _CODE, _HYPHEN):
            for m in rx.finditer(work):
                text = m.group()
                first = text.split()[0].lower()
                if text.lower() in self.not_codes or first in _MONTHS or first in self.not_codes:
                    continue
                if rx is _LINE and any(a <= m.end() - 1 < b for a, b in quantities):
                    continue  # "Murata 20 weeks": the number is a figure
                if rx is _HYPHEN and text.lower() not in self.grades and not re.search(
                        r"(?:^[A-Z]{1,2}-)|-[A-Z]", text):  # fmt: skip
                    continue
                add(m.start(), m.end(), self.grades.get(text.lower(), text), 1)
        for m in _STYLE.finditer(work):
            after = low[m.end() : m.end() + 12].lstrip()
            styled = re.match(r"(?:电子布|玻纤布|薄布|超薄布|布|cloth|fabric|型号|规格|系列|parts|"
                              r"capacitors|mlcc|style)", after)  # fmt: skip
            case = m.group(1).startswith("0") and len(m.group(1)) == 4
            if (styled or case) and not any(a <= m.start() < b for a, b in quantities):
                add(m.start(), m.end(), m.group(1), 1)
        for m in _THICK.finditer(work):
            after = low[m.end() : m.end() + 16]
            if re.match(r"\s*(?:[\u4e00-\u9fff]{0,3}?(?:箔|布|规格|产品|型号)|[a-z ]{0,20}?"
                        r"(?:foil|cloth|fabric|grade))", after):  # fmt: skip
                unit = "mm" if m.group(2) == "mm" else "μm"
                add(m.start(), m.end(), f"{m.group(1)}{unit}", 2)
        for a, b, w in hits(low, self.grade_vocab):
            add(a, b, self.grades[w], 3)
        return sorted(found, key=lambda p: p.start)

    # --- per figure ----------------------------------------------------------------
    def start_sentence(self, s: Sentence) -> None:
        if s.paragraph != self.paragraph:
            self.previous_material, self.paragraph = "", s.paragraph

    def describe(self, s: Sentence, at: int, materials: list[tuple[int, str]],
                 products: list[Product]) -> tuple[str, list[str]]:  # fmt: skip
        """(material, products) of the figure at offset `at`."""
        clause = s.clause_at(at)
        names = self._products(s, at, clause, products)
        before = [f for a, f in materials if a < at]
        in_clause_after = [f for a, f in materials if clause[0] <= a < clause[1] and a >= at]
        if before:
            material = before[-1]
        elif in_clause_after:
            material = in_clause_after[0]
        else:
            material = next((v for name in names for rx, v in self.implies if rx.search(name)), "")
            material = material or (materials[0][1] if materials else "")
            material = material or self.previous_material or self.dominant
        return material, names

    def _products(self, s: Sentence, at: int, clause: tuple[int, int],
                  products: list[Product]) -> list[str]:  # fmt: skip
        low = s.work.lower()
        own = [p for p in products if clause[0] <= p.start < clause[1]]
        near = [p for p in own if p.start < at] or [p for p in own if p.start >= at]
        if near:
            return self._group(low, near, before=bool([p for p in own if p.start < at]))
        subject = hits(low, self.own_subject + self.vocab, clause[0], clause[1])
        earlier = [p for p in products if p.start < clause[0]]
        if earlier and not subject:
            return self._group(low, earlier, before=True)
        if not products and hits(low, self.back, 0, at) and self.previous_products:
            return list(self.previous_products)
        return []

    def _group(self, low: str, near: list[Product], before: bool) -> list[str]:
        """The nearest product and those listed with it (0201与0402, "Tachyon 100G and
        I-Speed"); a code or a bracketed name wins over a grade word ("IT-180A high-Tg
        laminate" is IT-180A)."""
        codes = [p for p in near if p.rank < 3]
        pool = codes or near
        chosen = pool[-1] if before else pool[0]
        ordered = sorted(pool, key=lambda p: p.start)
        i = ordered.index(chosen)
        group = [chosen]
        j = i - 1
        while j >= 0 and _listed(low[ordered[j].end : group[0].start]):
            group.insert(0, ordered[j])
            j -= 1
        j = i + 1
        while j < len(ordered) and _listed(low[group[-1].end : ordered[j].start]):
            group.append(ordered[j])
            j += 1
        return list(dict.fromkeys(p.name for p in group))

    def end_sentence(self, materials: list[tuple[int, str]], products: list[str]) -> None:
        if materials:
            self.previous_material = materials[-1][1]
        if products:
            self.previous_products = products


def _listed(gap: str) -> bool:
    """Whether two products are written as one list: 0201与0402, "A and B", "A/B"."""
    return re.fullmatch(r"\s*(?:与|和|及|、|,|/|and|or|&)\s*", gap) is not None
