"""The `tracker` command: parse options, call one library function, print.

Library errors become messages and exit codes here and nowhere else:
0 success, 1 invalid input or data error (one line per problem on stderr,
nothing written), 2 usage error (click's own).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

import click

from tracker.errors import ParseError, TrackerError, ValidationError, shown
from tracker.paths import default_db_path
from tracker.progress import Progress
from tracker.terminal import json_visible, visible

if TYPE_CHECKING:
    from tracker import api  # mypy checks every call below against the real library
    from tracker.store import Filters, Store
else:

    class _LazyApi:
        """`api.x` imports tracker.api on first use: `tracker --help` never loads it."""

        def __getattr__(self, name: str) -> Any:
            from tracker import api as module

            return getattr(module, name)

    api = _LazyApi()


F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What the group passes to its commands: where the database is."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = api.open_store(self.db)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def fail(message: str) -> None:
    """Print each line of `message` to stderr and exit 1 (invalid input or data)."""
    for line in message.splitlines() or [message]:
        click.echo(visible(line), err=True)
    sys.exit(1)


def not_utf8(value: str) -> str | None:
    """Why `value` cannot be stored, when it holds bytes that are not UTF-8, else None.

    Python hands such bytes over as lone surrogates (a latin-1 terminal, a script's
    $'\\xe9'); no database can store them, so they are refused where they come in."""
    bad = next((c for c in value if "\udc80" <= c <= "\udcff"), None)
    if bad is None:
        return None
    raw = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return (f"{shown(raw)} is not UTF-8 text (byte 0x{ord(bad) - 0xDC00:02x}); "
            "set the terminal or script to UTF-8")  # fmt: skip


def refuse_undecodable_text(ctx: click.Context) -> None:
    """Exit 1 naming the option when a text option is not UTF-8 (see not_utf8); without
    this the first write or query would end in a traceback.  Paths are left alone: a
    file name may be any bytes."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if not isinstance(param.type, click.types.StringParamType) or not isinstance(value, str):
            continue
        reason = not_utf8(value)
        if reason:
            name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
            fail(f"{ctx.info_name}: {name}: {reason}")


def handle_errors(f: F) -> F:
    """Turn library errors into exit code 1 with one line per problem, never a traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refuse_undecodable_text(click.get_current_context())
        try:
            return f(*args, **kwargs)
        except ValidationError as e:
            fail("\n".join(str(p) for p in e.problems))
        except TrackerError as e:
            fail(f"error: {e}")
        except BrokenPipeError:
            sys.stderr.close()  # `tracker list | head`: the reader left, not an error
        except OSError as e:
            fail(f"error: {e.filename or ''}: {e.strerror or e}".replace(": : ", ": "))
        except Exception as e:
            obj = click.get_current_context().find_object(Context)
            db = obj.db if obj else None
            psycopg = sys.modules.get("psycopg")
            if psycopg is not None and isinstance(e, psycopg.Error):
                from tracker.pg import explain as explain_pg

                fail(f"error: {explain_pg(e, api.server_url(db) or '')}")
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is None or not isinstance(e, sqlite3.Error):
                raise  # a bug: let the traceback show it
            from tracker.dberrors import explain

            fail(f"error: {explain(e, api.resolve_db_path(db)[0])}")

    return wrapper  # type: ignore[return-value]


def filter_options(f: F) -> F:
    """--supplier/--material/--product/--metric/--since/--until, identical everywhere."""
    options = [
        click.option("--supplier", help="Supplier name or any alias (MGC, 三菱瓦斯化学, ...)."),
        click.option("--material", help="Material family, e.g. 'glass cloth' (any case)."),
        click.option("--product", help="Grade or product, e.g. 7628, Low-Dk."),
        click.option("--metric", help="Metric, e.g. lead_time, price."),
        click.option(
            "--since",
            metavar="DATE",
            help="Periods starting on/after DATE (YYYY[-MM[-DD]] or YYYY-Qn).",
        ),
        click.option("--until", metavar="DATE", help="Periods starting on/before the end of DATE."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _check_currency(_ctx: click.Context, _param: click.Parameter, code: str | None) -> str | None:
    if code is None:
        return None
    from tracker.currency import CurrencyError, check_target

    try:
        return check_target(code)
    except CurrencyError as e:
        raise click.BadParameter(str(e).removeprefix("--currency: ")) from None


currency_option = click.option(
    "--currency",
    metavar="CODE",
    callback=_check_currency,
    help="Prices in CODE (USD, EUR, CNY...: ISO 4217) at the ECB reference rate of each "
    "figure's date (a period: its start); % changes stay in the entered currency.",
)


def warn_unmatched(store: Store, filters: Filters) -> None:
    """Say on stderr which filter value matches nothing, and the names it may have meant
    (an empty result alone does not tell a typo from a quiet market)."""
    for message in api.filter_misses(store, filters):
        click.echo(visible(f"note: {message}"), err=True)


def make_filters(kw: dict[str, Any]) -> Filters:
    from tracker.store import Filters, parse_filter_dates

    try:
        since, until = parse_filter_dates(kw.pop("since"), kw.pop("until"))
    except ParseError as e:
        raise click.BadParameter(str(e), param_hint="'--since' / '--until'") from None
    return Filters(
        supplier=kw.pop("supplier"), material=kw.pop("material"), product=kw.pop("product"),
        metric=kw.pop("metric"), since=since, until=until,
    )  # fmt: skip


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    envvar="TRACKER_DB",
    show_envvar=True,
    help=f"Database file (created if missing), or a PostgreSQL server's "
    f"postgresql://user@host:port/dbname. Default: {default_db_path()}, "
    "created with the article dataset on first use.",
)
@click.version_option(None, "-V", "--version", package_name="tracker")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Track prices and lead times of electronic materials.

    Figures from news and supplier notices go in as observations (ranges, open
    bounds like '>=6 weeks', units like 万元/吨, dates of any precision, the
    source sentence); out come reports of the change, charts and CSV.

    \b
    First steps:
      tracker report                    first vs latest, % change, per series
      tracker chart                     PNG trend charts into charts/
      tracker list --supplier MGC       the observations behind them
      tracker import figures.csv        add your own (see README for columns)
    """
    if ctx.invoked_subcommand is None:  # `tracker` alone: the help, as git does
        click.echo(ctx.get_help())
        ctx.exit(0)
    from tracker.paths import check_db

    from_env = ctx.get_parameter_source("db") is click.core.ParameterSource.ENVIRONMENT
    if db is None and os.environ.get("TRACKER_DB") == "":  # click reads an empty one as unset
        db, from_env = "", True
    if db is not None:
        try:
            check_db(db, "TRACKER_DB" if from_env else "--db")
        except TrackerError as e:
            click.echo(f"error: {e}", err=True)
            ctx.exit(2)
    ctx.obj = Context(db)
    ctx.call_on_close(ctx.obj.close)


@cli.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True)
)
@click.option("--encoding", help="Encoding of the files if not UTF-8 (gb18030 for Chinese Excel).")
@click.pass_obj
@handle_errors
def import_cmd(obj: Context, files: tuple[str, ...], encoding: str | None) -> None:
    """Import interchange CSV FILES (- for stdin), all or nothing.

    Every row of every file is checked first.  With any bad row, each problem
    is printed as FILE:LINE: column: reason, nothing is imported, and the exit
    code is 1.  Rows already in the database are counted, not duplicated.
    """
    progress = Progress("importing", "bytes")
    try:
        if api.server_url(obj.db) or api.resolve_db_path(obj.db)[0].exists():
            result = api.import_files(obj.store(), files, encoding=encoding, progress=progress)
        else:  # built aside and moved into place: a bad file must not leave a database behind
            result = api.import_new(obj.db, files, encoding=encoding, progress=progress)
    finally:
        progress.close()
    click.echo(f"{result.added} added, {result.existing} already there")


@cli.command()
@click.option("--date", required=True, help="YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY.")
@click.option("--supplier", help="Supplier name or alias; omit for a market-wide figure.")
@click.option("--material", required=True, help="Material family, e.g. 'BT resin'.")
@click.option("--product", help="Grade or product, e.g. NSA.")
@click.option("--metric", required=True, help="lead_time, price, or another snake_case metric.")
@click.option("--value", help="3.6, 16-20, >=6, <=22, ~15, allocation, stock.")
@click.option("--low", help="Lower bound (alternative to --value).")
@click.option("--high", help="Upper bound (alternative to --value).")
@click.option(
    "--unit",
    required=True,
    help="weeks, days, CNY/m, 万元/吨, USD/m2, % ... (see `tracker units`).",
)
@click.option(
    "--kind",
    type=click.Choice(["observed", "baseline", "announced", "forecast"]),
    default="observed",
    show_default=True,
    help="observed, baseline (a stated normal level), announced or forecast.",
)
@click.option("--source", help="Title, URL or source id.")
@click.option("--quote", help="The sentence the figure comes from.")
@click.option("--note", help="Free text.")
@click.pass_obj
@handle_errors
def add(obj: Context, **fields: str | None) -> None:
    """Add one observation.

    \b
    Example:
      tracker add --date 2025-07-24 --supplier MGC --material "BT resin" \\
        --product NSA --metric lead_time --value 4-6 --unit weeks
    """
    added, oid = api.add_observation(
        obj.store(), {k: v for k, v in fields.items() if v is not None}
    )
    if added:
        click.echo(f"added observation {oid}")
        return
    when = api.retracted_on(obj.store(), oid)
    gone = f" (retracted on {when}; it stays retracted)" if when else ""
    click.echo(f"already there: observation {oid}{gone}")


@cli.command("list")
@filter_options
@click.option("--history", "history_of", type=int, metavar="ID",
              help="Every version of observation ID: corrections, who, when, why.")  # fmt: skip
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table to read; csv (the interchange format) or json for other tools.",
)
@click.pass_obj
@handle_errors
def list_cmd(obj: Context, fmt: str, history_of: int | None, **kw: Any) -> None:
    """List observations in date order, with filters.

    Corrected (superseded) and retracted observations are hidden; --history ID
    shows one observation's whole chain.
    """
    if history_of is not None:
        _print_history(api.history(obj.store(), history_of))
        return
    filters = make_filters(kw)
    warn_unmatched(obj.store(), filters)
    observations = api.list_observations(obj.store(), filters)
    if fmt == "csv":
        from tracker.export import write_observations

        with utf8_stdout() as f:
            write_observations(f, observations)
        return
    from tracker.export import EXPORT_HEADER, export_row

    if fmt == "json":
        records = [dict(zip(EXPORT_HEADER, export_row(o), strict=True)) for o in observations]
        import json

        write_text(None, json_visible(json.dumps(records, ensure_ascii=False, indent=2)) + "\n")
        return
    from tracker.table import render
    from tracker.values import format_value

    rows = [
        [str(o.id), o.period.text, o.supplier or "(market)", o.material, o.product or "",
         o.metric, format_value(o.value), o.unit, o.kind]
        for o in observations
    ]  # fmt: skip
    header = ["id", "date", "supplier", "material", "product", "metric", "value", "unit", "kind"]
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo(render(header, rows, right=(0,), max_width=width))
    click.echo(f"({len(rows)} observation{'' if len(rows) == 1 else 's'})")


@cli.command("export")
@filter_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write to FILE instead of stdout (atomically; a pipe or a device directly).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="For spreadsheets: UTF-8 BOM, text cells quoted and formula-like ones prefixed "
    "with ', ranges as 4–6 (Excel reads 4-6 as a date).",
)
@click.option(
    "--wide",
    is_flag=True,
    help="One row per date, columns of numbers per series and kind (low/high for ranges).",
)
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write an Excel workbook, one sheet per metric, instead of CSV.",
)
@currency_option
@click.pass_obj
@handle_errors
def export_cmd(
    obj: Context, out: str | None, excel: bool, wide: bool, xlsx: str | None,
    currency: str | None, **kw: Any,
) -> None:  # fmt: skip
    """Export observations as interchange CSV (re-importable; see README for columns).

    The plain export is exact text for machines; --excel is the one for people.
    """
    from tracker.output import open_output

    if currency and not wide:
        raise click.UsageError("--currency goes with --wide (the long export is the exact "
                               "interchange CSV, in the entered currency)")  # fmt: skip
    filters = make_filters(kw)
    store = obj.store()
    warn_unmatched(store, filters)
    if xlsx:
        n = api.export_xlsx(store, xlsx, filters)
        click.echo(visible(f"wrote {n} observations to {xlsx}"), err=True)
    elif out:
        progress = Progress("exporting", "rows")
        try:
            with open_output(out, text=True, database=api.database_file(store),
                             buffering=1 << 20) as f:  # fmt: skip
                n = api.export_csv(store, f, filters, excel=excel, wide=wide,
                                   progress=progress, currency=currency)  # fmt: skip
        finally:
            progress.close()
        click.echo(visible(f"wrote {n} rows to {out}"), err=True)
    else:
        with utf8_stdout() as text:
            api.export_csv(store, text, filters, excel=excel, wide=wide,
                           currency=currency)  # fmt: skip


@cli.command()
@filter_options
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    type=click.Choice(["table", "csv", "json", "markdown", "html"]),
    help="table for the terminal; csv/json unrounded for machines; markdown/html for a briefing.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
@click.option("--excel", is_flag=True, help="With --format csv: UTF-8 BOM and formula-safe cells.")
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False),
    help="With markdown/html: also draw the charts into DIR and include them.",
)
@click.option(
    "--no-charts",
    is_flag=True,
    help="With html: no charts (by default the briefing draws and inlines them).",
)
@currency_option
@click.pass_obj
@handle_errors
def report(obj: Context, fmt: str, out: str | None, excel: bool, charts_dir: str | None,
           no_charts: bool, currency: str | None, **kw: Any) -> None:  # fmt: skip
    """First and latest figure per series and the change, bound to bound.

    A series is (supplier, material, product, metric, unit).  For a range the
    change is low to low and high to high (28-30 -> 32-35 is +14.3% / +16.7%);
    an open bound (>=6) gets no made-up change, only "at least".  Where the
    source stated a change, it is shown beside the computed one.
    """
    from tracker import report as rep

    if excel and fmt != "csv":
        raise click.UsageError("--excel goes with --format csv")
    if no_charts and charts_dir:
        raise click.UsageError("--charts DIR and --no-charts do not go together")
    filters = make_filters(kw)
    store = obj.store()
    warn_unmatched(store, filters)
    if fmt in ("html", "markdown"):
        text, warnings = api.briefing(store, filters, fmt, out, charts_dir, not no_charts,
                                      currency)  # fmt: skip
        for w in warnings:
            click.echo(visible(f"warning: {w}"), err=True)
        write_text(out, text, store)
        return
    notes: list[str] = []
    if currency:
        from tracker.currency import RATE_FIELDS, rates_note, row_rates

        rows, warnings = api.report_in_currency(store, filters, currency)
        for w in warnings:
            click.echo(visible(f"warning: {w}"), err=True)
        if fmt == "csv":
            write_text(out, rep.to_csv(rows, excel, (*rep.FIELDS, *RATE_FIELDS)), store)
            return
        notes = rates_note(row_rates(rows), currency.upper())
    elif fmt == "csv":
        write_text(out, api.report_csv(store, filters, excel=excel), store)
        return
    else:
        rows = api.report_rows(store, filters)
    if fmt == "json":
        text = rep.to_json(rows)
    else:
        text = rep.to_table(rows) + "\n" + "".join(f"\n{n}" for n in notes) + "\n" * bool(notes)
    write_text(out, text, store)


@cli.command()
@filter_options
@click.option(
    "--tolerance",
    type=float,
    metavar="POINTS",
    help="Allowed difference in percentage points (default: rounding of the stated figure).",
)
@click.pass_obj
@handle_errors
def verify(obj: Context, tolerance: float | None, **kw: Any) -> None:
    """Check every percentage change the sources stated against their own figures.

    Exit code 1 when any stated change differs from the computed one by more
    than the tolerance (e.g. "约15%" for 3.6 -> 4.1 CNY/m, which is +13.9%).
    """
    from tracker.report import checks_table

    filters = make_filters(kw)
    warn_unmatched(obj.store(), filters)
    checks = api.verify(obj.store(), filters, tolerance)
    click.echo(checks_table(checks))
    differ = sum(c.status == "differs" for c in checks)
    ok = sum(c.status == "ok" for c in checks)
    unchecked = len(checks) - differ - ok
    click.echo(f"{ok} ok, {differ} differ, {unchecked} unchecked (no figures to compute from)")
    if differ:
        sys.exit(1)


@cli.command()
@filter_options
@click.option(
    "--out-dir",
    default="charts",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the charts (created if missing).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg"]),
    default="png",
    show_default=True,
    help="PNG to paste into a deck, SVG to scale or edit.",
)
@click.option(
    "--dpi",
    type=click.IntRange(30, 600),
    default=150,
    show_default=True,
    help="Resolution of PNG charts (150 suits slides; 300 for print).",
)
@currency_option
@click.pass_obj
@handle_errors
def chart(obj: Context, out_dir: str, fmt: str, dpi: int, currency: str | None, **kw: Any) -> None:
    """Draw lead-time and price charts per supplier, plus an overview per metric.

    Figures of one date become a ranked range chart (a row per series); a
    history becomes a trend, or small multiples for a supplier with many
    products; at most about a dozen series per chart (the largest movers).
    index.html shows them all.  Prints each file written, one per line.
    """
    filters = make_filters(kw)
    warn_unmatched(obj.store(), filters)
    progress = Progress("drawing", "charts")
    drawn = [0]

    def tick(_path: Path) -> None:
        drawn[0] += 1
        progress(drawn[0])

    try:
        paths = api.chart(obj.store(), out_dir, filters, fmt=fmt, dpi=dpi, progress=tick,
                          currency=currency, notice=lambda m: click.echo(m, err=True),
                          contact_sheet=True)  # fmt: skip
    finally:
        progress.close()
    for path in paths:
        click.echo(visible(str(path)))


@contextlib.contextmanager
def utf8_stdout() -> Iterator[IO[str]]:
    """Stdout as UTF-8 with the CSV module's own line endings, whatever the terminal's
    encoding: files made by redirecting output are the same everywhere.  On a terminal,
    text is shown with control and bidi characters escaped (tracker.terminal)."""
    sys.stdout.flush()
    text = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield cast(IO[str], _Visible(text)) if sys.stdout.isatty() else text
    finally:
        text.detach()


class _Visible(io.TextIOBase):
    """Writes to a terminal: control and bidi characters escaped, CRLF shown as a line end.
    (No `buffer`: nothing writes around it.)"""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, s: str) -> int:
        self.out.write(visible(s.replace("\r\n", "\n"), keep="\n\t"))
        return len(s)

    def flush(self) -> None:
        self.out.flush()


def write_text(out: str | None, text: str, store: Store | None = None) -> None:
    """Print, or write the file `out` as tracker.output writes every output (never onto
    the database, never through a link, atomically)."""
    if not out:
        with utf8_stdout() as f:
            f.write(text)
        return
    from tracker import output

    output.write_text(out, text, database=api.database_file(store) if store else None)


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@cli.command()
@click.argument("oid", metavar="ID", type=int)
@click.option("--date", help="New date (YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY).")
@click.option("--supplier", help="New supplier name or alias.")
@click.option("--material", help="New material family.")
@click.option("--product", help="New grade or product.")
@click.option("--metric", help="New metric.")
@click.option("--value", help="New value (3.6, 16-20, >=6 ...), in --unit or the current unit.")
@click.option("--low", help="New lower bound (alternative to --value).")
@click.option("--high", help="New upper bound (alternative to --value).")
@click.option("--unit", help="Unit of the new value (default: the observation's canonical unit).")
@click.option("--kind", type=click.Choice(["observed", "baseline", "announced", "forecast"]),
              help="New kind.")  # fmt: skip
@click.option("--source", help="New source.")
@click.option("--quote", help="New quote.")
@click.option("--note", help="New note.")
@click.option("--reason", required=True, help="Why the figure is corrected (kept with it).")
@click.option("--by", "by", help="Who corrects it (default: your login name).")
@click.pass_obj
@handle_errors
def correct(obj: Context, oid: int, reason: str, by: str | None, **changes: str | None) -> None:
    """Correct observation ID: a new version supersedes it, both are kept.

    Reports, lists and exports use the newest version; `tracker list
    --history ID` shows the whole chain with who changed what, when and why.
    """
    new_id = api.correct(
        obj.store(), oid, {k: v for k, v in changes.items() if v is not None},
        by=by or _user(), reason=reason,
    )  # fmt: skip
    click.echo(f"observation {oid} corrected by new version {new_id}")


@cli.command()
@click.argument("oid", metavar="ID", type=int)
@click.option("--reason", required=True, help="Why it is retracted (kept with it).")
@click.option("--by", "by", help="Who retracts it (default: your login name).")
@click.pass_obj
@handle_errors
def delete(obj: Context, oid: int, reason: str, by: str | None) -> None:
    """Retract observation ID: it is kept, with who/when/why, but hidden from reports.

    Nothing is ever erased; `tracker list --history ID` still shows it.
    """
    api.retract(obj.store(), oid, by=by or _user(), reason=reason)
    click.echo(f"observation {oid} retracted")


@cli.command()
@click.option(
    "--fix", is_flag=True, help="Rebuild what is stale (the series summaries), then check again."
)
@click.pass_obj
@handle_errors
def check(obj: Context, fix: bool) -> None:
    """Check the database: integrity, foreign keys, schema and the series summaries; one
    line per finding.

    A stale summary comes from a write made outside the tracker (the sqlite3
    shell, sqlite-utils); --fix recomputes it from the observations.  Exit
    code 1 when anything is (still) wrong.
    """
    store = obj.store()
    if fix:
        rebuilt = api.fix(store)
        if rebuilt:
            click.echo(f"fixed: {len(rebuilt)} stale series "
                       f"{'summary' if len(rebuilt) == 1 else 'summaries'} rebuilt")  # fmt: skip
    findings = api.check(store)
    for f in findings:
        click.echo(visible(f))
    if findings:
        sys.exit(1)
    click.echo("ok: integrity, foreign keys and schema")


@cli.command()
@click.argument("target", metavar="FILE", type=click.Path(dir_okay=False))
@click.pass_obj
@handle_errors
def backup(obj: Context, target: str) -> None:
    """Copy the database to FILE, consistently, even while others write to it.

    Uses SQLite's online backup API; FILE must not exist yet.  On a PostgreSQL
    server, FILE becomes a SQLite database holding every observation with its
    versions and the suppliers (as `tracker copy` makes it); back the server
    itself up with pg_dump.
    """
    store = obj.store()
    api.backup(store, target)
    click.echo(visible(f"backed up to {target}"))
    if api.is_server(store):
        click.echo("(a SQLite copy of the observations, their versions and the suppliers; "
                   "pg_dump backs up the server database itself)")  # fmt: skip


@cli.command("copy")
@click.argument("source", metavar="SRC")
@click.argument("target", metavar="DST")
@handle_errors
def copy_cmd(source: str, target: str) -> None:
    """Copy every observation (with its versions) and the suppliers from SRC to DST.

    SRC and DST are SQLite files or postgresql:// URLs, e.g. a laptop's file into
    the team's server, or the server's data onto a laptop.  The copy is one
    transaction; copying again adds nothing.

    \b
    Example:
      tracker copy tracker.db postgresql://ann@db.example/tracker
    """
    from tracker.paths import check_db

    for value in (source, target):
        check_db(value, "copy")
    result = api.copy(source, target)
    click.echo(f"{result.added} added, {result.existing} already there, "
               f"{result.suppliers} new suppliers")  # fmt: skip


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--date",
    "published",
    metavar="DATE",
    help="Publication date: 'now' figures get it and relative dates (去年, next "
    "quarter) count from it (default: the article's date line, else today).",
)
@click.option("--source", help="Source for every row (default: the article's title).")
@click.option("--article", type=int, metavar="N", help="Take article N of a numbered digest.")
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False),
    metavar="CSV",
    help="Compare with hand-checked rows: recall and precision, every miss and extra.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    metavar="X",
    help="With --against: exit 1 if recall or precision is below X.",
)
@click.option(
    "--stage",
    is_flag=True,
    help="Keep the rows in the database's review inbox (see `tracker review`).",
)
@click.pass_obj
@handle_errors
def extract(obj: Context, file: str, published: str | None, source: str | None,
            article: int | None, against: str | None, min_score: float | None,
            stage: bool) -> None:  # fmt: skip
    """Propose observations from an article (Chinese or English, .txt or .html).

    Prints the rows as interchange CSV, each with the sentence it came from
    (quote) and a confidence; `tracker import` takes the file as it is.  With
    --stage they go to the review inbox instead, for `tracker review`; nothing
    reaches reports until a person accepts it.

    \b
    Examples:
      tracker extract news.html --stage && tracker review
      tracker extract digest.txt --article 4 --date 2025-07-24 > rows.csv
      tracker extract digest.txt --article 4 --date 2025-07-24 --against data/article4.csv
    """
    store = obj.store()
    rows = api.extract(store, file, published=published, source=source, article=article)
    if stage:
        if against:
            raise click.UsageError("--stage and --against do not go together")
        from tracker import inbox

        added = inbox.stage(store, rows, article=_article_name(file, article))
        click.echo(f"{added} staged, {len(rows) - added} already in the inbox; "
                   "`tracker review` to decide")  # fmt: skip
        return
    if against is None:
        from tracker.export import write_csv
        from tracker.news.pipeline import HEADER

        with utf8_stdout() as f:
            write_csv(f, HEADER, (c.row() for c in rows))
        return
    scores = api.evaluate(store, rows, against)
    from tracker.scoring import table

    click.echo(table(scores))
    for s in scores[:-1]:
        click.echo("".join(f"missed {s.metric}: {visible(m)}\n" for m in s.missed), nl=False)
        click.echo("".join(f"extra {s.metric}: {visible(m)}\n" for m in s.extra), nl=False)
    if min_score is not None and any(min(s.recall, s.precision) < min_score for s in scores):
        sys.exit(1)


def _article_name(file: str, article: int | None) -> str:
    name = "<stdin>" if file == "-" else os.path.abspath(file)
    return f"{name}#{article}" if article is not None else name


@cli.command()
@click.option("--list", "listing", is_flag=True, help="List the candidates instead of reviewing.")
@click.option("--all", "show_all", is_flag=True, help="With --list: decided ones too.")
@click.option(
    "--accept",
    "accept_all",
    is_flag=True,
    help="Accept every pending candidate at or above --min-confidence, no questions.",
)
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=None,
    metavar="X",
    help="With --accept: the lowest confidence accepted (required).",
)
@click.option("--by", "by", help="Who decides (default: your login name).")
@click.pass_obj
@handle_errors
def review(obj: Context, listing: bool, show_all: bool, accept_all: bool,
           min_confidence: float | None, by: str | None) -> None:  # fmt: skip
    """Decide on the candidates `tracker extract --stage` proposed.

    Shows each pending candidate with its sentence (the figure marked
    [[like this]]) and the proposed row, and asks: [a]ccept (it becomes an
    observation, with its source and quote), [e]dit field by field, [r]eject,
    [s]kip (ask again next time) or [q]uit.  Every decision is saved at once:
    quitting, or an interruption, loses nothing.

    \b
    Examples:
      tracker review                              one by one
      tracker review --list                       what is waiting
      tracker review --accept --min-confidence 0.85
    """
    from tracker import inbox

    store = obj.store()
    who = by or _user()
    if listing:
        _print_inbox(inbox.entries(store, None if show_all else inbox.PENDING))
        return
    if accept_all:
        if min_confidence is None:
            raise click.UsageError("--accept needs --min-confidence X (0-1)")
        _accept_all(store, who, min_confidence)
        return
    if min_confidence is not None:
        raise click.UsageError("--min-confidence goes with --accept")
    _review_loop(store, who)


def _print_inbox(entries: list[Any]) -> None:
    from tracker.table import render

    rows = [[str(e.id), e.status, f"{e.confidence:.2f}", e.fields["date"],
             e.fields["supplier"] or "(market)", e.fields["material"], e.fields["product"],
             e.fields["metric"], e.fields["value"], e.fields["unit"], e.fields["kind"]]
            for e in entries]  # fmt: skip
    header = ["id", "status", "conf", "date", "supplier", "material", "product", "metric", "value",
              "unit", "kind"]  # fmt: skip
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo(render(header, rows, right=(0, 2), max_width=width))
    click.echo(f"({len(rows)} candidate{'' if len(rows) == 1 else 's'})")


def _accept_all(store: Store, who: str, least: float) -> None:
    from tracker import inbox

    added = found = 0
    left = []
    for e in inbox.entries(store):
        if e.confidence < least:
            left.append(e)
            continue
        try:
            new, _ = inbox.accept(store, e.id, who)
        except ValidationError as err:
            click.echo(visible(f"candidate {e.id}: left for review: "
                               + "; ".join(p.reason for p in err.problems)), err=True)  # fmt: skip
            left.append(e)
            continue
        added += new
        found += not new
    click.echo(f"{added + found} accepted ({added} new observations, {found} already there), "
               f"{len(left)} left for review")  # fmt: skip


def _show_entry(e: Any, n: int, total: int) -> None:
    from tracker.table import render

    quote = e.fields["quote"]
    a, b = e.mark
    marked = f"{quote[:a]}[[{quote[a:b]}]]{quote[b:]}" if 0 <= a < b <= len(quote) else quote
    click.echo(f"\ncandidate {e.id} ({n} of {total}), confidence {e.confidence:.2f}, "
               f"from {visible(e.fields['source'] or e.article)}")  # fmt: skip
    click.echo(render(["sentence"], [[marked]]))
    rows = [[k, e.fields[k] or ("(market)" if k == "supplier" else "")]
            for k in ("date", "supplier", "material", "product", "metric", "value", "unit",
                      "kind", "note")]  # fmt: skip
    click.echo(render(["field", "proposed"], rows))


def _review_loop(store: Store, who: str) -> None:
    """One candidate at a time until none is left or the reviewer quits."""
    from tracker import inbox

    pending = inbox.entries(store)
    done = {"accepted": 0, "rejected": 0, "skipped": 0}
    if not pending:
        click.echo("the inbox is empty: `tracker extract FILE --stage` fills it")
        return
    try:
        for n, e in enumerate(pending, 1):
            while True:
                _show_entry(e, n, len(pending))
                choice = click.prompt("[a]ccept, [e]dit, [r]eject, [s]kip, [q]uit",
                                      type=click.Choice(["a", "e", "r", "s", "q"]),
                                      show_choices=False)  # fmt: skip
                if choice == "q":
                    raise click.Abort
                if choice == "s":
                    done["skipped"] += 1
                    break
                if choice == "r":
                    inbox.reject(store, e.id, who)
                    done["rejected"] += 1
                    break
                if choice == "e":
                    changes = {}
                    for k in inbox.EDITABLE:
                        new = click.prompt(f"  {k}", default=e.fields[k], show_default=True)
                        while reason := not_utf8(new):
                            click.echo(f"  {visible(reason)}")
                            new = click.prompt(f"  {k}", default=e.fields[k], show_default=True)
                        if new != e.fields[k]:
                            changes[k] = new.strip()
                    e = inbox.edit(store, e.id, changes)
                    continue
                try:
                    added, oid = inbox.accept(store, e.id, who)
                except ValidationError as err:
                    for p in err.problems:
                        where = f"{p.column.lstrip('-')}: " if p.column else ""
                        click.echo(f"  cannot accept: {where}{p.reason}")
                    continue
                click.echo(f"  accepted: observation {oid}" + ("" if added else " (already there)"))
                done["accepted"] += 1
                break
    except click.Abort:
        click.echo("")
    left = inbox.counts(store)[inbox.PENDING]
    click.echo(f"{done['accepted']} accepted, {done['rejected']} rejected, "
               f"{done['skipped']} skipped; {left} pending")  # fmt: skip


@cli.command("seed")
@click.pass_obj
@handle_errors
def seed_cmd(obj: Context) -> None:
    """Load the shipped article dataset (article 4 of the seed digest); twice adds nothing."""
    result = api.seed(obj.store())
    click.echo(f"{result.added} added, {result.existing} already there")


@cli.command("units")
@click.pass_obj
@handle_errors
def units_cmd(obj: Context) -> None:
    """List the known units, their dimension and canonical unit.

    Scale words (万 10^4, 亿 10^8, 千, 百万, 千万) prefix a currency or a
    quantity: 万元/吨 is CNY/t x 10,000; 亿片 is pcs x 10^8.
    """
    from tracker.table import render
    from tracker.units import unit_table

    rows = [[r.unit, r.dimension, r.canonical, _factor(r.factor), r.aliases] for r in unit_table()]
    click.echo(render(["unit", "dimension", "canonical", "factor", "also written"], rows))


def _print_history(chain: list[Any]) -> None:
    from tracker.table import render
    from tracker.values import format_value

    rows = []
    for r in chain:
        o = r.observation
        status = f"retracted {r.retracted_at} by {r.retracted_by}: {r.retracted_reason}" if (
            r.retracted_at) else ("current" if r is chain[-1] else "superseded")  # fmt: skip
        change = f"{r.changed_by}: {r.change_reason}" if r.supersedes else "original"
        rows.append([str(o.id), o.recorded_at or "", o.period.text, format_value(o.value), o.unit,
                     change, status])  # fmt: skip
    header = ["id", "recorded_at", "date", "value", "unit", "change", "status"]
    click.echo(render(header, rows, right=(0,)))


def _factor(f: Any) -> str:
    if f.denominator == 1:
        return f"{f.numerator:,}"
    return f"{f.numerator}/{f.denominator}"


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, as Ctrl-C raises KeyboardInterrupt:
    the code being left runs its cleanup (temp files, a database built aside) on the way
    out.  A BaseException, so that no `except Exception` can swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: object) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second one must not cut the cleanup short
    raise Terminated(signum)


def main() -> None:
    """Console-script entry point.

    SIGTERM and SIGHUP (unless ignored, as under nohup) end the command the way Ctrl-C
    does, cleaning up; the process then dies of the same signal, so its parent sees what
    happened.
    """
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _terminate)
    try:
        cli(prog_name="tracker")
    except Terminated as t:
        signal.signal(t.signum, signal.SIG_DFL)
        os.kill(os.getpid(), t.signum)


if __name__ == "__main__":  # pragma: no cover
    main()
