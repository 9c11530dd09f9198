"""The library's front door: one function per thing a user does.

The CLI calls exactly one of these per command; a notebook calls the same
ones.  They raise :class:`~tracker.errors.TrackerError` (or its subclass
ValidationError with every problem) and never print or exit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple, TypeVar

from tracker.errors import ParseError, Problem, TrackerError, ValidationError
from tracker.model import Observation
from tracker.paths import check_db, default_db_path
from tracker.store import Filters, Store

if TYPE_CHECKING:
    import pandas as pd

    from tracker.analysis import Check
    from tracker.copying import CopyResult
    from tracker.history import Revision
    from tracker.news.pipeline import Candidate
    from tracker.scoring import Score

T = TypeVar("T")


def resolve_db_path(db: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The database to use and whether it is the default one (which gets seeded).

    An empty name or a URL is refused (paths.check_db), never taken as a file name.
    """
    if db is not None:
        check_db(os.fspath(db))
        return Path(db), False
    env = os.environ.get("TRACKER_DB")
    if env is not None:
        check_db(env, "TRACKER_DB")
        return Path(env), False
    return default_db_path(), True


def server_url(db: str | os.PathLike[str] | None) -> str | None:
    """The postgresql:// URL that `db` (or else TRACKER_DB) names, None for a file."""
    from tracker.dburl import is_server_url

    value = db if db is not None else os.environ.get("TRACKER_DB")
    return value if isinstance(value, str) and is_server_url(value) else None


def open_store(db: str | os.PathLike[str] | None = None) -> Store:
    """Open the database per CONTRACT section 2; the default one is seeded on creation.

    A postgresql:// URL opens the team database on that server (tracker.pgstore);
    anything else is a SQLite file.
    """
    from tracker.tempfiles import sweep

    url = server_url(db)
    if url is not None:
        check_db(url)
        from tracker.pgstore import PgStore

        return PgStore.open(url)
    path, is_default = resolve_db_path(db)
    if path.parent.is_dir():
        sweep(path.parent)  # a database a killed first import left half-built
    if not is_default:
        return Store.open(path)
    from tracker.dataset import article_observations

    # decided inside the transaction that creates the file, never by looking first:
    # two processes opening a new default database at once get one copy of the seed
    return Store.open(path, seed=article_observations)


_first = itemgetter(0)  # sorts (key, row) pairs by key


class ImportResult(NamedTuple):
    """What an import did.

    Attributes:
        added: observations that were new.
        existing: observations that were already in the database (not an error).
    """

    added: int
    existing: int


def import_files(
    store: Store,
    paths: Sequence[str],
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import interchange CSV files, all or nothing.

    Rows stream into one transaction while they are validated; if any row of
    any file has a problem, the transaction is rolled back and every problem
    is raised in one ValidationError, so the database is untouched.
    `progress(bytes_read, bytes_total)` is called as the files are read.
    """
    if list(paths).count("-") > 1:
        raise TrackerError("stdin (-) can be read once only; name it once")
    problems: list[Problem] = []
    sources = []
    for p in paths:
        from tracker.csvfile import open_source

        src, problem = open_source(p, encoding)
        if problem is not None:
            problems.append(problem)
        elif src is not None:
            sources.append(src)
    if problems:
        for src in sources:
            src.close()
        raise ValidationError(problems)

    def fail_if_problems() -> None:
        if problems:
            raise ValidationError(problems)

    from tracker import bulk
    from tracker.store import now_utc

    total = sum(src.size for src in sources)
    tell = None if progress is None else (lambda done: progress(done, total))
    recorded = now_utc()
    try:
        aliases = store.aliases()
        with store.bulk_transaction():
            added, seen = bulk.run(
                sources, aliases, problems, store.resolve_ids,
                lambda batch: store.insert_runs(batch.runs, recorded), tell,
            )  # fmt: skip
            fail_if_problems()
    finally:
        for src in sources:
            src.close()  # the reader closes each as it finishes; this covers a failed start
    return ImportResult(added, seen - added)


def retracted_on(store: Store, oid: int) -> str | None:
    """When observation `oid` was retracted, or None if it was not."""
    row = store.conn.execute("SELECT retracted_at FROM observations WHERE id = ?", (oid,))
    got = row.fetchone()
    return None if got is None else got[0]


def import_new(
    db: str | os.PathLike[str] | None,
    paths: Sequence[str],
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import into a database that does not exist yet: a bad file leaves no file behind.

    The database is built under a unique name beside the target and linked
    into place only after the import committed, so there is never a database
    to remove after the fact (another process may be writing to it).  If
    another process created the target meanwhile, the rows are added to
    theirs, as an import into an existing database would.
    """
    from tracker.dberrors import check_can_create
    from tracker.tempfiles import sweep, temp_name

    path, is_default = resolve_db_path(db)
    if str(path) == ":memory:":  # nothing to leave behind: a dry run of the import
        store = open_store(path)
        try:
            return import_files(store, paths, encoding, progress)
        finally:
            store.close()
    temp = path.with_name(temp_name(path.name, "new"))  # carries the pid: swept if we die
    made = [d for d in path.parents if not d.exists()]  # folders this import creates
    if not made:
        check_can_create(path)  # said of the user's path, not of the temp
        sweep(path.parent)
    try:
        store = open_store(temp) if not is_default else _open_seeded(temp)
        try:
            with store.unpublished():
                result = import_files(store, paths, encoding, progress)
        finally:
            store.close()
    except BaseException:
        _remove_database(temp)
        for d in made:  # innermost first; one another process has filled stays
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    try:
        try:
            os.link(temp, path)
        except FileExistsError:
            result = _merge_into(path, temp, result)
        except OSError:  # no hard links here (some network or FAT file systems)
            if path.exists():
                result = _merge_into(path, temp, result)
            else:
                os.replace(temp, path)
    finally:
        _remove_database(temp)
    return result


def _open_seeded(path: Path) -> Store:
    from tracker.dataset import article_observations

    return Store.open(path, seed=article_observations)


def _merge_into(target: Path, built: Path, imported: ImportResult) -> ImportResult:
    """Add the observations of a database built aside to one that appeared meanwhile;
    counted as the import of `imported`'s rows into it (the seed is not the user's)."""
    source = Store.open(built)
    dest = Store.open(target)
    try:
        with source.snapshot():
            rows = list(source.iter_observations())
        added, _ = dest.insert(rows)
    finally:
        source.close()
        dest.close()
    rows_in_files = imported.added + imported.existing
    return ImportResult(added, max(0, rows_in_files - added))


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):  # a cleanup must not hide the error that caused it
            Path(str(path) + suffix).unlink(missing_ok=True)


def add_observation(store: Store, fields: dict[str, str]) -> tuple[bool, int]:
    """Add one observation from interchange-CSV fields; returns (added, its id)."""
    from tracker.importer import build_observation

    obs, problems = build_observation(fields, store.aliases(), "<options>", None)
    if problems or obs is None:
        raise ValidationError(
            [
                Problem("add", None, f"--{p.column}" if p.column else None, p.reason)
                for p in problems
            ]
        )
    added, _ = retry(store, lambda: store.insert([obs]))
    oid = store.find(obs)
    assert oid is not None
    return bool(added), oid


def seed(store: Store) -> ImportResult:
    """Load the shipped article dataset; running it twice adds nothing."""
    from tracker.dataset import article_observations

    added, existing = retry(store, lambda: store.insert(article_observations(store.aliases())))
    return ImportResult(added, existing)


def list_observations(store: Store, filters: Filters = Filters()) -> list[Observation]:
    """Observations matching the filters, in date order (coarser period first on a tie)."""
    with store.snapshot():
        obs = store.observations(filters)
    return sorted(obs, key=lambda o: (o.period.sort_key, o.id or 0))


CORRECTABLE = ("date", "supplier", "material", "product", "metric", "value", "low", "high",
               "unit", "kind", "source", "quote", "note")  # fmt: skip


def correct(store: Store, oid: int, changes: dict[str, str], by: str, reason: str) -> int:
    """Record a corrected version of observation `oid`; returns the new version's id.

    `changes` holds interchange-CSV fields to change; the rest is kept.  A new
    value without a unit is read in the observation's canonical unit.  The old
    version is kept (superseded), with who and why on the new one.
    """
    from tracker.export import EXPORT_HEADER, export_row

    if not reason.strip():
        raise TrackerError("a correction needs a reason (--reason)")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise TrackerError(f"cannot correct {', '.join(sorted(unknown))}")
    if not changes:
        raise TrackerError("nothing to correct: give at least one of --value, --date, --unit ...")
    old = store.get(oid)
    row = dict(zip(EXPORT_HEADER, export_row(old), strict=True))
    figure = {"value", "low", "high"} & changes.keys()
    if "unit" in changes and not figure:
        raise TrackerError("--unit changes how the value reads: give --value with it")
    if figure == {"low"} or figure == {"high"}:  # one bound: the other one stays
        if "unit" in changes:
            raise TrackerError("with --unit, give both --low and --high (or --value)")
        row.update(value="")
    elif figure:
        row.update(value="", low="", high="")
    row.update(changes)
    if {"value", "low", "high", "unit"} & changes.keys():
        row["entered"] = ""  # recomputed from the new value and unit
    row["recorded_at"] = ""
    from tracker.importer import build_observation

    new, problems = build_observation(row, store.aliases(), "correct", None)
    if problems or new is None:
        raise ValidationError(
            [
                Problem("correct", None, f"--{p.column}" if p.column else None, p.reason)
                for p in problems
            ]
        )
    from tracker import history as chain

    return retry(store, lambda: chain.correct(store, oid, new, by=by, reason=reason))


def retract(store: Store, oid: int, by: str, reason: str) -> None:
    """Mark observation `oid` retracted (kept, hidden from lists, reports and exports)."""
    if not reason.strip():
        raise TrackerError("a retraction needs a reason (--reason)")
    from tracker import history as chain

    retry(store, lambda: chain.retract(store, oid, by=by, reason=reason))


def history(store: Store, oid: int) -> list[Revision]:
    """Every version of the observation's chain of corrections, oldest first."""
    from tracker import history as chain

    return chain.history(store, oid)


def check(store: Store) -> list[str]:
    """integrity_check, foreign_key_check and the schema check: one finding per line, [] if ok.

    On PostgreSQL the server keeps pages and foreign keys sound; the schema, its
    version and the history links are checked (tracker.pgschema.check)."""
    if is_server(store):
        return store.check()  # type: ignore[attr-defined]
    from tracker.schema import check as run_check

    return run_check(store.conn)


def is_server(store: Store) -> bool:
    """Whether `store` is a database on a PostgreSQL server (not a SQLite file)."""
    return getattr(store, "dialect", "sqlite") == "postgresql"


def backup(store: Store, target: str) -> None:
    """A consistent copy of the database, taken while others may be writing.

    Made under a temp name and linked into place (tracker.output): a failed or
    interrupted backup leaves nothing, and `target` must not exist yet.
    """
    import sqlite3

    from tracker.dberrors import explain
    from tracker.output import output_path
    from tracker.store import backup as run_backup

    if is_server(store):
        return _backup_server(store, target)
    with output_path(target, database=database_file(store)) as tmp:
        try:
            run_backup(store.conn, tmp)
        except sqlite3.Error as e:  # about the copy, so it names the copy
            raise explain(e, target, "nothing was written") from None


def _backup_server(store: Store, target: str) -> None:
    """On PostgreSQL: a SQLite file holding every observation with its versions and the
    suppliers (tracker copy), read in one snapshot; a laptop's copy of the team database.
    The server's own backup is pg_dump's job (it keeps roles, grants and all)."""
    from tracker.copying import copy_into
    from tracker.output import output_path

    with output_path(target) as tmp:
        dest = Store.open(tmp)
        try:
            copy_into(store, dest)
        finally:
            dest.close()


def copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> CopyResult:
    """Copy every observation (with its versions) and the suppliers from the database
    `source` into `target` (paths or postgresql:// URLs); copying again adds nothing.

    `source` must exist already; `target` is created as `tracker --db` would create it
    (unseeded).
    """
    from tracker.copying import copy_into

    if server_url(os.fspath(source)) is None:
        path, _ = resolve_db_path(source)
        if not path.is_file():
            raise TrackerError(f"{path}: no such database to copy from")
    src = open_store(source)
    try:
        dst = open_store(target)
        try:
            return retry(dst, lambda: copy_into(src, dst))
        finally:
            dst.close()
    finally:
        src.close()


def retry(store: Store, work: Callable[[], T]) -> T:
    """`work()`, a whole write; on PostgreSQL run again when the server rolled it back as a
    serialization failure or deadlock (tracker.pg.retrying).  SQLite's writers queue on
    its lock instead (busy timeout), so there it runs once."""
    if not is_server(store):
        return work()
    from tracker.pg import retrying

    return retrying(work)


def database_file(store: Store) -> str | None:
    """The database's file, which no output may overwrite (None: in memory, on a server)."""
    if is_server(store):
        return None
    return None if store.path in ("", ":memory:") else store.path


def export_csv(
    store: Store,
    out: IO[str],
    filters: Filters = Filters(),
    excel: bool = False,
    wide: bool = False,
    progress: Callable[[int, int], None] | None = None,
    split: bool | None = False,
) -> int:
    """Write the selected observations as CSV; returns the number of data rows.

    The long layout is the interchange CSV (re-importable); `wide` gives one
    row per date and one column per series, for charting in a spreadsheet.
    `progress(rows_written, rows_total)` is called as rows go out.

    `split=None` lets a big export be made by two processes (the CLI does);
    it closes and reopens this Store's connection, so pass it only when
    nothing else is using the Store (no open snapshot, no unfinished
    iteration).  `True` splits whatever the size, `False` (the default) never.
    """
    from tracker import pipes
    from tracker.export import EXPORT_HEADER, raw_rows, write_csv, write_wide

    with store.snapshot():
        if wide:
            return write_wide(out, store.iter_observations(filters), excel)
        total = store.count()
        span = store.id_span()
    if split is None:
        split = total >= EXPORT_SPLIT_MIN_ROWS
    if (split and span and pipes.can_fork() and store.only_connection()
            and hasattr(out, "buffer") and _is_utf8(out)):  # fmt: skip
        return _export_split(store, out, filters, excel, span, total, progress)
    with store.snapshot():
        rows: Iterable[tuple[object, ...]] = raw_rows(store.iter_raw(filters))
        if progress is not None:
            rows = _reporting(rows, total, progress)
        return write_csv(out, EXPORT_HEADER, rows, excel=excel)


EXPORT_SPLIT_MIN_ROWS = 200_000  # below this a second process costs more than it saves


def _is_utf8(out: IO[str]) -> bool:
    """Whether a text stream writes UTF-8 (the other process's bytes are UTF-8)."""
    import codecs

    try:
        return codecs.lookup(getattr(out, "encoding", None) or "").name == "utf-8"
    except LookupError:
        return False


def _export_split(
    store: Store,
    out: IO[str],
    filters: Filters,
    excel: bool,
    span: tuple[int, int],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    """export_csv in two processes: this one writes the rows up to the middle id, a
    forked one the rows after it into an unnamed temporary file, copied after.

    Both read in snapshots of their own, the upper part open-ended (ids made
    after the first look included); the other's rows are used only when it saw
    the same number of committed writes (Store.changes) as this one, which
    otherwise writes the upper rows itself, from its own snapshot: the file is
    always one state of the database.
    """
    import io
    import shutil
    import tempfile

    from tracker import pipes
    from tracker.export import EXPORT_HEADER, raw_rows, write_csv, write_rows

    middle = (span[0] + span[1]) // 2
    lower, upper = (-(2**62), middle), (middle + 1, 2**62)

    def theirs(spill: IO[bytes]) -> tuple[int, int]:
        """(writes seen, rows) of the upper part, written into `spill` as UTF-8."""
        own = store.reconnected()
        try:
            with own.snapshot():
                text = io.TextIOWrapper(spill, encoding="utf-8", newline="")
                n = write_rows(text, raw_rows(own.iter_raw(filters, upper)), excel)
                text.flush()
                text.detach()
                return own.changes(), n
        finally:
            own.close()

    with store.detached(), tempfile.TemporaryFile() as spill:  # no connection across a fork
        with pipes.in_child(lambda: theirs(spill)) as other:
            own = store.reconnected()
            try:
                with own.snapshot():
                    rows: Iterable[tuple[object, ...]] = raw_rows(own.iter_raw(filters, lower))
                    if progress is not None:
                        rows = _reporting(rows, total, progress)
                    n = write_csv(out, EXPORT_HEADER, rows, excel=excel)
                    got = other()
                    if got is None or got[0] != own.changes():
                        # the other saw different data (or failed): the rest from here
                        return n + write_rows(out, raw_rows(own.iter_raw(filters, upper)), excel)
            finally:
                own.close()
        out.flush()
        spill.seek(0)
        shutil.copyfileobj(spill, out.buffer, 1 << 20)  # type: ignore[attr-defined]
        out.buffer.flush()  # type: ignore[attr-defined]
        if progress is not None:
            progress(total, total)
        return int(n + got[1])


def _reporting(rows: Iterable[T], total: int, progress: Callable[[int, int], None]) -> Iterator[T]:
    """Pass rows through, telling `progress` every 20,000."""
    for n, row in enumerate(rows, 1):
        if n % 20_000 == 0:
            progress(n, total)
        yield row


def export_xlsx(store: Store, path: str, filters: Filters = Filters()) -> int:
    """An Excel workbook, one sheet per metric; returns the number of observations.

    Streamed (tracker.xlsx): a metric's rows are read and written one at a time, a sheet
    after the other, so memory stays flat whatever the size.
    """
    import itertools

    from tracker.export import write_xlsx
    from tracker.output import open_output

    def sheets() -> Iterator[tuple[str, Iterator[Observation]]]:
        metrics = [
            m
            for (m,) in store.conn.execute("SELECT DISTINCT metric FROM series")
            if not filters.metric or m.casefold() == filters.metric.strip().casefold()
        ]
        first = ("lead_time", "price")  # then the rest by name
        for metric in sorted(metrics, key=lambda m: (first.index(m) if m in first else 2, m)):
            rows = store.iter_observations(filters._replace(metric=metric))
            head = next(rows, None)
            if head is not None:
                yield metric, itertools.chain([head], rows)

    with store.snapshot(), open_output(path, database=database_file(store)) as f:
        return write_xlsx(f, sheets())


def load(db: str | os.PathLike[str] | None = None, filters: Filters = Filters()) -> pd.DataFrame:
    """All observations as a pandas DataFrame, for notebooks.

    Columns: id, date (the period as text: 2025-07, 2025-Q3), start and end
    (datetime64), precision,
    supplier, material, product, metric, low, high (float, NaN where open),
    low_strict, high_strict, approx (bool), special, value (grammar text),
    unit, entered, kind (categorical), source, quote, note, recorded_at.
    """
    import pandas as pd

    from tracker.model import KINDS
    from tracker.values import format_value

    store = open_store(db)
    try:
        rows = [
            {
                "id": o.id,
                "date": o.period.text,
                "start": o.period.start,
                "end": o.period.end,
                "precision": o.period.precision,
                "supplier": o.supplier,
                "material": o.material,
                "product": o.product,
                "metric": o.metric,
                "low": o.value.low,
                "high": o.value.high,
                "low_strict": o.value.low_strict,
                "high_strict": o.value.high_strict,
                "approx": o.value.approx,
                "special": o.value.special,
                "value": format_value(o.value),
                "unit": o.unit,
                "entered": o.entered,
                "kind": o.kind,
                "source": o.source,
                "quote": o.quote,
                "note": o.note,
                "recorded_at": o.recorded_at,
            }
            for o in list_observations(store, filters)
        ]
    finally:
        store.close()
    columns = ["id", "date", "start", "end", "precision", "supplier", "material", "product",
               "metric", "low", "high", "low_strict", "high_strict", "approx", "special", "value",
               "unit", "entered", "kind", "source", "quote", "note", "recorded_at"]  # fmt: skip
    df = pd.DataFrame(rows, columns=columns)
    df["start"] = pd.to_datetime(df["start"])
    df["end"] = pd.to_datetime(df["end"])
    df["low"] = df["low"].astype("float64")
    df["high"] = df["high"].astype("float64")
    df["kind"] = pd.Categorical(df["kind"], categories=list(KINDS))
    df["recorded_at"] = pd.to_datetime(df["recorded_at"], utc=True)
    return df


def check_paths(paths: Iterable[str]) -> None:
    """Raise TrackerError if an output path's folder does not exist."""
    for p in paths:
        parent = Path(p).parent
        if not parent.exists():
            raise TrackerError(f"{p}: folder {parent} does not exist")


def report_rows(store: Store, filters: Filters = Filters()) -> list[dict[str, object]]:
    """Per series: first and latest observation, the change, baseline ratio, stated check.

    Reads per series only the rows that can be first, previous or latest
    (from the index), so a million observations cost about as much as their
    series.
    """
    from tracker.report import raw_rows

    with store.snapshot():
        normal, checks = _report_context(store, filters)
        keyed = raw_rows(store.series_extremes_raw(filters), normal, checks)
    keyed.sort(key=_first)
    return [row for _, row in keyed]


def _report_context(
    store: Store, filters: Filters
) -> tuple[dict[tuple[str, str, str, str, str], Observation], list[Check]]:
    """What report rows need besides the series' own rows: the latest stated normal
    level of each series (for "2.0x normal") and the stated changes checked."""
    from tracker.analysis import check_stated, series_key

    normal = {series_key(b): b for b in ordered_baselines(store, filters)}
    return normal, check_stated(_stated_context(store, filters))


REPORT_SPLIT_MIN_SERIES = 4000  # below this a second process costs more than it saves


def report_csv(
    store: Store, filters: Filters = Filters(), excel: bool = False, split: bool | None = False
) -> str:
    """`report --format csv`: the text of ``to_csv(report_rows(...))``, made by two
    processes when the series are many.

    Why two: the report reads and lays out every series, and a million rows
    spread over 20,000 series keep one core busy for most of a second.  This
    process does the lower half of the series ids and a forked one the upper
    half; the lines are then put in report order together.  Each reads in a
    snapshot of its own, and the halves are used only when both saw the same
    number of committed writes (Store.changes) as the first look did;
    otherwise this process makes the report alone.  `split=None` decides by
    size (the CLI's choice); it closes and reopens this Store's connection, so
    pass it only when nothing else is using the Store.  `False` (the default)
    never splits.
    """
    from tracker import pipes
    from tracker.pipes import no_gc
    from tracker.report import csv_head, csv_lines, raw_rows, to_csv

    with store.snapshot():
        seen = store.changes()
        ids = store.series_ids(filters)
        normal, checks = _report_context(store, filters)
    if split is None:
        split = len(ids) >= REPORT_SPLIT_MIN_SERIES
    if not (split and len(ids) > 1 and pipes.can_fork() and store.only_connection()):
        return to_csv(report_rows(store, filters), excel)
    middle = ids[len(ids) // 2]
    halves = ((ids[0], middle - 1), (middle, ids[-1]))

    def part(span: tuple[int, int]) -> tuple[int, list[str], list[str]]:
        """(writes seen, order keys, CSV lines) for series ids in `span`."""
        own = store.reconnected()  # a connection of this process's own
        try:
            with own.snapshot():
                keyed = raw_rows(
                    own.series_extremes_raw(filters, span), normal, checks, as_lists=True
                )
                count = own.changes()
        finally:
            own.close()
        keyed.sort(key=_first)  # each half in report order here, merged below
        return count, [k for k, _ in keyed], csv_lines([r for _, r in keyed], excel)

    second = None
    # no connection may be open across a fork
    with store.detached(), no_gc(), pipes.in_child(lambda: part(halves[1])) as other:
        first = part(halves[0])
        second = other()
    if second is None or not first[0] == second[0] == seen:
        return to_csv(report_rows(store, filters), excel)  # a write came between: alone
    # each half is in order already: sorting the two together is one merge (timsort)
    lines = sorted(zip(first[1] + second[1], first[2] + second[2], strict=True))
    return csv_head(excel) + "".join([line for _, line in lines])


def ordered_baselines(store: Store, filters: Filters) -> list[Observation]:
    """The current `baseline` observations matching the filters, in period order."""
    from tracker.analysis import ordered

    return ordered(o for o in store.iter_observations(filters, kind="baseline"))


def _stated_context(store: Store, filters: Filters) -> list[Observation]:
    """Stated `<metric>_change` rows (in %) and every observation of the series they check."""
    from tracker.analysis import CHANGE_SUFFIX

    stated = [o for o in store.iter_observations(filters._replace(metric=None), stated=True)
              if not filters.metric or o.metric.casefold() in
              (filters.metric.casefold(), filters.metric.casefold() + CHANGE_SUFFIX)]  # fmt: skip
    context = list(stated)
    seen: set[tuple[str | None, str, str | None, str]] = set()
    for s in stated:
        key = (s.supplier, s.material, s.product, s.metric[: -len(CHANGE_SUFFIX)])
        if key in seen:
            continue
        seen.add(key)
        base = Filters(supplier=s.supplier or None, material=s.material, product=s.product,
                       metric=key[3], history=False)  # fmt: skip
        context += [o for o in store.iter_observations(base)
                    if (o.supplier is None) == (s.supplier is None)
                    and (o.product or "").casefold() == (s.product or "").casefold()]  # fmt: skip
    return context


def verify(store: Store, filters: Filters = Filters(), tolerance: float | None = None) -> list:
    """Every stated percentage change checked against the dataset's own figures."""
    from tracker.analysis import check_stated

    with store.snapshot():
        return check_stated(_stated_context(store, filters), tolerance=tolerance)


def chart(
    store: Store,
    out_dir: str | os.PathLike[str],
    filters: Filters = Filters(),
    fmt: str = "png",
    dpi: int = 150,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Lead-time and price trend charts per supplier plus overviews; returns the paths."""
    from tracker.charts import render_charts

    with store.snapshot():
        obs = store.observations(filters)
    from tracker.charts import METRICS

    wanted = [m for m in METRICS if not filters.metric or m == filters.metric.strip().lower()]
    return render_charts(obs, Path(out_dir), fmt=fmt, dpi=dpi, progress=progress, metrics=wanted,
                         database=database_file(store))  # fmt: skip


def extract(
    store: Store,
    path: str,
    published: str | None = None,
    source: str | None = None,
    article: int | None = None,
) -> list[Candidate]:
    """Proposed observations from a saved article (see tracker.news).

    `path` is a text file, a saved web page (.html: its main text) or "-" for
    stdin; `article` picks one article of a numbered digest.  `published`
    dates the "now" figures: default the article's own date line, else today.
    `source` defaults to the article's title.  Where the database already
    holds a series for the same thing, the rows use its names.
    """
    import sys
    from datetime import date

    from tracker.dates import parse_period
    from tracker.news import series
    from tracker.news.pipeline import extract as run
    from tracker.news.text import read_article

    text = None
    if path == "-":
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TrackerError("<stdin>: not UTF-8 text") from None
    art = read_article(path, text, article)
    when = art.published or date.today()
    if published:
        try:
            when = parse_period(published).start
        except ParseError as e:
            raise TrackerError(f"--date: {e}") from None
    aliases = store.aliases()
    rows = run(art, when, aliases, source or art.title)
    return series.reuse(rows, series.existing(store.conn), aliases)


def evaluate(store: Store, candidates: list[Candidate], against: str) -> list[Score]:
    """Recall and precision of `candidates` against a hand-checked interchange CSV."""
    import csv

    from tracker.scoring import score

    try:
        with open(against, encoding="utf-8-sig", newline="") as f:
            expected = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise TrackerError(f"{against}: cannot read: {e}") from None
    return score([c.fields() for c in candidates], expected, store.aliases())
