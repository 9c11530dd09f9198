"""Stage 1, text: an article's body as sentences and clauses, each with its offsets.

Every later stage works on one :class:`Sentence` at a time and keeps its
offsets, so a proposed row can quote its sentence exactly and mark its figure.
Characters are folded one for one (full-width digits and letters to ASCII,
``～`` to ``~``) in a working copy, so offsets into the working copy are
offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.errors import TrackerError

# A sentence ends at 。！？ (and their ASCII forms in Chinese text), or at . ! ?
# followed by white space; a decimal point or "U.S." has no space after it.
_SENTENCE_END = re.compile(r"[。！？]+[”」』）)]?|[.!?]+[\"'”’)]?(?=\s|$)")
# A clause ends at a comma or semicolon; an ASCII comma between digits is a
# thousands separator ("US$2,800").
_CLAUSE_END = re.compile(r"[，；;：]|,(?!\d{3}(?!\d))|:(?!\d)")
_DATE_LINE = re.compile(
    r"^\s*(?:发布日期|发布时间|日期|Published|Date|Posted)\s*[:：]?\s*"
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$",
    re.IGNORECASE,
)


@dataclass
class Sentence:
    """One sentence of the article.

    Attributes:
        text: the sentence exactly as written (the quote of its rows).
        work: the same text folded one character for one (digits, ~, %).
        start: offset of the sentence in the body.
        paragraph: index of its paragraph (blank-line or line separated).
        clauses: (start, end) offsets of its clauses within the sentence.
    """

    text: str
    work: str
    start: int
    paragraph: int
    clauses: list[tuple[int, int]] = field(default_factory=list)

    def clause_at(self, pos: int) -> tuple[int, int]:
        """The clause holding offset `pos` of the sentence."""
        for a, b in self.clauses:
            if a <= pos < b:
                return a, b
        return self.clauses[-1] if self.clauses else (0, len(self.text))


@dataclass
class Article:
    """What the reader found: a title, a date line if there was one, and the body."""

    title: str
    published: date | None
    body: str


def longest_first(words: Iterable[str]) -> list[str]:
    """Each word once, longest first, words of one length in code-point order.

    Matching takes the first of two overlapping words, so a tie must not be left to a
    set's order: that changes with the string hash seed, and with it the span a figure
    gets from one run to the next (and a candidate's identity in the inbox)."""
    return sorted(set(words), key=lambda w: (-len(w), w))


def fold(text: str) -> str:
    """Full-width forms to ASCII, one character for one (offsets are kept)."""
    out = []
    for c in text:
        n = unicodedata.normalize("NFKC", c)
        out.append(n if len(n) == 1 and c not in "。、" else c)
    return "".join(out)


def sentences(body: str) -> list[Sentence]:
    """The sentences of `body` in order, with clauses; each line is a paragraph."""
    out: list[Sentence] = []
    offset, paragraph = 0, 0
    for line in body.split("\n"):
        if line.strip():
            start = 0
            for m in _SENTENCE_END.finditer(line):
                _add(out, line, start, m.end(), offset, paragraph)
                start = m.end()
            _add(out, line, start, len(line), offset, paragraph)
            paragraph += 1
        offset += len(line) + 1
    return out


def _add(out: list[Sentence], line: str, a: int, b: int, offset: int, paragraph: int) -> None:
    piece = line[a:b]
    text = piece.strip()
    if text:
        out.append(_sentence(text, offset + a + len(piece) - len(piece.lstrip()), paragraph))


def _sentence(text: str, offset: int, paragraph: int) -> Sentence:
    work = fold(text)
    clauses, a = [], 0
    for m in _CLAUSE_END.finditer(work):
        clauses.append((a, m.end()))
        a = m.end()
    clauses.append((a, len(work)))
    return Sentence(text, work, offset, paragraph, [c for c in clauses if c[1] > c[0]])


def read_article(path: str, text: str | None = None, digest_number: int | None = None) -> Article:
    """Title, date line and body of a saved article: plain text or a web page (.html)."""
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            raise TrackerError(f"{path}: cannot read: {e.strerror}") from None
        if path.lower().endswith((".html", ".htm")):
            return _html(path, raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TrackerError(f"{path}: not UTF-8 text") from None
    if digest_number is not None:
        try:
            text = digest_article(text, digest_number)
        except ValueError as e:
            raise TrackerError(f"{path}: {e}") from None
    return split_article(text)


def split_article(text: str) -> Article:
    """The first non-empty line is the title; a date line right after it is read and dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    title = re.sub(r"^\d+\.\s*", "", lines.pop(0).strip()) if lines else ""
    published = None
    for i, line in enumerate(lines[:3]):
        m = _DATE_LINE.match(fold(line))
        if m:
            try:
                published = date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
            del lines[i]
            break
    return Article(title, published, "\n".join(lines))


def _html(path: str, raw: bytes) -> Article:
    """A saved web page: its main text by trafilatura (menus, footers and asides dropped)."""
    import trafilatura

    html = raw.decode("utf-8", errors="replace")
    body = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_recall=True)  # fmt: skip
    if not body:
        raise TrackerError(f"{path}: no article text found in the page")
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta else None) or ""
    published = None
    if meta and meta.date:
        try:
            published = date.fromisoformat(meta.date[:10])
        except ValueError:
            published = None
    art = split_article(f"{title}\n{body}" if title else body)
    return Article(art.title, art.published or published, art.body)


def digest_article(text: str, n: int) -> str:
    """Article `n` of a numbered digest ('1.标题' lines: a table of contents, then the bodies)."""
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if re.match(rf"^{n}\.\S", line)]
    if not heads:
        raise ValueError(f"there is no article {n}")
    start = heads[-1]
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(rf"^{n + 1}\.\S", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])
