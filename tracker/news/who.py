"""Stage 4, who: the supplier a figure belongs to, or none for a market-wide figure.

Signals in a sentence are company names (from the supplier table, and the
shapes of names it does not know: 华正新材, "Chang Chun Group said"), lists of
them (欣兴、南电与景硕), market sources (业内人士, traders, a report) and
pronouns (该公司, 其, the company, they).  A figure takes the nearest signal
before it in its sentence, else the nearest after it ("…, traders say"),
else what the sentence before it in the paragraph was about.  A pronoun
resolves to the last company named.  The words are data, in ``who.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tracker.news.classify import hits
from tracker.news.text import Sentence, longest_first
from tracker.suppliers import alias_key

TABLE = Path(__file__).with_name("who.toml")
COMPANY, MARKET, PRONOUN = "company", "market", "pronoun"


@dataclass
class Mention:
    """A signal in a sentence: a list of companies, a market source or a pronoun."""

    start: int
    end: int
    kind: str
    names: list[str] = field(default_factory=list)  # canonical where known, else as written
    new: list[bool] = field(default_factory=list)  # per name: not in the supplier table


@dataclass
class Who:
    """A figure's attribution: the suppliers (none: market-wide) and how it was found."""

    names: list[str]
    new: list[bool]
    how: str  # 'named', 'pronoun', 'previous sentence', 'market', 'none'


@cache
def table(path: Path = TABLE) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


class Attributor:
    """Finds companies in sentences and attributes figures, sentence after sentence."""

    def __init__(self, aliases: dict[str, str]) -> None:
        t = table()
        self.aliases = aliases
        customers = {alias_key(c) for c in t["customers"]["names"]}
        self.customer_names = customers | {alias_key(aliases.get(c, c)) for c in customers}
        keys = sorted((k for k in aliases if k and k not in customers
                       and alias_key(aliases[k]) not in self.customer_names),
                      key=len, reverse=True)  # fmt: skip
        self.known = re.compile("|".join(re.escape(k) for k in keys)) if keys else None
        self.market = longest_first(w.lower() for w in t["market"]["sources"])
        m = t["market"]
        self.market_verbs = longest_first(w.lower() for w in m["verbs"])
        self.market_quoted = [w.lower() for w in m["quoted"]]
        self.market_places = {w.lower() for w in m["places"]}
        self.place_after = m["place_after"]
        self.pronouns = longest_first(w.lower() for w in t["pronouns"]["words"])
        self.not_pronouns = t["pronouns"]["not_pronouns"]
        o = t["organisations"]
        self.zh_name = re.compile(
            r"[\u4e00-\u9fff]{2,4}?(?:" + "|".join(map(re.escape, o["zh_endings"])) + ")"
        )
        self.zh_before = sorted(o["zh_before"], key=len, reverse=True)
        self.zh_not = set(o["zh_not_names"])
        self.zh_after = sorted(o["zh_after"], key=len, reverse=True)
        verbs = "|".join(re.escape(v) for v in sorted(o["en_verbs"], key=len, reverse=True))
        self.en_name = re.compile(
            r"((?:[A-Z][\w&.\-]*|&)(?:\s+(?:[A-Z][\w&.\-]*|&)){0,4})(?=\s+(?:" + verbs + r")\b)"
        )
        self.en_not = {w.lower() for w in o["en_not_names"]}
        c = t["coordination"]
        self.separators = sorted(c["separators"], key=len, reverse=True)
        self.zh_stops = set(c["zh_stops"])
        self.last_company: Mention | None = None
        self.previous: Who | None = None
        self.paragraph = -1

    # --- finding names -------------------------------------------------------------
    def mentions(self, s: Sentence) -> list[Mention]:
        """Every signal of the sentence, in order; companies of one list are one mention."""
        low = s.work.lower()
        spans: list[tuple[int, int, str, bool]] = []  # (start, end, name, new)

        def free(a: int, b: int) -> bool:
            return not any(x < b and a < y for x, y, _, _ in spans)

        for m in self.known.finditer(low) if self.known else ():
            a, b = m.span()
            if _inside_word(low, a, b, m.group()) or not free(a, b):
                continue
            spans.append((a, b, self.aliases[m.group()], False))
        for a, b, name in self._unknown(s.work, low):
            if free(a, b):
                spans.append((a, b, name, True))
        spans = self._coordinated(s.work, sorted(spans))
        out = self._groups(low, spans)
        taken = [(m.start, m.end) for m in out]
        for kind, vocab in ((MARKET, self.market), (PRONOUN, self.pronouns)):
            for a, b, w in hits(low, vocab):
                if any(x < b and a < y for x, y in taken) or self._not_pronoun(low, a):
                    continue
                if kind == MARKET and not self._speaks(low, a, b, w):
                    continue
                if w.isascii() and ((s.work[a:b].isupper() and b - a > 1) or
                                    low[b:b + 1] == "-" or low[a - 1:a] == "-"):  # fmt: skip
                    continue  # "IT-988G" is a product code, not "it"
                out.append(Mention(a, b, kind))
                taken.append((a, b))
        return sorted(out, key=lambda m: m.start)

    def _speaks(self, low: str, a: int, b: int, word: str) -> bool:
        """Whether a market source at low[a:b] is the one speaking (see who.toml)."""
        after = low[b : b + 24]
        m = re.match(r"[^,;.。，；]{0,10}?", after)
        stretch = after[: (m.end() if m else 0) + 12]
        if any(re.match(rf"[^,;.。，；]{{0,10}}?{re.escape(v)}", stretch) for v in
               self.market_verbs):  # fmt: skip
            return True
        before = low[max(0, a - 16) : a]
        if any(re.search(rf"{re.escape(q)}[^,;.。，；]{{0,10}}$", before)
               for q in self.market_quoted):  # fmt: skip
            return True
        return word in self.market_places and any(after.startswith(p) for p in self.place_after)

    def _not_pronoun(self, low: str, a: int) -> bool:
        return any(low.startswith(w, a) or low.startswith(w, a - 1) for w in self.not_pronouns)

    def _unknown(self, work: str, low: str) -> list[tuple[int, int, str]]:
        """Names the table does not know, by their shape."""
        out = []
        for m in self.zh_name.finditer(work):
            if not any(work.startswith(w, m.end()) for w in self.zh_after):
                continue  # a name is the subject of a verb: 超华科技则表示
            found = self._zh_start(work, m.start(), m.end())
            if found and found[2] not in self.zh_not and not hits(found[2].lower(), self.market):
                out.append(found)
        for m in self.en_name.finditer(work):
            words = m.group(1).split()
            while words and (words[0].lower().rstrip("'s") in self.en_not or
                             words[0].lower() in self.en_not):  # fmt: skip
                words.pop(0)
            if not words or all(w.lower() in self.en_not for w in words):
                continue
            name = " ".join(words)
            a = m.end(1) - len(name)
            if alias_key(name) in self.customer_names:
                continue
            out.append((a, m.end(1), name))
        return out

    def _zh_start(self, work: str, a: int, b: int) -> tuple[int, int, str] | None:
        """Where a Chinese name ending at `b` starts: right after punctuation, a list
        separator or a function word (the longest such name of 2-4 characters + ending)."""
        for start in range(a, b - 2):
            prev = work[start - 1] if start > 0 else ""
            if start == 0 or not ("\u4e00" <= prev <= "\u9fff") or any(
                    work[:start].endswith(w) for w in self.zh_before):  # fmt: skip
                return start, b, work[start:b]
        return None

    def _coordinated(self, work: str, spans: list[tuple[int, int, str, bool]]
                     ) -> list[tuple[int, int, str, bool]]:  # fmt: skip
        """Names listed with a known one are names too: 生益科技、南亚新材和金安国纪."""
        out = list(spans)
        for _a, b, _n, _new in spans:
            for sep in self.separators:
                if work.startswith(sep, b):
                    piece = self._piece(work, b + len(sep))
                    if piece and not any(x < piece[1] and piece[0] < y for x, y, _, _ in out):
                        out.append((piece[0], piece[1], piece[2], True))
                    break
        return sorted(out)

    def _piece(self, work: str, at: int) -> tuple[int, int, str] | None:
        m = re.match(r"[\u4e00-\u9fff]{2,6}", work[at:])
        if m:
            text = m.group()
            cut = next((i for i, c in enumerate(text) if i >= 2 and c in self.zh_stops), len(text))
            text = text[:cut]
            return (at, at + len(text), text) if len(text) >= 2 else None
        m = re.match(r"[A-Z][\w&\-]*(?:\s+[A-Z][\w&\-]*){0,3}", work[at:])
        if m and m.group().split()[0].lower() not in self.en_not:
            return at, at + m.end(), m.group()
        return None

    def _groups(self, low: str, spans: list[tuple[int, int, str, bool]]) -> list[Mention]:
        """Names separated only by list separators form one mention."""
        out: list[Mention] = []
        for a, b, name, new in spans:
            if out and out[-1].kind == COMPANY and _only_separators(
                    low[out[-1].end:a], self.separators):  # fmt: skip
                out[-1].end = b
                if name not in out[-1].names:
                    out[-1].names.append(name)
                    out[-1].new.append(new)
                continue
            out.append(Mention(a, b, COMPANY, [name], [new]))
        return out

    # --- attribution ---------------------------------------------------------------
    def start_sentence(self, s: Sentence) -> list[Mention]:
        """Begin a sentence; returns its signals (for `attribute`)."""
        if s.paragraph != self.paragraph:
            self.previous, self.paragraph = None, s.paragraph
        return self.mentions(s)

    def attribute(self, signals: list[Mention], at: int) -> Who:
        """Who the figure at offset `at` belongs to."""
        before = [m for m in signals if m.end <= at]
        after = [m for m in signals if m.start >= at]
        for m, how in ([(before[-1], "named")] if before else []) + (
                [(after[0], "named after")] if after else []):  # fmt: skip
            return self._resolve(m, signals, how)
        if self.previous is not None:
            return Who(self.previous.names, self.previous.new, "previous sentence")
        return Who([], [], "none")

    def _resolve(self, m: Mention, signals: list[Mention], how: str) -> Who:
        if m.kind == COMPANY:
            return Who(m.names, m.new, how)
        if m.kind == MARKET:
            return Who([], [], "market")
        earlier = [x for x in signals if x.kind == COMPANY and x.end <= m.start]
        ref = earlier[-1] if earlier else self.last_company
        if ref is None:
            return Who([], [], "market")
        return Who(ref.names, ref.new, "pronoun")

    def end_sentence(self, signals: list[Mention]) -> None:
        """Remember what the sentence was about, for the next one."""
        companies = [m for m in signals if m.kind == COMPANY]
        if companies:
            self.last_company = companies[-1]
        if signals:
            self.previous = self._resolve(signals[-1], signals, "named")


def _inside_word(low: str, a: int, b: int, alias: str) -> bool:
    """ "SCC" inside a word, "EMC" inside "EMCs" is not a name."""
    if not alias.isascii():
        return False
    return (a > 0 and low[a - 1].isascii() and low[a - 1].isalnum()) or (
        b < len(low) and low[b].isascii() and low[b].isalnum()
    )


def _only_separators(gap: str, separators: list[str]) -> bool:
    rest = gap
    for sep in separators:
        rest = rest.replace(sep, "")
    return (gap != "" and rest.strip() == "") or gap.strip() in ("、", "与", "和", "及", "and", "&")
