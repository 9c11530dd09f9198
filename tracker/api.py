"""The library's front door: one function per thing a user does.

The CLI calls exactly one of these per command; a notebook calls the same
ones.  They raise :class:`~tracker.errors.TrackerError` (or its subclass
ValidationError with every problem) and never print or exit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple, TypeVar

from tracker.errors import ParseError, Problem, TrackerError, ValidationError
from tracker.model import Observation
from tracker.paths import check_db, default_db_path
from tracker.store import Filters, Store

if TYPE_CHECKING:
    import pandas as pd

    from tracker.analysis import Summary
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

    On PostgreSQL an import the server rolls back as a serialization failure or a
    deadlock is run again from the start (files are read again; stdin cannot be).
    """
    if list(paths).count("-") > 1:
        raise TrackerError("stdin (-) can be read once only; name it once")
    if "-" in paths:
        return _import_once(store, paths, encoding, progress)
    return retry(store, lambda: _import_once(store, paths, encoding, progress))


def _import_once(
    store: Store,
    paths: Sequence[str],
    encoding: str | None,
    progress: Callable[[int, int], None] | None,
) -> ImportResult:
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
    links = store.version_links(oid)
    return None if links is None else links[4]


def import_new(
    db: str | os.PathLike[str] | None,
    paths: Sequence[str],
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import into a database that does not exist yet: a bad file leaves no file behind
    (it is built aside and published after the import committed: tracker.store.aside)."""
    from tracker.store.aside import build_aside

    path, is_default = resolve_db_path(db)
    if str(path) == ":memory:":  # nothing to leave behind: a dry run of the import
        store = open_store(path)
        try:
            return import_files(store, paths, encoding, progress)
        finally:
            store.close()

    def merged(added: int, result: ImportResult) -> ImportResult:
        """Counted as the import of `result`'s rows into a database that appeared meanwhile."""
        rows_in_files = result.added + result.existing
        return ImportResult(added, max(0, rows_in_files - added))

    def fill(store: Store) -> ImportResult:
        return import_files(store, paths, encoding, progress)

    return build_aside(path, is_default, fill, merged)


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
    """integrity_check, foreign_key_check, the schema check and the series summaries
    (each stored one against a recomputation): one finding per line, [] if ok.

    On PostgreSQL the server keeps pages and foreign keys sound; the schema, its
    version and the history links are checked (tracker.pgschema.check)."""
    if is_server(store):
        findings: list[str] = store.check()  # type: ignore[attr-defined]
    else:
        from tracker.schema import check as run_check

        findings = run_check(store.conn)
    if any(f.startswith(("integrity:", "schema:")) for f in findings):
        return findings  # summaries of a damaged or foreign schema mean nothing
    with store.snapshot():
        stale = store.stale_states()
        names = store.series_names(stale)
    return findings + [f"summary: series {sid} ({names.get(sid, 'gone')}) is stale; "
                       "`tracker check --fix` rebuilds it" for sid in stale]  # fmt: skip


def fix(store: Store) -> list[int]:
    """Rebuild the stale series summaries (one transaction); returns their series ids."""
    with store.transaction():
        stale = store.stale_states()
        store.refresh(stale)
    return stale


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
    currency: str | None = None,
) -> int:
    """Write the selected observations as CSV; returns the number of data rows.

    The long layout is the interchange CSV (re-importable); `wide` gives one
    row per date and one column per series, for charting in a spreadsheet.
    `progress(rows_written, rows_total)` is called as rows go out.  One
    snapshot, one process.
    `currency` (with `wide` only) shows money figures in it (tracker.currency).
    """
    if currency and not wide:
        raise TrackerError("--currency goes with --wide: the long export is the exact "
                           "interchange CSV, in the entered currency")  # fmt: skip
    from tracker.export import EXPORT_HEADER, raw_rows, write_csv, write_export, write_wide

    with store.snapshot():
        if wide:
            if currency:
                from tracker.currency import check_target

                currency = check_target(currency)
            return write_wide(out, store.iter_observations(filters), excel, currency)
        rows: Iterable[tuple[object, ...]] = raw_rows(store.iter_raw(filters))
        total = store.count() if progress is not None else 0
        if excel:
            if progress is not None:
                rows = _reporting(rows, total, progress)
            return write_csv(out, EXPORT_HEADER, rows, excel=True)
        return write_export(out, rows, None if progress is None else (
            lambda n: progress(n, total)))  # fmt: skip


def _reporting(rows: Iterable[T], total: int, progress: Callable[[int, int], None]) -> Iterator[T]:
    """Pass rows through, telling `progress` every 20,000."""
    for n, row in enumerate(rows, 1):
        if n % 20_000 == 0:
            progress(n, total)
        yield row


def export_xlsx(store: Store, path: str, filters: Filters = Filters()) -> int:
    """An Excel workbook (tracker.workbook): lead times, prices, other figures, About;
    returns the number of observations.

    Streamed (tracker.xlsx): a metric's rows are read and written one at a time, a sheet
    after the other, so memory stays flat whatever the size.
    """
    from tracker import workbook
    from tracker.output import open_output

    wanted = (filters.metric or "").strip().casefold()
    metrics = [m for m in store.metrics() if not wanted or m.casefold() == wanted]
    db = database_file(store)
    about = [("database", os.path.abspath(db) if db else "(in memory)"),
             ("filters", describe_filters(filters) or "(none: everything)")]  # fmt: skip

    def rows_of(metric: str) -> Iterator[Observation]:
        return store.iter_observations(filters._replace(metric=metric))

    with store.snapshot(), open_output(path, database=database_file(store)) as f:
        return workbook.write(f, workbook.grouped(metrics, rows_of), about)


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
        rows = [(o.id, o.period.text, o.period.start, o.period.end, o.period.precision,
                 o.supplier, o.material, o.product, o.metric, o.value.low, o.value.high,
                 o.value.low_strict, o.value.high_strict, o.value.approx, o.value.special,
                 format_value(o.value), o.unit, o.entered, o.kind, o.source, o.quote, o.note,
                 o.recorded_at) for o in list_observations(store, filters)]  # fmt: skip
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

    The rows `tracker report` prints, by the same code: read from the summaries
    kept in series_state (tracker.store.state) or, for a --since/--until window,
    computed over the window's observations by the same function
    (tracker.analysis.summary_of).
    """
    from tracker.report import FIELDS

    return [dict(zip(FIELDS, r, strict=True)) for r in _report_lists(store, filters)]


def report_csv(store: Store, filters: Filters = Filters(), excel: bool = False) -> str:
    """`report --format csv`: the text of ``to_csv(report_rows(...))``, without a dict per
    row."""
    from tracker.report import csv_body, csv_head

    return csv_head(excel) + csv_body(_report_lists(store, filters), excel)


def _report_lists(store: Store, filters: Filters) -> list[list[object]]:
    """Report rows as lists in FIELDS order, in report order, from one snapshot."""
    from tracker.analysis import check_stated
    from tracker.report import build_rows, stored_rows

    with store.snapshot():
        checks = check_stated(_stated_context(store, filters))
        if filters.since is None and filters.until is None:
            return stored_rows(store.state_rows(filters), checks)
        window = summaries(store, filters)
    return [list(r.values()) for r in build_rows(window, checks)]


def summaries(store: Store, filters: Filters = Filters()) -> list[Summary]:
    """A Summary per series the filters pick, in report order: the stored ones, or for a
    --since/--until window, computed over the window's observations."""
    from tracker.analysis import sort_summaries, summarise

    with store.snapshot():
        if filters.since is None and filters.until is None:
            return sort_summaries(store.stored_summaries(filters))
        return summarise(store.iter_observations(filters._replace(history=False)))


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
    currency: str | None = None,
    *,
    notice: Callable[[str], None] | None = None,
    contact_sheet: bool = False,
) -> list[Path]:
    """Lead-time and price charts per supplier plus overviews; returns the paths.

    With `currency`, prices are drawn in it (tracker.currency: the ECB rate of each
    figure's date); the charts' unit labels name it.  `notice` gets a one-line message
    when Chinese text has no font to draw it; `contact_sheet` also writes ``index.html``
    showing every chart (its path last)."""
    from tracker.charts import render_charts

    with store.snapshot():
        obs = store.observations(filters)
    note = ""
    if currency:
        from tracker.currency import chart_note, check_target, convert_observations

        target = check_target(currency)
        obs, rates, _ = convert_observations(obs, target)
        note = chart_note(rates.values(), target)
    from tracker.charts import METRICS

    wanted = [m for m in METRICS if not filters.metric or m == filters.metric.strip().lower()]
    from tracker.charts import CURRENCY_NOTE

    token = CURRENCY_NOTE.set(note)
    try:
        return render_charts(obs, Path(out_dir), fmt=fmt, dpi=dpi, progress=progress,
                             metrics=wanted, database=database_file(store), notice=notice,
                             contact_sheet=contact_sheet)  # fmt: skip
    finally:
        CURRENCY_NOTE.reset(token)


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


def report_in_currency(
    store: Store, filters: Filters, currency: str
) -> tuple[list[dict[str, object]], list[str]]:
    """Report rows with money figures in `currency` (ECB rates of their dates), and a
    warning per series left in its own currency (tracker.currency.convert_rows)."""
    from tracker.currency import check_target, convert_rows

    return convert_rows(report_rows(store, filters), check_target(currency))


def filter_misses(store: Store, filters: Filters) -> list[str]:
    """A message per filter value that no series has, naming the closest known names
    ("no supplier matches 'MGX'; did you mean MGC?"), or one saying that the values,
    each known, have no series together.  [] when the filters select some series."""
    if not (filters.supplier or filters.material or filters.product or filters.metric):
        return []  # nothing to miss (and difflib stays unloaded)
    from tracker.suggest import unmatched
    from tracker.suppliers import resolve

    conn = store.conn
    out = []
    if filters.supplier:
        sql = "SELECT DISTINCT sp.name FROM series se JOIN suppliers sp ON sp.id = se.supplier_id"
        names = [n for (n,) in conn.execute(sql)]
        aliases = store.aliases()
        if resolve(filters.supplier, aliases) not in names:
            out.append(unmatched("supplier", filters.supplier, names, aliases))
    for field in ("material", "product", "metric"):  # fixed names, never user text, in SQL
        value = getattr(filters, field)
        if not value:
            continue
        known = [v for (v,) in conn.execute(
            f"SELECT DISTINCT {field} FROM series WHERE {field} IS NOT NULL")]  # fmt: skip
        if value.strip().casefold() not in {k.casefold() for k in known}:
            out.append(unmatched(field, value.strip(), known))
    given = [(f, getattr(filters, f)) for f in ("supplier", "material", "product", "metric")
             if getattr(filters, f)]  # fmt: skip
    if not out and len(given) > 1 and not store.series_ids(filters):
        out.append("no series has all of " + " ".join(f"--{f} {v!r}" for f, v in given))
    return out


def describe_filters(filters: Filters) -> str:
    """The filters as options ('--supplier MGC --since 2025-07'), '' for none: for the
    briefing's and the workbook's account of what they hold."""
    shown = [f"--{k} {v}" for k, v in filters._asdict().items()
             if v and k not in ("since", "until", "history")]  # fmt: skip
    shown += [f"--{k} {v.text}" for k, v in (("since", filters.since), ("until", filters.until))
              if v is not None]  # fmt: skip
    return " ".join(shown)


def briefing(
    store: Store,
    filters: Filters = Filters(),
    fmt: str = "html",
    out: str | None = None,
    charts_dir: str | None = None,
    charts: bool = True,
    currency: str | None = None,
) -> tuple[str, list[str]]:
    """`report --format html|markdown`: the briefing's text, and warnings (tracker.briefing).

    HTML inlines its charts: those drawn into `charts_dir`, else (unless `charts` is
    False) SVG charts drawn into a temporary folder that is removed after.  Markdown
    links to the charts of `charts_dir`, relative to `out`'s folder.
    """
    import tempfile
    from datetime import date

    from tracker import briefing as brief

    notes: list[str] = []
    warnings: list[str] = []
    if currency:
        from tracker.currency import rates_note, row_rates

        rows, warnings = report_in_currency(store, filters, currency)
        notes = rates_note(row_rates(rows), currency.strip().upper())
    else:
        rows = report_rows(store, filters)
    meta = brief.Meta(describe_filters(filters), date.today(), notes)
    suppliers: set[str | None] = {r["supplier"] for r in rows}  # type: ignore[misc]
    if fmt == "markdown":
        paths = chart(store, charts_dir, filters, currency=currency) if charts_dir else []
        base = Path(out).parent if out else Path.cwd()
        links = [(c.title, os.path.relpath(c.path, base))
                 for c in brief.chart_titles(paths, suppliers)]  # fmt: skip
        return brief.to_markdown(rows, links, meta), warnings
    if charts_dir or not charts:
        paths = chart(store, charts_dir, filters, currency=currency) if charts_dir else []
        return brief.to_html(rows, brief.chart_titles(paths, suppliers), meta), warnings
    with tempfile.TemporaryDirectory(prefix="tracker-briefing-") as tmp:
        paths = chart(store, tmp, filters, fmt="svg", currency=currency)
        return brief.to_html(rows, brief.chart_titles(paths, suppliers), meta), warnings
