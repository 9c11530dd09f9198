"""Bulk import: checked rows turned into INSERT batches, in one process.

A million-row feed spends its time in two halves of about equal size, Python
reading and checking rows and SQLite maintaining the indexes that make an
import idempotent.  (A forked reader process overlapped the two until issue
11; measured on the shared 2-core machine it no longer paid for itself, see
docs/design.md.)

Rows take two paths.  The *lean* path covers a plain feed row (a date, names,
a value, a unit, a kind, a source): every field is checked once per distinct
text and remembered, and the row becomes a 6-field tuple; the fields constant
over a run of rows (kind, source, flags) go into the SQL text, which halves the
cost of binding.  Anything else (low/high columns, quotes, notes, a recorded_at,
a field never seen valid) goes row by row through the same memories, and what
they cannot vouch for through :func:`tracker.importer.build_observation`, which
says exactly what is wrong.
"""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import add, attrgetter, itemgetter
from typing import Any, Literal

from tracker.csvfile import FileError, RowSource, csv_problem, nul_problem
from tracker.dates import Period, parse_period
from tracker.errors import Problem
from tracker.importer import (
    build_observation,
    iso_or_none,
    names_of,
    parsed_or_none,
    plain_figures_pass,
    ragged,
    read_header,
    unit_for,
    value_or_none,
)
from tracker.model import KINDS, Observation
from tracker.store.rows import stored_row
from tracker.units import Unit

BATCH = 20_000  # rows per batch; a full batch is sorted by series, which keeps index pages hot

SeriesKey = tuple[Any, ...]  # (supplier, material, product, metric, canonical unit)
Resolver = Callable[[list[SeriesKey], list[str]], tuple[list[int], list[int]]]
# a run of rows sharing (flags, special, kind, source_id): the lean INSERT's constants
Consts = tuple[int, Any, str, Any]
# series_id, date, period_start, low, high, flags, special, entered, kind, source_id,
# quote, note, recorded_at
FullRow = tuple[Any, ...]


@dataclass
class Batch:
    """Rows ready to insert, as runs in the file's order (each run sorted when the batch is full).

    A run is (consts, rows): lean rows share `consts`; consts None marks FullRows.
    """

    runs: list[tuple[Consts | None, list[Any]]] = field(default_factory=list)
    rows: int = 0
    done: int = 0  # bytes read so far, for progress

    def extend(self, consts: Consts | None, rows: list[Any]) -> None:
        """Append rows sharing `consts` (to the last run when it has the same)."""
        if self.runs and self.runs[-1][0] == consts:
            self.runs[-1][1].extend(rows)
        else:
            self.runs.append((consts, rows))
        self.rows += len(rows)

    def add(self, consts: Consts | None, row: Any) -> None:
        """Append a row, starting a new run when its constants differ from the last one's."""
        self.extend(consts, [row])


class _Context:
    """The checked meaning of a row's names, metric, unit, kind and source (one per distinct
    combination), with the ids and the lean run's constants once they are known."""

    __slots__ = (
        "consts",
        "key",
        "kind",
        "metric",
        "plain",
        "series_id",
        "source",
        "source_id",
        "spaced_unit",
        "unit",
        "unit_text",
        "values",
    )  # fmt: skip

    def __init__(
        self, key: SeriesKey, unit: Unit, unit_text: str, metric: str, kind: str,
        source: str | None, values: dict[str, Any],
    ) -> None:  # fmt: skip
        self.key, self.unit, self.unit_text, self.metric = key, unit, unit_text, metric
        self.kind, self.source = kind, source
        # a plain number is then the stored number, and passes every rule while
        # importer.plain_figures_pass() (else each value goes through _check_value)
        self.plain = unit.factor == 1 and plain_figures_pass()
        self.spaced_unit = " " + unit_text  # entered = value + this
        self.series_id: int | None = None
        self.source_id: int | None = None
        self.consts: Consts | None = None
        # raw value text -> (low, high, flags, special, text); shared by every context of
        # the same unit text, metric and kind, where a value is checked the same
        self.values = values


class _Layout:
    """Where a file's columns are (its header, read once)."""

    def __init__(self, names: list[str]) -> None:
        self.names, self.width = names, len(names)
        self.unnamed = [i for i, n in enumerate(names) if not n]
        # index `width` is the empty column appended to a row or a chunk
        self.lean = [names.index(c) if c in names else self.width for c in _LEAN]
        self.others = [names.index(c) for c in _OTHER if c in names]
        self.bounds = [names.index(c) for c in ("low", "high") if c in names]
        # quote, note, entered, recorded_at: where a file lacks one, the empty column
        self.extras = [names.index(c) if c in names else self.width for c in _OTHER[2:]]
        # read but not stored (an export's id, an extract's confidence): still no NULs
        self.ignored = [i for i, n in enumerate(names) if n in _IGNORED]


_SERIES_OF_ROW = itemgetter(0)
_SEP = "\x00"  # joins a row's context fields into one key; a NUL in a field is refused anyway
_SERIES_ID = attrgetter("series_id")
_PLAIN, _CONSTS = attrgetter("plain"), attrgetter("consts")
_SPACED_UNIT = attrgetter("spaced_unit")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_BREAK = re.compile(r"\r\n|\r|\n")


def _span(fields: list[str]) -> int:
    """Physical lines a record took (a quoted field may hold line breaks)."""
    return 1 + sum(len(_BREAK.findall(f)) for f in fields)


def _starts(chunk: list[list[str]], end: int) -> list[int]:
    """The line each record of a chunk starts on, the previous record having ended on `end`."""
    out = []
    for fields in chunk:
        out.append(end + 1)
        end += _span(fields)
    return out


CHUNK = 5_000  # records read and checked together
_MEMORY = 10_000  # remembered texts per kind, so memory stays flat on any file
_PLAIN_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,15})?")
_SPACE = re.compile(r"\s+")
_LEAN = ("date", "supplier", "material", "product", "metric", "value", "unit", "kind", "source")
_OTHER = ("low", "high", "quote", "note", "entered", "recorded_at")
_IGNORED = ("id", "confidence")


class Planner:
    """Reads the sources and yields Batches; problems are appended as they are found.

    `resolve(series_keys, source_names)` returns their ids; each is resolved
    when first met, which keeps every row in file order.
    """

    def __init__(
        self,
        sources: Sequence[RowSource],
        aliases: dict[str, str],
        problems: list[Problem],
        resolve: Resolver,
        batch: int | None = None,
    ) -> None:
        self.sources, self.aliases, self.problems = sources, aliases, problems
        self.resolve = resolve
        self.batch_size = batch or BATCH  # read when made, so a test can make batches tiny
        # raw text -> checked meaning; False marks text the lean path leaves to the slow one
        self.periods: dict[str, Any] = {}
        self.contexts: dict[str, Any] = {}
        # (unit text, metric, kind) -> raw value text -> its checked meaning
        self.values: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.series_ids: dict[SeriesKey, int] = {}
        self.source_ids: dict[str, int] = {}
        self.stamps: dict[str, bool] = {}  # recorded_at text -> whether it is a timestamp
        # series keys and source names of rows from the thorough path, not yet given ids
        self._pending_keys: dict[SeriesKey, None] = {}
        self._pending_names: dict[str, None] = {}
        self._consts: dict[Consts, Consts] = {}  # one object per distinct value
        self._unresolved: dict[_Context, None] = {}  # contexts without ids yet, in file order
        self._all_plain = True  # every context so far has a unit of factor 1

    # --- ids ----------------------------------------------------------------
    def _resolve(self, keys: list[SeriesKey], names: list[str]) -> None:
        # names met earlier on the thorough path go first: ids are made in file order,
        # so the first spelling of a new supplier, material or product is the one kept
        keys = [k for k in dict.fromkeys([*self._pending_keys, *keys]) if k not in self.series_ids]
        names = [n for n in dict.fromkeys([*self._pending_names, *names])
                 if n not in self.source_ids]  # fmt: skip
        self._pending_keys.clear()
        self._pending_names.clear()
        if not keys and not names:
            return
        sids, nids = self.resolve(keys, names)
        self.series_ids.update(zip(keys, sids, strict=True))
        self.source_ids.update(zip(names, nids, strict=True))

    # --- rows -----------------------------------------------------------------
    def __iter__(self) -> Iterator[Batch]:
        done = 0
        for src in self.sources:
            try:
                yield from self._source(src, done)
            except FileError as e:
                self.problems.append(e.problem)
            finally:
                done += src.size
                src.close()

    def _source(self, src: RowSource, done: int) -> Iterator[Batch]:
        # csv.reader straight over the decoded stream (no per-line Python): the line a
        # record starts on is one past where the previous one ended; NULs are caught
        # where a new text is first checked, and on every row that is reported
        reader = csv.reader(src.text, strict=True)
        self._end = 0  # the line the last record read ends on
        try:
            yield from self._rows(src, done, reader)
        except csv.Error as e:
            raise FileError(csv_problem(src.name, self._end + 1, e)) from None
        except UnicodeError as e:
            raise FileError(src.decode_problem(e, self._end + 1)) from None

    def _rows(self, src: RowSource, done: int, reader: Any) -> Iterator[Batch]:
        end = 0
        header: list[str] | None = None
        for fields in reader:
            start, end = end + 1, reader.line_num
            self._end = end
            if not _blank(fields):
                header = fields
                break
        if header is None:
            self.problems.append(Problem(src.name, None, None, "file has no header row"))
            return
        _no_nul(src.name, start, header)
        names, header_problems = read_header(src.name, header, start)
        if header_problems:
            self.problems.extend(header_problems)
            return
        lay = _Layout(names)
        self._batch = Batch()
        while True:
            chunk: list[list[str]] = []
            error: Exception | None = None
            try:
                chunk.extend(islice(reader, CHUNK))  # keeps the records read before an error
            except (csv.Error, UnicodeError) as e:
                error = e
            simple = error is None and reader.line_num - end == len(chunk)  # one line each
            if chunk and not (self._lean(chunk, lay) if not self.problems else False):
                lines = range(end + 1, end + 1 + len(chunk)) if simple else _starts(chunk, end)
                self._slow(chunk, lines, lay, src.name)
            if error is not None:
                self._end = end + sum(map(_span, chunk))  # where the last good record ends
                raise error
            end = self._end = reader.line_num
            if len(chunk) < CHUNK:
                break
            if self._batch.rows >= self.batch_size:
                self._finish(self._batch)
                self._batch.done = done + src.position()
                yield self._batch
                self._batch = Batch()
        self._finish(self._batch)
        self._batch.done = done + src.size
        yield self._batch

    def _lean(self, chunk: list[list[str]], lay: _Layout) -> bool:
        """Take a chunk of plain feed rows a column at a time (C loops, no Python per row);
        False leaves it to :meth:`_slow`, which finds and explains anything odd.
        """
        n = len(chunk)
        if len(set(map(len, chunk))) != 1 or len(chunk[0]) != lay.width:
            return False
        cols = list(zip(*chunk, strict=True))
        cols.append(("",) * n)  # a column the file lacks
        if any(any(map(str.strip, cols[i])) for i in lay.unnamed):
            return False
        if any(any(cols[i]) for i in lay.others):
            return False
        if any("\x00" in "".join(cols[i]) for i in lay.ignored):
            return False
        d, s, m, p, met, v, u, k, so = (cols[i] for i in lay.lean)
        # one string per row, not a 7-tuple: a lookup then compares one stored object
        # instead of seven scattered ones (memory latency, not hashing, was the cost)
        keys = list(map(_SEP.join, zip(s, m, p, met, u, k, so, strict=True)))
        contexts = self.contexts
        ctxs: list[Any] = list(map(contexts.get, keys))
        if None in ctxs:  # new combinations: each checked once (in file order), then looked up
            for key in dict.fromkeys(keys):
                if key in contexts:
                    continue
                parts = key.split(_SEP)
                if len(parts) != 7:  # a NUL inside a field: row by row says where
                    return False
                contexts[key] = self._context(*parts)
            ctxs = list(map(contexts.get, keys))
        if False in ctxs:
            return False
        pers: list[Any] = list(map(self.periods.get, d))
        if None in pers:
            for text in set(d).difference(self.periods):
                self._period(text)
            pers = list(map(self.periods.get, d))
        if False in pers:
            return False
        if not self._all_plain and not all(map(_PLAIN, dict.fromkeys(ctxs))):
            return False
        vts = list(map(str.strip, v))
        matches = list(map(_PLAIN_NUMBER.fullmatch, vts))
        if None in matches:  # ranges and the like: only these rows in Python
            odd = [j for j, match in enumerate(matches) if match is None]
            texts = vts.copy()
            for j in odd:
                texts[j] = "0"
            lows = list(map(float, texts))
            highs = lows.copy()
            for j in odd:
                c = ctxs[j]
                val = c.values.get(v[j])
                if val is None:
                    if "\x00" in v[j]:
                        return False
                    val = self._value(v[j], vts[j], c)
                if val is False or val[2] or val[3] is not None:
                    return False  # refused, or open/approximate/allocation: row by row
                lows[j], highs[j] = val[0], val[1]
        else:
            lows = highs = list(map(float, vts))
        if self._unresolved:  # series or sources met for the first time: one resolve for all
            unknown = list(self._unresolved)
            self._resolve([c.key for c in unknown], [c.source for c in unknown if c.source])
            for c in unknown:
                self._known(c)
        # one run needs one (kind, source): true of every row when only one pair exists yet
        if len(self._consts) != 1 and len(set(map(id, map(_CONSTS, ctxs)))) != 1:
            return False
        rows = list(zip(map(_SERIES_ID, ctxs), map(_FIRST, pers), map(_SECOND, pers), lows,
                        highs, map(add, vts, map(_SPACED_UNIT, ctxs)), strict=True))  # fmt: skip
        self._batch.extend(ctxs[0].consts, rows)
        return True

    def _period(self, text: str) -> Any:
        got = self.periods.get(text)
        if got is None:
            if "\x00" in text:
                return False
            p = parsed_or_none(parse_period, text.strip())
            got = self.periods[text] = (p.text, p.start.isoformat()) if isinstance(
                p, Period) else False  # fmt: skip
        return got

    def _value(self, raw: str, vt: str, c: _Context) -> Any:
        """(low, high, flags, special, text) of a value in a context, or False; remembered."""
        values = c.values
        if len(values) >= _MEMORY:
            values.clear()
        val: Any = plain_range(vt) if c.plain else None
        if val is None:
            got = value_or_none(vt, c.unit, c.unit_text, c.metric, c.kind)
            val = False if got is None else (got.low, got.high, got.flags, got.special, vt)
        values[raw] = val
        return val

    def _slow(self, chunk: list[list[str]], lines: Sequence[int], lay: _Layout, name: str) -> None:
        """Row by row: every problem found and reported with its line; good rows kept."""
        problems, batch, width = self.problems, self._batch, lay.width
        for line, fields in zip(lines, chunk, strict=True):
            if len(fields) != width:
                if _blank(fields):
                    continue
                _no_nul(name, line, fields)
                problems.append(ragged(name, line, lay.names, fields))
                continue
            if lay.unnamed and any(fields[i].strip() for i in lay.unnamed):
                _no_nul(name, line, fields)
                i = next(i for i in lay.unnamed if fields[i].strip())
                problems.append(Problem(name, line, f"column {i + 1}",
                                        "has a value but no name in the header"))  # fmt: skip
                continue
            if lay.ignored and any("\x00" in fields[i] for i in lay.ignored):
                _no_nul(name, line, fields)
            row = [*fields, ""]
            ctx = per = val = extras = None
            if not any(row[i] for i in lay.bounds):  # low/high columns: the thorough way
                dt, s, m, p, met, v, u, k, so = (row[i] for i in lay.lean)
                key = _SEP.join((s, m, p, met, u, k, so))
                ctx = self.contexts.get(key)
                if ctx is None:
                    _no_nul(name, line, fields)
                    ctx = self.contexts[key] = self._context(s, m, p, met, u, k, so)
                per = self._period(dt)
                if ctx is not False and per is not False:
                    vt = v.strip()
                    if ctx.plain and _PLAIN_NUMBER.fullmatch(vt):  # plain: see _context
                        x = float(vt)
                        val = (x, x, 0, None, vt)
                    else:
                        val = ctx.values.get(v)
                        if val is None:
                            _no_nul(name, line, fields)
                            val = self._value(v, vt, ctx)
                if val and any(row[i] for i in lay.extras):
                    _no_nul(name, line, fields)
                    extras = self._extras([row[i] for i in lay.extras])
            if not ctx or not per or not val or extras is False:
                # the thorough path says why it is refused (or, being the authority, takes it)
                full = self._general(lay.names, fields, name, line)
                if full is not None:
                    batch.add(None, full)
                continue
            if problems:
                continue  # nothing will be written; keep checking
            low, high, flags, special, vt = val
            if extras is not None:  # a quote, a note, an entered text or a recorded_at
                quote, note, entered, recorded = extras
                self._pending_keys[ctx.key] = None
                if ctx.source is not None:
                    self._pending_names[ctx.source] = None
                batch.add(None, (ctx.key, per[0], per[1], low, high, flags, special,
                                 entered or vt + ctx.spaced_unit, ctx.kind, ctx.source, quote,
                                 note, recorded))  # fmt: skip
                continue
            if ctx.consts is None:  # ids not known yet
                self._resolve([ctx.key], [ctx.source] if ctx.source else [])
                self._known(ctx)
            c = ctx.consts if flags == 0 and special is None else (
                flags, special, ctx.kind, ctx.source_id)  # fmt: skip
            batch.add(c, (ctx.series_id, per[0], per[1], low, high, vt + ctx.spaced_unit))

    def _extras(self, texts: list[str]) -> tuple[Any, ...] | Literal[False]:
        """(quote, note, entered, recorded_at) as build_observation keeps them, or False
        for a recorded_at that is not a timestamp (the thorough path says so)."""
        quote, note, entered, recorded = texts
        recorded = recorded.strip()
        if recorded:
            ok = self.stamps.get(recorded)
            if ok is None:
                if len(self.stamps) >= _MEMORY:
                    self.stamps.clear()
                ok = self.stamps[recorded] = iso_or_none(recorded) is not None
            if not ok:
                return False
        return quote or None, note or None, entered.strip(), recorded or None

    def _context(
        self, s: str, m: str, p: str, met: str, u: str, k: str, so: str
    ) -> _Context | Literal[False]:
        """What the raw names, metric, unit, kind and source of a row mean, or False."""
        unit = unit_for(u.strip(), met.strip())
        names = names_of(s, m, p, self.aliases)
        kind = k.strip() or "observed"
        if unit is None or names is None or kind not in KINDS:
            return False
        unit_text, metric = u.strip(), met.strip()
        # a value's checked meaning depends on all that _check_value reads: its text here,
        # and the unit text, metric and kind of the context
        values = self.values.setdefault((unit_text, metric, kind), {})
        ctx = _Context((*names, metric, unit.canonical), unit, unit_text, metric, kind,
                       so.strip() or None, values)  # fmt: skip
        self._all_plain = self._all_plain and ctx.plain
        self._known(ctx)
        if ctx.consts is None:
            self._unresolved[ctx] = None
        return ctx

    def _known(self, ctx: _Context) -> None:
        """Fill in the ids of a context if both are known already."""
        sid = self.series_ids.get(ctx.key)
        source_id = None if ctx.source is None else self.source_ids.get(ctx.source)
        if sid is not None and (ctx.source is None or source_id is not None):
            ctx.series_id, ctx.source_id = sid, source_id
            consts = (0, None, ctx.kind, source_id)
            ctx.consts = self._consts.setdefault(consts, consts)
            self._unresolved.pop(ctx, None)

    def _finish(self, batch: Batch) -> None:
        """Give full rows their ids (one resolve for the batch); sort the runs of a full batch."""
        keys, names = [], []
        for consts, rows in batch.runs:
            if consts is None:
                keys += [r[0] for r in rows if not isinstance(r[0], int)]
                names += [r[9] for r in rows if isinstance(r[9], str)]
        self._resolve(keys, names)
        sids, nids = self.series_ids, self.source_ids
        runs = []
        for consts, rows in batch.runs:
            if consts is None:
                rows = [
                    (r[0] if isinstance(r[0], int) else sids[r[0]], *r[1:9],
                     nids[r[9]] if isinstance(r[9], str) else r[9], *r[10:])
                    for r in rows
                ]  # fmt: skip
            runs.append((consts, rows))
        batch.runs = runs
        if batch.rows >= self.batch_size:
            # by series id alone, and stably: within a series the file's order stays, so
            # the first of two equal figures is the one kept and ids break ties as before
            for _, rows in batch.runs:
                rows.sort(key=_SERIES_OF_ROW)

    def _general(self, names: list[str], fields: list[str], file: str, line: int) -> FullRow | None:
        """A row the memories cannot vouch for: built (or refused) the thorough way."""
        _no_nul(file, line, fields)
        obs, row_problems = build_observation(
            dict(zip(names, fields, strict=True)), self.aliases, file, line
        )
        self.problems.extend(row_problems)
        if obs is None or self.problems:
            return None
        row = full_row(obs)
        self._pending_keys[row[0]] = None
        if row[9] is not None:
            self._pending_names[row[9]] = None
        return row


_PLAIN_RANGE = re.compile(r"(\d{1,15}(?:\.\d{1,15})?)-(\d{1,15}(?:\.\d{1,15})?)")


def plain_range(text: str) -> tuple[float, float, int, None, str] | None:
    """``12-16`` or ``28.5-30`` read directly, as parse_value would read them in a unit
    of factor 1 (the tests compare the two); None for anything else, which goes the
    thorough way, a reversed range included."""
    m = _PLAIN_RANGE.fullmatch(text)
    if m is None:
        return None
    low, high = float(m[1]), float(m[2])
    return (low, high, 0, None, text) if low <= high else None


def _blank(fields: list[str]) -> bool:
    return len(fields) <= 1 and not "".join(fields).strip().lstrip("\ufeff")


def _no_nul(name: str, line: int, fields: list[str]) -> None:
    """FileError at the physical line of a NUL in a record starting on `line`."""
    if any("\x00" in f for f in fields):
        text = ",".join(fields)  # separators and quotes hold no line breaks
        before = text[: text.index("\x00")]
        raise FileError(nul_problem(name, line + len(_BREAK.findall(before))))


def full_row(o: Observation) -> FullRow:
    """An observation as a FullRow whose series and source are still names (ids come later)."""
    return tuple(stored_row(o, o.series, o.source))


# --- running it -------------------------------------------------------------------------
Writer = Callable[[Batch], int]


def run(
    sources: Sequence[RowSource],
    aliases: dict[str, str],
    problems: list[Problem],
    resolve: Resolver,
    write: Writer,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Read, check and write every row; returns (added, rows).  Nothing is written after
    the first problem, but every row is still checked so all problems are reported."""
    added = seen = 0
    with no_gc():
        for batch in Planner(sources, aliases, problems, resolve):
            if not problems:
                added += write(batch)
                seen += batch.rows
            if progress is not None:
                progress(batch.done)
    return added, seen


@contextmanager
def no_gc() -> Iterator[None]:
    """The cycle collector off while rows stream.

    Every row makes a few lists and tuples, and each 700 of them set off a
    collection that walks every object alive, the remembered texts included:
    that cost more than reading the rows (1.1 s of 1.3 s for a million rows
    turned column-wise).  Rows, batches and caches hold no reference cycles,
    so nothing is left for the collector to find; it is switched back on after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
