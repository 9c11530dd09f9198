"""Benchmark the tracker against anchors measured in the same run, on the same machine.

Every figure is a ratio to an anchor timed a moment earlier, so the numbers
mean the same on a fast laptop and a loaded CI box:

  import   tracker import (full validation, dedup)   vs  csv module + sqlite3 executemany, WAL
  reimport the same file again (all duplicates)      vs  the same anchor
  report   tracker report --format csv               vs  one indexed SQL min/max query per series
  chart    tracker chart, time per chart             vs  a bare matplotlib Figure/Agg loop
  help     tracker --help                            vs  a bare click CLI's --help
  add      tracker add into the big database         vs  the same bare click --help
  export   tracker export of every observation       vs  the import anchor's rows/s
  xlsx     tracker export --xlsx of 200,000 rows, in seconds (issue 14: under 30 s),
           its peak memory beside that at 20,000 rows (flat when close)

Each is run as its own process (the venv's own `tracker` script), the median
of --repeat runs, with its peak memory (see measure()).  Every process runs
with bytecode cached, as an installed tool runs for its user (see ENV).

    python bench/run.py                 # 1,000,000 rows (about 75 MB of CSV)
    python bench/run.py --rows 100000   # quicker
    python bench/run.py --scale         # 100k, 1M and 3M rows: cost per row as it grows
    python bench/run.py --chart-db big.db   # seconds per chart of `tracker chart` on big.db
                                            # (made with bench/generate.py; issue 13: <= 0.3 s)
    python bench/run.py --backend postgresql   # the same tracker on a PostgreSQL server
                                               # against bare psycopg (bench/postgres.py)
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import write  # noqa: E402

BIN = Path(sys.executable).parent
TRACKER = str(BIN / "tracker")
PY = sys.executable
# Every process runs as an installed tool runs for its user: with bytecode cached.  With
# PYTHONDONTWRITEBYTECODE set (as in some CI shells) the tracker's own modules would be
# compiled again in every process (15-20 ms), while the anchors' libraries come compiled
# from site-packages; warm_up() writes the tracker's bytecode once before timing.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# name: (comparison, limit); a rate ratio is tracker/anchor rows/s, a time ratio tracker/anchor s
TARGETS = {
    "import": ("rate >=", 0.5),
    "reimport": ("rate >=", 0.5),
    "report": ("time <=", 1.0),  # issue 11: one process, reading the kept summaries
    "chart": ("time <=", 1.3),
    "help": ("time <=", 1.5),
    "add": ("time <=", 2.5),
    "export": ("rate >=", 0.45),  # issue 11: one process
    "xlsx": ("seconds <=", 30),  # issue 14: export --xlsx of 200,000 rows, flat memory
}
MEMORY = {"import": 100, "reimport": 100, "report": 150, "xlsx": 100}  # MiB
XLSX_ROWS = 200_000

ANCHOR_IMPORT = r"""
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[2], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE t (date, supplier, material, product, metric, value, unit, kind, "
             "source)")
conn.execute("BEGIN")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    next(r)
    conn.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?)", r)
conn.execute("COMMIT")
"""

# the report anchor's query: first and latest per series by one indexed min/max (the same
# SQL on SQLite and, in bench/postgres.py, on PostgreSQL)
REPORT_SQL = """
SELECT m.supplier, m.material, m.product, m.metric, m.unit, m.mn, f.value, m.mx, l.value
FROM (SELECT supplier, material, product, metric, unit, MIN(date) mn, MAX(date) mx
      FROM t GROUP BY supplier, material, product, metric, unit) m
JOIN t f ON f.supplier = m.supplier AND f.material = m.material AND f.product = m.product
        AND f.metric = m.metric AND f.unit = m.unit AND f.date = m.mn
JOIN t l ON l.supplier = m.supplier AND l.material = m.material AND l.product = m.product
        AND l.metric = m.metric AND l.unit = m.unit AND l.date = m.mx
"""

ANCHOR_REPORT = r"""
import csv, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
w = csv.writer(sys.stdout)
for row in conn.execute(sys.argv[2]):
    w.writerow(row)
"""

ANCHOR_CHART = r"""
import sys
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
n = int(sys.argv[2])
for c in range(n):
    fig = Figure(figsize=(10, 5.6), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for s in range(10):
        ax.plot(range(100), [(s + 1) * (i % 17) for i in range(100)], marker="o", label=f"s{s}")
    ax.legend()
    ax.set_title(f"chart {c}")
    fig.savefig(f"{sys.argv[1]}/a{c}.png")
"""

ANCHOR_CLICK = r"""
import click

@click.group()
@click.option("--db")
def cli(db):
    "A bare CLI."

@cli.command()
@click.argument("files", nargs=-1)
def load(files):
    "Load files."

@cli.command()
def show():
    "Show."

cli()
"""


@dataclass
class Run:
    seconds: float
    rss_mib: float


@dataclass
class Result:
    name: str
    ratio: float
    detail: str
    rss_mib: float | None = None


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss_peak(pid: int, peak: list[int]) -> None:
    """Poll the process and its children (the import's reader) every 20 ms: the peak of
    their summed PSS, so pages a fork shares are counted once (Linux only; else 0)."""
    while True:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            return
        peak[0] = max(peak[0], sum(_pss_kib(p) for p in (pid, *kids)))
        time.sleep(0.02)


def measure(cmd: list[str], repeat: int, setup=None, **kw) -> Run:  # type: ignore[no-untyped-def]
    """Median wall time and the largest peak memory over `repeat` runs of a process.

    Peak memory is the larger of wait4's peak RSS (the largest single process)
    and the sampled peak of the process tree's summed PSS (a forked helper
    included).
    """
    import threading

    times, rss = [], []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, **kw)
        peak = [0]
        watcher = threading.Thread(target=_tree_pss_peak, args=(p.pid, peak), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(p.pid, 0)
        times.append(time.perf_counter() - start)
        watcher.join()
        err = p.stderr.read().decode() if p.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
        rss.append(max(usage.ru_maxrss, peak[0]) / 1024)
    return Run(statistics.median(times), max(rss))


def chart_seconds(db: Path, work: Path) -> str:
    """`tracker chart` on an existing database: wall and CPU seconds per chart written.  CPU
    time (user + system, from wait4) is what the tool costs; wall time on a loaded machine
    also holds what other processes took."""
    out = work / "charts"
    start = time.perf_counter()
    p = subprocess.Popen([TRACKER, "--db", str(db), "chart", "--out-dir", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)  # fmt: skip
    printed = p.stdout.read().decode().splitlines() if p.stdout else []
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: tracker chart on {db}")
    n = sum(1 for line in printed if line.endswith(".png"))
    cpu = usage.ru_utime + usage.ru_stime
    verdict = "ok" if cpu / n <= 0.3 else "SLOWER than 0.3 s/chart"
    return (f"chart     {n} charts in {wall:.1f} s wall, {cpu:.1f} s CPU: {wall / n:.3f} s/chart "
            f"wall, {cpu / n:.3f} s/chart CPU (target 0.3 s: {verdict})")


def fresh(*paths: Path):  # type: ignore[no-untyped-def]
    def clean() -> None:
        for p in paths:
            for suffix in ("", "-wal", "-shm"):
                Path(str(p) + suffix).unlink(missing_ok=True)

    return clean


def warm_up() -> None:
    """Compile every tracker module once, as a user's first run would."""
    subprocess.run(
        [PY, "-c", "import pkgutil, importlib, tracker; [importlib.import_module(m.name) for m in "
         "pkgutil.iter_modules(tracker.__path__, 'tracker.')]"],
        env=ENV, check=True, capture_output=True,
    )  # fmt: skip


def bench(rows: int, repeat: int, work: Path, chart_series: int = 50) -> list[Result]:
    """Run every comparison at `rows`."""
    csv_path = work / f"rows{rows}.csv"
    if not csv_path.exists():
        write(csv_path, rows)
    mb = csv_path.stat().st_size / 2**20
    print(f"\n== {rows:,} rows ({mb:.0f} MiB of CSV), median of {repeat} ==", flush=True)
    out: list[Result] = []

    anchor_db, db = work / "anchor.db", work / "tracker.db"
    a = measure([PY, "-c", ANCHOR_IMPORT, str(csv_path), str(anchor_db)], repeat, fresh(anchor_db))
    t = measure([TRACKER, "--db", str(db), "import", str(csv_path)], repeat, fresh(db))
    a_rate, t_rate = rows / a.seconds, rows / t.seconds
    out.append(
        Result(
            "import",
            t_rate / a_rate,
            f"{t_rate:,.0f} rows/s ({t.seconds:.2f}s, {t.rss_mib:.0f} MiB) vs anchor "
            f"{a_rate:,.0f} rows/s ({a.seconds:.2f}s, {a.rss_mib:.0f} MiB)",
            t.rss_mib,
        )
    )
    r = measure([TRACKER, "--db", str(db), "import", str(csv_path)], repeat)
    r_rate = rows / r.seconds
    out.append(
        Result(
            "reimport",
            r_rate / a_rate,
            f"{r_rate:,.0f} rows/s ({r.seconds:.2f}s, {r.rss_mib:.0f} MiB), all duplicates",
            r.rss_mib,
        )
    )

    index = "CREATE INDEX t_series ON t (supplier, material, product, metric, unit, date)"
    sqlite3.connect(anchor_db).execute(index).connection.close()  # not timed: the anchor's index
    a = measure([PY, "-c", ANCHOR_REPORT, str(anchor_db), REPORT_SQL], repeat)
    t = measure([TRACKER, "--db", str(db), "report", "--format", "csv"], repeat)
    out.append(
        Result(
            "report",
            t.seconds / a.seconds,
            f"{t.seconds:.2f}s ({t.rss_mib:.0f} MiB) vs indexed SQL {a.seconds:.2f}s "
            f"({a.rss_mib:.0f} MiB)",
            t.rss_mib,
        )
    )

    # charts: a small database of `chart_series` series, 100 weekly points each
    chart_csv, chart_db = work / "chart.csv", work / "chart.db"
    suppliers = 5
    products = chart_series // (2 * suppliers)
    write(chart_csv, chart_series * 100, suppliers=suppliers, products=products)
    fresh(chart_db)()
    subprocess.run(
        [TRACKER, "--db", str(chart_db), "import", str(chart_csv)], check=True, capture_output=True
    )
    charts_out = work / "charts"
    t = measure([TRACKER, "--db", str(chart_db), "chart", "--out-dir", str(charts_out)], repeat)
    n_charts = len(list(charts_out.glob("*.png")))
    a = measure([PY, "-c", ANCHOR_CHART, str(work), str(n_charts)], repeat)
    out.append(
        Result(
            "chart",
            t.seconds / a.seconds,
            f"{t.seconds / n_charts * 1000:.0f} ms/chart vs bare matplotlib "
            f"{a.seconds / n_charts * 1000:.0f} ms/chart ({n_charts} charts)",
        )
    )

    click_py = work / "bare_click.py"
    click_py.write_text(ANCHOR_CLICK)
    a = measure([PY, str(click_py), "--help"], max(repeat, 5))
    t = measure([TRACKER, "--help"], max(repeat, 5))
    out.append(
        Result(
            "help",
            t.seconds / a.seconds,
            f"{t.seconds * 1000:.0f} ms vs bare click {a.seconds * 1000:.0f} ms",
        )
    )
    adds = [
        measure(
            [
                TRACKER,
                "--db",
                str(db),
                "add",
                "--date",
                "2030-01-01",
                "--supplier",
                "Bench",
                "--material",
                "x",
                "--metric",
                "price",
                "--value",
                str(i),
                "--unit",
                "CNY/t",
            ],
            1,
        )
        for i in range(max(repeat, 5))
    ]
    add = statistics.median(x.seconds for x in adds)
    out.append(
        Result(
            "add",
            add / a.seconds,
            f"{add * 1000:.0f} ms into {rows:,} rows vs bare click {a.seconds * 1000:.0f} ms",
        )
    )

    export_csv = work / "export.csv"
    t = measure([TRACKER, "--db", str(db), "export", "--out", str(export_csv)], repeat)
    e_rate = (rows + len(adds)) / t.seconds
    out.append(
        Result(
            "export",
            e_rate / a_rate,
            f"{e_rate:,.0f} rows/s ({t.seconds:.2f}s, {t.rss_mib:.0f} MiB) vs anchor "
            f"import {a_rate:,.0f} rows/s",
            t.rss_mib,
        )
    )
    out.append(xlsx_line(work, repeat))
    return out


def xlsx_line(work: Path, repeat: int) -> Result:
    """`export --xlsx` of 200,000 rows against an absolute target (issue 14: 30 s), with
    its peak memory beside that of a tenth of the rows: flat when the two are close."""
    peaks, seconds = [], 0.0
    for n in (XLSX_ROWS // 10, XLSX_ROWS):
        src, db = work / f"xlsx{n}.csv", work / f"xlsx{n}.db"
        write(src, n)
        fresh(db)()
        subprocess.run([TRACKER, "--db", str(db), "import", str(src)], check=True,
                       capture_output=True)  # fmt: skip
        t = measure([TRACKER, "--db", str(db), "export", "--xlsx", str(work / "x.xlsx")],
                    repeat if n == XLSX_ROWS else 1)  # fmt: skip
        peaks.append(t.rss_mib)
        seconds = t.seconds
    return Result(
        "xlsx",
        seconds,
        f"{seconds:.1f}s for {XLSX_ROWS:,} rows, peak {peaks[1]:.0f} MiB "
        f"({peaks[0]:.0f} MiB at {XLSX_ROWS // 10:,} rows)",
        peaks[1],
    )


def verdict(name: str, ratio: float, rss: float | None) -> str:
    kind, limit = TARGETS[name]
    ok = ratio >= limit if kind.startswith("rate") else ratio <= limit
    if rss is not None and name in MEMORY and rss > MEMORY[name]:
        ok = False
    mem = f", peak <= {MEMORY[name]} MiB" if name in MEMORY else ""
    op = ">=" if kind.startswith("rate") else "<="
    scale = "s" if kind.startswith("seconds") else "x"
    return f"{'ok  ' if ok else 'MISS'} target {op} {limit}{scale}{mem}"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--scale", action="store_true", help="100k, 1M and 3M rows: time per row as it grows"
    )
    ap.add_argument("--work", help="folder for the generated files (default: a temp folder)")
    ap.add_argument("--chart-db", type=Path, help="only time `tracker chart` on this database")
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("TRACKER_TEST_PG"),
                    help="with --backend postgresql: a superuser URL (default: a throw-away "
                    "cluster made with the machine's initdb)")  # fmt: skip
    args = ap.parse_args()
    warm_up()
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        if args.chart_db:
            print(chart_seconds(args.chart_db, work))
            return
        if args.backend == "postgresql":
            import postgres

            TARGETS.clear()  # the PostgreSQL targets, nothing else
            TARGETS.update(postgres.TARGETS)
            results = postgres.bench(
                args.rows, args.repeat, work, args.pg_url, measure, write, TRACKER, PY,
                lambda name, ratio, detail: Result(name, ratio, detail), REPORT_SQL,
            )  # fmt: skip
            print(f"\n{'':10}{'ratio':>8}  {'verdict':<40} detail")
            for r in results:
                said = verdict(r.name, r.ratio, None) if r.name in TARGETS else "(no target)"
                print(f"{r.name:<10}{r.ratio:>7.2f}x  {said:<40} {r.detail}")
            return
        if args.scale:
            head = ("rows", "import us/row", "report us/row", "report ms/series")
            print(f"{head[0]:>10}  {head[1]:>14}  {head[2]:>14}  {head[3]:>17}")
            for n in (100_000, 1_000_000, 3_000_000):
                csv_path = write(work / f"s{n}.csv", n)
                db = work / f"s{n}.db"
                imp = measure([TRACKER, "--db", str(db), "import", str(csv_path)], 1, fresh(db))
                rep = measure([TRACKER, "--db", str(db), "report", "--format", "csv"], 1)
                series = min(n, 20_000)
                print(f"{n:>10,}  {imp.seconds / n * 1e6:>14.2f}  {rep.seconds / n * 1e6:>14.2f}  "
                      f"{rep.seconds / series * 1e3:>17.3f}", flush=True)  # fmt: skip
                csv_path.unlink()
                fresh(db)()
            return
        results = bench(args.rows, args.repeat, work)
        print(f"\n{'':10}{'ratio':>8}  {'verdict':<40} detail")
        for r in results:
            verdict_text = verdict(r.name, r.ratio, r.rss_mib)
            scale = "s" if TARGETS[r.name][0].startswith("seconds") else "x"
            print(f"{r.name:<10}{r.ratio:>7.2f}{scale}  {verdict_text:<40} {r.detail}")


if __name__ == "__main__":
    main()
