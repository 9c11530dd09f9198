"""Issue 14: outputs land only where they should, failures leave the user's files as they
were, terminal text is safe, every accepted value can be reported, charted and exported.

Each test reproduces one finding of the issue (numbered as there).  Tests that need a
device node or a tmpfs mount run where they can (as root) and say why they skip elsewhere.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import tracker_exe

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def sh(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """The installed `tracker` in a real process."""
    return subprocess.run([tracker_exe(), *args], capture_output=True, text=True, check=False,
                          cwd=cwd, **kw)  # fmt: skip


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "x.db"
    assert sh("--db", str(db), "seed").returncode == 0
    return db


def one_line_error(r: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused command (exit 1, no traceback)."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "1M") -> Iterator[Path]:
    """A small tmpfs at `where` (root only): a disk that can be filled."""
    if not ROOT:
        pytest.skip("mounting a tmpfs to fill a disk needs root")
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                       capture_output=True, text=True, check=False)  # fmt: skip
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> None:
    """Fill the file system of `folder` to the last byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# --- 1. symbolic links are never written through -------------------------------------------


def test_1_chart_refuses_a_link_in_the_out_dir(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "c"
    out.mkdir()
    secret = tmp_path / "v"
    secret.write_text("secret\n")
    (out / "overview_price.png").symlink_to(secret)
    (out / "mgc_lead_time.png").symlink_to(tmp_path / "dangling")
    r = sh("--db", str(seeded), "chart", "--out-dir", str(out))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "symbolic link" in r.stderr
    assert secret.read_text() == "secret\n"
    assert not (tmp_path / "dangling").exists()
    assert (out / "overview_price.png").is_symlink()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_1_chart_refuses_an_out_dir_that_is_a_link(seeded: Path, tmp_path: Path, fmt: str) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "c").symlink_to(real)
    line = one_line_error(sh("--db", str(seeded), "chart", "--format", fmt, "--out-dir",
                             str(tmp_path / "c")))  # fmt: skip
    assert "symbolic link" in line and str(tmp_path / "c") in line
    assert list(real.iterdir()) == []


def test_1_briefing_charts_and_xlsx_refuse_links(seeded: Path, tmp_path: Path) -> None:
    secret = tmp_path / "v"
    secret.write_text("secret\n")
    charts = tmp_path / "c"
    charts.mkdir()
    (charts / "overview_lead_time.png").symlink_to(secret)
    r = sh("--db", str(seeded), "report", "--format", "html", "--charts", str(charts),
           "--out", str(tmp_path / "b.html"))  # fmt: skip
    assert "symbolic link" in one_line_error(r)
    assert not (tmp_path / "b.html").exists()
    (tmp_path / "w.xlsx").symlink_to(secret)
    assert "symbolic link" in one_line_error(
        sh("--db", str(seeded), "export", "--xlsx", str(tmp_path / "w.xlsx")))
    (tmp_path / "e.csv").symlink_to(tmp_path / "nowhere")
    assert "symbolic link" in one_line_error(
        sh("--db", str(seeded), "export", "--out", str(tmp_path / "e.csv")))
    assert "symbolic link" in one_line_error(
        sh("--db", str(seeded), "backup", str(tmp_path / "e.csv")))
    assert secret.read_text() == "secret\n" and not (tmp_path / "nowhere").exists()


# --- 2. --out writes FIFOs and devices directly, never onto the database ----------------------


def test_2_out_to_a_fifo_is_written_directly(seeded: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = tmp_path / "got.csv"
    reader = subprocess.Popen(["sh", "-c", f"cat '{fifo}' > '{got}'"])
    r = sh("--db", str(seeded), "export", "--out", str(fifo), timeout=60)
    assert reader.wait(timeout=60) == 0
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got.read_text(encoding="utf-8") == sh("--db", str(seeded), "export").stdout
    assert leftovers(tmp_path, {"x.db", "pipe", "got.csv", "x.db-wal", "x.db-shm"}) == []


def test_2_out_to_process_substitution(seeded: Path, tmp_path: Path) -> None:
    got = tmp_path / "got.csv"
    r = subprocess.run(["bash", "-c", f"'{tracker_exe()}' --db '{seeded}' export --out >(cat > '{got}'); "
                        "wait"], capture_output=True, text=True, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    for _ in range(100):  # the substituted process may finish a moment after bash
        if got.exists() and got.stat().st_size:
            break
        time.sleep(0.05)
    assert got.read_text(encoding="utf-8") == sh("--db", str(seeded), "export").stdout


def test_2_out_to_a_full_device_is_a_disk_full_error(seeded: Path, tmp_path: Path) -> None:
    # as root a private node (1, 7) stands in for /dev/full: a bug that replaced the
    # device would otherwise replace the system's own
    if ROOT:
        full = tmp_path / "full"
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    elif Path("/dev/full").exists():
        full = Path("/dev/full")
    else:
        pytest.skip("no /dev/full on this system")
    before = os.lstat(full)
    line = one_line_error(sh("--db", str(seeded), "export", "--out", str(full)))
    assert line.startswith(f"error: {full}: ") and "disk is full" in line
    after = os.lstat(full)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_2_out_to_a_character_device_keeps_the_device(seeded: Path, tmp_path: Path) -> None:
    if not ROOT:
        pytest.skip("making a device node needs root")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    for args in (["export", "--out", str(null)], ["export", "--xlsx", str(null)],
                 ["report", "--format", "csv", "--out", str(null)]):  # fmt: skip
        r = sh("--db", str(seeded), *args)
        assert r.returncode == 0, r.stderr
        assert stat.S_ISCHR(null.lstat().st_mode), args
    assert leftovers(tmp_path, {"x.db", "null", "x.db-wal", "x.db-shm"}) == []


def test_2_out_to_the_database_is_refused(seeded: Path, tmp_path: Path) -> None:
    before = seeded.read_bytes()
    link = tmp_path / "same.db"
    os.link(seeded, link)  # another name of the same file
    for args in (["export", "--out", str(seeded)], ["export", "--out", str(link)],
                 ["export", "--xlsx", str(seeded)],
                 ["report", "--format", "json", "--out", str(seeded)]):  # fmt: skip
        line = one_line_error(sh("--db", str(seeded), *args))
        assert "is the database" in line, line
    assert seeded.read_bytes() == before
    assert sh("--db", str(seeded), "check").returncode == 0


def test_2_stdout_dash_and_dev_stdout(seeded: Path) -> None:
    plain = sh("--db", str(seeded), "export").stdout
    assert sh("--db", str(seeded), "export", "--out", "-").stdout == plain
    assert sh("--db", str(seeded), "export", "--out", "/dev/stdout").stdout == plain


def test_2_a_replaced_file_is_a_new_file_its_hard_links_keep_the_old_text(
    seeded: Path, tmp_path: Path
) -> None:
    out = tmp_path / "e.csv"
    out.write_text("old\n")
    other = tmp_path / "other-name.csv"
    os.link(out, other)
    assert sh("--db", str(seeded), "export", "--out", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("id,date,")
    assert other.read_text() == "old\n"  # the choice: atomic replace (see README)


# --- 3. nothing half-written under a final name -------------------------------------------------


def test_3_chart_on_a_full_disk_keeps_the_good_files(seeded: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "2M") as disk:
        out = disk / "c"
        assert sh("--db", str(seeded), "chart", "--metric", "price", "--out-dir", str(out)).returncode == 0
        good = {p.name: p.read_bytes() for p in out.iterdir()}
        fill(disk)
        r = sh("--db", str(seeded), "chart", "--metric", "price", "--dpi", "300", "--out-dir", str(out))
        line = one_line_error(r)
        assert "disk is full" in line and ".tmp" not in line
        assert {p.name: p.read_bytes() for p in out.iterdir()} == good


def test_3_xlsx_on_a_full_disk_keeps_the_good_file(seeded: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with tmpfs(tmp_path / "disk") as disk:
        book = disk / "w.xlsx"
        assert sh("--db", str(seeded), "export", "--xlsx", str(book)).returncode == 0
        good = book.read_bytes()
        fill(disk)
        line = one_line_error(sh("--db", str(seeded), "export", "--xlsx", str(book)))
        assert line.startswith(f"error: {book}: ") and "disk is full" in line
        assert book.read_bytes() == good
        assert load_workbook(book).sheetnames
        assert leftovers(disk, {"w.xlsx", "filler"}) == []


def test_3_export_on_a_full_disk_names_the_users_file(seeded: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as disk:
        out = disk / "e.csv"
        out.write_text("good\n")
        fill(disk)
        line = one_line_error(sh("--db", str(seeded), "export", "--out", str(out)))
        assert line.startswith(f"error: {out}: ") and "disk is full" in line
        assert out.read_text() == "good\n"
        assert leftovers(disk, {"e.csv", "filler"}) == []


# --- 4. no temp file left after SIGTERM or SIGINT; a SIGKILLed one is swept later -----------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A feed of 200,000 rows and a database holding it: work that takes a while."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import write as write_synthetic

    folder = tmp_path_factory.mktemp("big")
    feed = write_synthetic(folder / "feed.csv", 200_000)
    db = folder / "big.db"
    assert sh("--db", str(db), "import", str(feed)).returncode == 0
    return feed, db


def temps(folder: Path, prefix: str = ".") -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".tracker-" in p.name and p.name.startswith(prefix))


def interrupt(
    args: list[str], folder: Path, sig: int, prefix: str = "."
) -> subprocess.CompletedProcess[str]:
    """Start `tracker args`, wait until its temp file is in `folder`, send `sig`."""
    p = subprocess.Popen([tracker_exe(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while not temps(folder, prefix):
        if p.poll() is not None or time.monotonic() > deadline:
            out, err = p.communicate()
            pytest.fail(f"no temp file appeared before the end: {p.returncode} {err}")
        time.sleep(0.001)
    p.send_signal(sig)
    out, err = p.communicate(timeout=120)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_4_a_signal_during_export_leaves_the_file_as_it_was(
    big: tuple[Path, Path], tmp_path: Path, sig: int
) -> None:
    out = tmp_path / "e.csv"
    out.write_text("good\n")
    r = interrupt(["--db", str(big[1]), "export", "--out", str(out)], tmp_path, sig)
    assert r.returncode == (1 if sig == signal.SIGINT else -sig), r.stderr
    assert "Traceback" not in r.stderr
    assert temps(tmp_path) == [] and out.read_text() == "good\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_4_a_signal_during_a_first_import_leaves_no_database(
    big: tuple[Path, Path], tmp_path: Path, sig: int
) -> None:
    r = interrupt(["--db", str(tmp_path / "t.db"), "import", str(big[0])], tmp_path, sig)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_4_sigterm_during_backup_leaves_no_temp_and_no_journal(
    big: tuple[Path, Path], tmp_path: Path
) -> None:
    r = interrupt(["--db", str(big[1]), "backup", str(tmp_path / "bk.db")], tmp_path,
                  signal.SIGTERM)  # fmt: skip
    assert r.returncode == -signal.SIGTERM and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_4_a_temp_left_by_sigkill_is_swept_by_the_next_run(
    big: tuple[Path, Path], tmp_path: Path
) -> None:
    r = interrupt(["--db", str(big[1]), "export", "--out", str(tmp_path / "e.csv")], tmp_path,
                  signal.SIGKILL)  # fmt: skip
    assert r.returncode == -signal.SIGKILL
    (left,) = temps(tmp_path)
    mine = tmp_path / f".e.csv.tracker-{os.getpid()}-0123abcd.tmp"  # a live process's: kept
    mine.write_text("busy")
    assert sh("--db", str(big[1]), "export", "--metric", "lead_time", "--out",
              str(tmp_path / "other.csv")).returncode == 0  # fmt: skip
    assert not left.exists() and mine.exists()
    # a database built aside by a killed first import, and its journal, likewise
    r = interrupt(["--db", str(tmp_path / "n.db"), "import", str(big[0])], tmp_path,
                  signal.SIGKILL, prefix=".n.db.")  # fmt: skip
    assert temps(tmp_path, ".n.db.")
    assert sh("--db", str(tmp_path / "n.db"), "seed").returncode == 0
    assert temps(tmp_path) == [mine]


def test_4_backup_on_a_full_disk_leaves_nothing(seeded: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "64K") as disk:
        fill(disk)
        line = one_line_error(sh("--db", str(seeded), "backup", str(disk / "bk.db")))
        assert line.startswith(f"error: {disk / 'bk.db'}: ") and ".tracker-" not in line
        assert leftovers(disk, {"filler"}) == []


# --- 5. terminal text: control and bidi characters shown escaped; invisible names refused -----

EVIL = "\x1b[31mRED\x1b]0;pwned\x07 A\bB\x7f\u009b2J \u202eevil\u200b"
RAW = ("\x1b", "\x07", "\x08", "\x7f", "\u009b", "\u202e", "\u200b")


def _evil_db(db: Path) -> None:
    """A database holding such names, as one made before they were refused at import
    (or by a notebook) may: the store takes what the library hands it."""
    from tracker.dates import parse_period
    from tracker.model import Observation
    from tracker.store import Store
    from tracker.values import parse_value

    store = Store.open(db)
    try:
        store.insert(
            Observation(parse_period(d), EVIL, "glass cloth", EVIL, "price", parse_value(v),
                        "CNY/m", v, source=EVIL, quote=EVIL)
            for d, v in (("2025-01", "3.6"), ("2025-07", "4.1"))
        )  # fmt: skip
    finally:
        store.close()


def test_5_report_list_verify_show_control_characters_escaped(seeded: Path) -> None:
    import json

    _evil_db(seeded)
    for args in (["report"], ["report", "--format", "markdown"], ["report", "--format", "html"],
                 ["list"], ["list", "--history", "38"], ["verify"], ["report", "--format", "json"],
                 ["list", "--format", "json"]):  # fmt: skip
        out = sh("--db", str(seeded), *args).stdout
        assert not any(c in out for c in RAW), args
    table = sh("--db", str(seeded), "report").stdout
    assert "\\x1b[31mRED\\x1b]0;pwned\\x07 A\\x08B\\x7f\\x9b2J \\u202eevil\\u200b" in table
    rows = json.loads(sh("--db", str(seeded), "report", "--format", "json").stdout)
    assert EVIL in {r["supplier"] for r in rows}  # JSON escapes, the data is exact
    # machines get exact text: CSV into a pipe or a file is byte for byte
    assert EVIL in sh("--db", str(seeded), "export").stdout


def test_5_csv_to_a_terminal_is_escaped(seeded: Path) -> None:
    import pty

    _evil_db(seeded)
    leader, follower = pty.openpty()
    p = subprocess.Popen([tracker_exe(), "--db", str(seeded), "export"], stdout=follower,
                         stderr=subprocess.PIPE)  # fmt: skip
    os.close(follower)
    got = b""
    with contextlib.suppress(OSError):  # EIO once the other end is closed
        while chunk := os.read(leader, 65536):
            got += chunk
    os.close(leader)
    assert p.wait(timeout=60) == 0
    text = got.decode("utf-8")
    assert not any(c in text for c in RAW) and "\\x1b[31mRED" in text


def test_5_messages_escape_what_they_quote(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,material,metric,value,unit\n2025,m,price,\x1b[2J\u202e1,CNY/t\n", encoding="utf-8")
    line = one_line_error(sh("--db", str(seeded), "import", str(bad)))
    assert not any(c in line for c in RAW) and "\\x1b[2J\\u202e1" in line


@pytest.mark.parametrize("column", ["supplier", "material", "product"])
def test_5_invisible_and_control_characters_in_names_are_refused(
    seeded: Path, tmp_path: Path, column: str
) -> None:
    from conftest import dump

    before = dump(seeded)
    for name, what in (("M\u200bG\u200dC", "U+200B ZERO WIDTH SPACE"),
                       ("\x1b[31mRED", "U+001B"), ("a\u202eb", "U+202E RIGHT-TO-LEFT OVERRIDE")):  # fmt: skip
        row = {"supplier": "MGC", "material": "BT resin", "product": "NSA", column: name}
        f = tmp_path / "n.csv"
        with open(f, "w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            w.writerow(["date", "supplier", "material", "product", "metric", "value", "unit"])
            w.writerow(["2025-07-24", row["supplier"], row["material"], row["product"], "lead_time",
                        "4-6", "weeks"])  # fmt: skip
        line = one_line_error(sh("--db", str(seeded), "import", str(f)))
        assert line.startswith(f"{f}:2: {column}: ") and what in line, line
        assert not any(c in line for c in RAW)
        r = sh("--db", str(seeded), "add", "--date", "2025", f"--{column}", name,
               *[a for k, v in row.items() if k != column for a in (f"--{k}", v)],
               "--metric", "lead_time", "--value", "4", "--unit", "weeks")  # fmt: skip
        assert what in one_line_error(r)
    assert dump(seeded) == before


def test_5_a_big_file_refuses_an_invisible_name_at_its_line(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import write as write_synthetic

    f = write_synthetic(tmp_path / "feed.csv", 30_000)
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[20_000] = lines[20_000].replace("Supplier", "Sup\u200bplier", 1)
    f.write_text("".join(lines), encoding="utf-8")
    r = sh("--db", str(tmp_path / "t.db"), "import", str(f))
    assert r.returncode == 1 and r.stderr.startswith(f"{f}:20001: supplier: "), r.stderr
    assert not (tmp_path / "t.db").exists()


# --- 6. spreadsheet injection: headers and disguised formulas; issue 13: --excel for people -----

FORMULAS = (" =x", "\n=x", "＝1+1", "﹦1+1", "\u200b=1+1", "＋1", "－1", "＠SUM(A1)", "\t1", "\r1")


def _rows_file(path: Path, rows: list[dict[str, str]]) -> Path:
    cols = ["date", "supplier", "material", "product", "metric", "value", "unit", "kind",
            "source", "quote", "note"]  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        for r in rows:
            w.writerow({"date": "2025-07-24", "material": "glass cloth", "metric": "price",
                        "value": "1", "unit": "CNY/m", **r})  # fmt: skip
    return path


def _excel(db: Path, *args: str) -> tuple[str, list[list[str]]]:
    r = subprocess.run([tracker_exe(), "--db", str(db), *args], capture_output=True, check=False)
    assert r.returncode == 0, r.stderr
    raw = r.stdout.decode("utf-8")  # bytes: text mode would turn a lone CR into LF
    assert raw.startswith("\ufeff")
    return raw, list(csv.reader(io.StringIO(raw[1:], newline="")))


def test_6_disguised_formulas_in_cells_are_prefixed(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    rows = [{"product": str(i), "quote": f, "note": f, "source": f"s{i}{f}"} for i, f in enumerate(FORMULAS)]
    assert sh("--db", str(db), "import", str(_rows_file(tmp_path / "f.csv", rows))).returncode == 0
    _, got = _excel(db, "export", "--excel")
    head = got[0]
    for row in got[1:]:
        cells = dict(zip(head, row, strict=True))
        f = FORMULAS[int(cells["product"].lstrip("'"))]
        assert cells["quote"] == "'" + f and cells["note"] == "'" + f, cells


def test_6_wide_headers_are_text_cells_too(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    rows = [{"supplier": '=HYPERLINK("http://x","y")'}, {"supplier": "+1"}, {"supplier": "@me"}]
    assert sh("--db", str(db), "import", str(_rows_file(tmp_path / "f.csv", rows))).returncode == 0
    raw, got = _excel(db, "export", "--excel", "--wide")
    header = got[0]
    assert header[0] == "date" and len(header) == 4
    assert all(h.startswith("'") for h in header[1:]), header
    first_line = raw[1:].split("\r\n")[0]
    assert first_line.count('"') >= 2 * len(header)  # every header cell quoted
    _, got = _excel(db, "report", "--format", "csv", "--excel")
    assert {r[0] for r in got[1:]} == {'\'=HYPERLINK("http://x","y")', "'+1", "'@me"}


def test_13_excel_quotes_every_text_cell_and_numbers_stay_numbers(seeded: Path, tmp_path: Path) -> None:
    rows = [{"supplier": "+1", "product": "p;1", "note": "a;b;c"}, {"supplier": "-1", "value": "-5",
             "metric": "share", "unit": "%"}, {"supplier": "x", "value": "4-6", "metric": "lead_time",
             "unit": "weeks"}]  # fmt: skip
    assert sh("--db", str(seeded), "import", str(_rows_file(tmp_path / "f.csv", rows))).returncode == 0
    raw, got = _excel(seeded, "export", "--excel")
    head = got[0]
    text = ("supplier", "material", "product", "metric", "unit", "kind", "source", "quote", "note", "entered")
    for line in raw[1:].split("\r\n")[1:40]:
        if not line:
            continue
        cells = next(csv.reader([line]))
        if len(cells) != len(head):
            continue  # a quote with a line break: checked as parsed below
        parts = _split_raw(line)
        for name, raw_cell, cell in zip(head, parts, cells, strict=True):
            if name in text:
                assert raw_cell.startswith('"') and raw_cell.endswith('"'), (name, raw_cell)
            if name in ("id", "low", "high") and cell:
                assert not raw_cell.startswith('"') and float(cell) == float(cell), (name, raw_cell)
    by = {r[2]: dict(zip(head, r, strict=True)) for r in got[1:] if r[2] in ("'+1", "'-1", "x")}
    assert by["'-1"]["value"] == "-5" and by["'+1"]["note"] == "a;b;c"
    assert by["x"]["value"] == "4–6" and (by["x"]["low"], by["x"]["high"]) == ("4", "6")
    # the en dash is the grammar's own: the file imports back to the same figure
    again = tmp_path / "again.db"
    (tmp_path / "e.csv").write_text(raw[1:].replace("'", ""), encoding="utf-8")
    assert sh("--db", str(again), "import", str(tmp_path / "e.csv")).returncode == 0
    assert "4-6" in sh("--db", str(again), "export", "--supplier", "x").stdout


def _split_raw(line: str) -> list[str]:
    """A CSV line cut into its cells as written (quotes kept)."""
    out, cell, quoted = [], "", False
    for c in line:
        if c == '"':
            quoted = not quoted
        if c == "," and not quoted:
            out.append(cell)
            cell = ""
        else:
            cell += c
    return [*out, cell]


def test_13_libreoffice_with_its_default_separators(seeded: Path, tmp_path: Path) -> None:
    office = _office()
    rows = [{"supplier": "+1", "note": "a;b\tc", "value": "4-6", "metric": "lead_time", "unit": "weeks"},
            {"supplier": "Acme", "quote": "=1+1", "value": "16-20", "metric": "lead_time", "unit": "weeks"}]  # fmt: skip
    assert sh("--db", str(seeded), "import", str(_rows_file(tmp_path / "f.csv", rows))).returncode == 0
    src = tmp_path / "x.csv"
    assert sh("--db", str(seeded), "export", "--excel", "--out", str(src)).returncode == 0
    # the import dialog's defaults: tab, comma and semicolon separate; " quotes
    r = subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--infilter=CSV:9/44/59,34,76,1", "--convert-to", "xlsx", "--outdir",
                        str(tmp_path / "out"), str(src)],
                       capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "out" / "x.xlsx").active
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert all(len([v for v in row if v is not None]) <= 16 for row in got)  # nothing split
    by = {row[2]: row for row in got[1:]}
    assert by["'+1"][13] == "a;b\tc" and by["'+1"][6] == "4–6" and (by["'+1"][7], by["'+1"][8]) == (4, 6)
    assert by["Acme"][12] == "'=1+1"  # text, not a formula
    mgc = [row for row in got[1:] if row[2] == "MGC" and row[4] == "NSA"]
    assert mgc[0][6] == "4–6"


# --- 9. --wide keeps every figure; series that share a label are never merged ------------------


def test_9_wide_keeps_every_series_and_every_figure(seeded: Path, tmp_path: Path) -> None:
    rows = [
        {"supplier": "market", "product": "7628", "value": "3.7"},  # a supplier called "market"
        {"material": "glass", "product": "cloth 7628", "value": "5"},
        {"material": "glass cloth", "product": "7628", "value": "6", "source": "other"},
    ]
    assert sh("--db", str(seeded), "import", str(_rows_file(tmp_path / "f.csv", rows))).returncode == 0
    out = sh("--db", str(seeded), "export", "--wide").stdout
    got = list(csv.reader(io.StringIO(out)))
    header, body = got[0], got[1:]
    assert len(header) == len(set(header))
    cells = [(h, row[0], v) for row in body for h, v in zip(header, row, strict=True) if v and h != "date"]
    values = sorted(v for _, d, v in cells if d == "2025-07-24")
    for figure in ("3.7", "5", "6", "4.1", "8", "10", "16", "20", "12"):
        assert figure in values, figure
    # the seed's 7628 price (market-wide) and the new one of another source: two rows, one column
    col = next(h for h in header if h.startswith("(market-wide)") and "7628" in h and "glass cloth" in h)
    assert sorted(row[header.index(col)] for row in body if row[0] == "2025-07-24") [-2:] == ["4.1", "6"]
    # a stated normal level and an observation of one date: two columns, both kept
    mgc = [h for h in header if h.startswith("MGC | BT resin NS/NSF") and "lead_time (" in h]
    assert mgc == ["MGC | BT resin NS/NSF Low CTE Glass | lead_time (weeks) low",
                   "MGC | BT resin NS/NSF Low CTE Glass | lead_time (weeks) high",
                   "MGC | BT resin NS/NSF Low CTE Glass | lead_time (weeks) | baseline low",
                   "MGC | BT resin NS/NSF Low CTE Glass | lead_time (weeks) | baseline high"]  # fmt: skip
    day = next(row for row in body if row[0] == "2025-07-24" and row[header.index(mgc[0])])
    assert [day[header.index(h)] for h in mgc] == ["16", "20", "8", "10"]
    # an open bound: its known side, the other empty, never a made-up point
    asahi = [h for h in header if h.startswith("Asahi Kasei") and "lead_time (" in h]
    assert [h.rsplit(" ", 1)[1] for h in asahi] == ["low", "high"]
    row = next(row for row in body if row[header.index(asahi[0])])
    assert (row[header.index(asahi[0])], row[header.index(asahi[1])]) == ("12", "")


# --- 7. every value the tracker accepts can be reported, charted and exported ------------------


def _add(db: Path, date: str, value: str, metric: str = "price", unit: str = "CNY/t",
         material: str = "m", product: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    args = ["--db", str(db), "add", "--date", date, "--material", material, "--metric", metric,
            f"--value={value}", "--unit", unit]  # fmt: skip
    return sh(*args, *(["--product", product] if product else []))


def test_7_values_beyond_the_range_are_refused_at_the_door(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert _add(db, "2025", "1").returncode == 0
    for date, value, unit, metric, says in (
        ("2025", "1.5e308", "CNY/t", "price", "beyond"),
        ("2025", "1e16", "CNY/t", "price", "beyond"),
        ("2025", "1e12", "亿元", "revenue", "beyond"),  # 1e20 CNY once scaled
        ("2025", "-1e308", "%", "share", "beyond"),
        ("2025", "1e308", "%", "share", "beyond"),
        ("9999-12-31", "1", "CNY/t", "price", "after 2999"),
        ("3000", "1", "CNY/t", "price", "after 2999"),
    ):  # fmt: skip
        line = one_line_error(_add(db, date, value, metric, unit))
        assert says in line, line
    f = tmp_path / "f.csv"
    f.write_text("date,material,metric,value,unit\n2025,m,price,1.5e308,CNY/t\n9999-12-31,m,price,1,CNY/t\n",
                 encoding="utf-8")  # fmt: skip
    r = sh("--db", str(db), "import", str(f))
    assert r.returncode == 1 and [x.split(": ")[0:2] for x in r.stderr.splitlines()] == [
        [f"{f}:2", "value"], [f"{f}:3", "date"]]  # fmt: skip


def test_7_the_extremes_it_accepts_go_through_every_output(tmp_path: Path) -> None:
    import json

    from openpyxl import load_workbook

    db = tmp_path / "x.db"
    for args in (("1900-01-01", "1e-300"), ("2999-12-31", "1000000000000000"),
                 ("2025", "1e-300", "price", "CNY/t", "m", "tiny"),
                 ("2026", "1000000000000000", "price", "CNY/t", "m", "tiny"),
                 ("2025", "-1000000000000000", "share", "%", "n"),
                 ("2026", "1000000000000000", "share", "%", "n"),
                 ("1900-01-01", "1e-300", "lead_time", "weeks"), ("2999", ">1000000000000000", "lead_time", "weeks")):  # fmt: skip
        assert _add(db, *args).returncode == 0, args
    rows = json.loads(sh("--db", str(db), "report", "--format", "json").stdout,
                      parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))  # fmt: skip
    assert len(rows) == 4
    for fmt in ("csv", "table", "markdown", "html"):
        r = sh("--db", str(db), "report", "--format", fmt)
        assert r.returncode == 0 and "inf" not in r.stdout.lower().replace("info", ""), fmt
    table = sh("--db", str(db), "report").stdout
    assert "1e-300 CNY/t" in table and " 0 CNY/t" not in table  # never shown as 0
    r = sh("--db", str(db), "chart", "--out-dir", str(tmp_path / "c"))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert len(list((tmp_path / "c").glob("*.png"))) == 4
    for args in (["export"], ["export", "--excel"], ["export", "--wide"], ["list"],
                 ["export", "--xlsx", str(tmp_path / "x.xlsx")]):  # fmt: skip
        r = sh("--db", str(db), *args)
        assert r.returncode == 0 and "Traceback" not in r.stderr, (args, r.stderr)
    assert load_workbook(tmp_path / "x.xlsx")["Prices"]["I3"].value == 1e15


def test_7_a_database_holding_such_a_value_from_before_gives_one_line(tmp_path: Path) -> None:
    import json

    from tracker.dates import parse_period
    from tracker.model import Observation
    from tracker.store import Store
    from tracker.values import Value

    db = tmp_path / "x.db"
    store = Store.open(db)  # the library's store takes what it is handed, as older versions did
    store.insert([Observation(parse_period("2025"), None, "m", None, "price", Value(1.5e308, 1.5e308),
                              "CNY/t", "1.5e308 CNY/t"),
                  Observation(parse_period("2025"), None, "n", None, "share", Value(-1e308, -1e308), "%", "x"),
                  Observation(parse_period("2026"), None, "n", None, "share", Value(1e308, 1e308), "%", "x"),
                  Observation(parse_period("9999-12-31", stored=True), None, "d", None, "lead_time",
                              Value(4, 4), "weeks", "4 weeks")])  # fmt: skip
    store.close()
    assert "9999-12-31" in sh("--db", str(db), "list").stdout  # listed, so it can be corrected
    json.loads(sh("--db", str(db), "report", "--format", "json").stdout,
               parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))  # fmt: skip
    assert "inf" not in sh("--db", str(db), "report", "--format", "csv").stdout
    line = one_line_error(sh("--db", str(db), "chart", "--out-dir", str(tmp_path / "c")))
    assert "observation 1" in line and "tracker correct 1" in line
    assert not (tmp_path / "c").exists()
    line = one_line_error(sh("--db", str(db), "chart", "--metric", "lead_time", "--out-dir", str(tmp_path / "c")))
    assert "observation 4: 9999-12-31" in line


# --- 8. a damaged database: one line, no traceback -----------------------


def test_8_damaged_database_one_line_no_traceback(big: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "d.db"
    shutil.copyfile(big[1], db)
    with open(db, "r+b") as f:  # 4 KiB flipped in every hundredth of the file: every table
        for part in range(1, 100):  # is hit (series_state too), whichever of them a command
            f.seek(int(db.stat().st_size * part / 100) // 4096 * 4096)  # reads
            page = f.read(4096)
            f.seek(-4096, os.SEEK_CUR)
            f.write(bytes(b ^ 0xFF for b in page))
    for args in (["report", "--format", "csv"], ["export"],
                 ["export", "--out", str(tmp_path / "e.csv")]):  # fmt: skip
        r = sh("--db", str(db), *args)
        assert r.returncode == 1, (args, r.stderr[-500:])
        assert "Traceback" not in r.stderr, args
        (line,) = [x for x in r.stderr.splitlines() if x.strip()]
        assert line.startswith(f"error: {db}: ") and "damaged" in line and "tracker check" in line, line
    assert not (tmp_path / "e.csv").exists()


# --- 11. messages that say what happened, naming the user's path --------------------------------


@contextlib.contextmanager
def read_only_copy(db: Path, where: Path, file_too: bool = False) -> Iterator[Path]:
    """`db` copied into a folder that cannot be written: a read-only mount as root (root
    writes through permissions), a folder of mode 0555 otherwise."""
    import shutil

    if ROOT:
        with tmpfs(where, "8M") as folder:
            shutil.copyfile(db, folder / db.name)
            r = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True,
                               text=True, check=False)  # fmt: skip
            if r.returncode != 0:
                pytest.skip(f"cannot remount read-only: {r.stderr.strip()}")
            yield folder / db.name
        return
    where.mkdir()
    shutil.copyfile(db, where / db.name)
    if file_too:
        (where / db.name).chmod(0o444)
    where.chmod(0o555)
    try:
        yield where / db.name
    finally:
        where.chmod(0o755)


@pytest.mark.parametrize("file_too", [False, True])
def test_11_read_only_folder_reads_and_says_why_it_cannot_write(
    seeded: Path, tmp_path: Path, file_too: bool
) -> None:
    with read_only_copy(seeded, tmp_path / "ro", file_too) as db:
        r = sh("--db", str(db), "list")
        assert r.returncode == 0 and r.stdout.endswith("(37 observations)\n"), r.stderr
        report = sh("--db", str(db), "report", "--format", "csv").stdout
        assert report == sh("--db", str(seeded), "report", "--format", "csv").stdout
        line = one_line_error(sh("--db", str(db), "add", "--date", "2025", "--material", "m",
                                 "--metric", "price", "--value", "1", "--unit", "CNY/t"))  # fmt: skip
        assert line.startswith(f"error: {db}: the database cannot be changed: ")
        assert "read-only" in line and "damaged" not in line and "tracker check" not in line
        line = one_line_error(sh("--db", str(db.parent / "new.db"), "import",
                                 str(write_csv(tmp_path / "f.csv"))))  # fmt: skip
        assert line.startswith(f"error: {db.parent / 'new.db'}: ") and ".tracker-" not in line
        assert "read-only" in line


def write_csv(path: Path) -> Path:
    path.write_text("date,material,metric,value,unit\n2025,m,price,1,CNY/t\n", encoding="utf-8")
    return path


def test_11_add_on_a_full_disk_says_the_disk_is_full(seeded: Path, tmp_path: Path) -> None:
    import shutil

    with tmpfs(tmp_path / "disk", "1M") as disk:
        db = disk / "x.db"
        shutil.copyfile(seeded, db)
        fill(disk)
        before = db.read_bytes()
        for args in (["add", "--date", "2025", "--material", "m" * 3000, "--metric", "price",
                      "--value", "1", "--unit", "CNY/t", "--quote", "q" * 100_000],
                     ["import", str(write_csv(tmp_path / "f.csv"))]):  # fmt: skip
            line = one_line_error(sh("--db", str(db), *args))
            assert line.startswith(f"error: {db}: the disk is full"), line
        assert db.read_bytes() == before


def test_11_only_a_damaged_database_points_to_check(tmp_path: Path) -> None:
    from tracker.dberrors import explain

    def err(text: str, name: str) -> sqlite3.Error:
        e = sqlite3.OperationalError(text)
        e.sqlite_errorname = name  # type: ignore[attr-defined]
        return e

    db = tmp_path / "x.db"
    db.write_bytes(b"")
    cases = {
        ("database or disk is full", "SQLITE_FULL"): f"{db}: the disk is full; nothing was changed",
        ("database disk image is malformed", "SQLITE_CORRUPT"):
            f"{db}: the database is damaged (database disk image is malformed); "
            "`tracker check` tells more",
        ("file is not a database", "SQLITE_NOTADB"): f"{db}: not a tracker database (not an SQLite file)",
        ("database is locked", "SQLITE_BUSY"):
            f"{db}: another process kept the database locked for too long; try again",
    }  # fmt: skip
    for (text, name), message in cases.items():
        assert str(explain(err(text, name), db)) == message


def test_11_check_on_a_database_too_damaged_to_walk_says_what_to_do(
    seeded: Path, tmp_path: Path
) -> None:
    """Every other command points to `tracker check`; check itself must not point back."""
    db = tmp_path / "d.db"
    data = bytearray(seeded.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    db.write_bytes(bytes(data))
    r = sh("--db", str(db), "check")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    out = r.stdout + r.stderr
    assert out.startswith("integrity: ") and "damaged" in out and "restore it from a backup" in out
    assert "`tracker check` tells more" not in out


# --- 12. --db takes a path; a URL or nothing is refused, creating nothing -------------------------


@pytest.mark.parametrize("value", ["", "file:/x?mode=ro", "mysql://user@host/db",
                                   "mysql://ann:s3cret@db.example/ledger", "sqlite:x.db"])  # fmt: skip
@pytest.mark.parametrize("how", ["option", "env"])
def test_12_db_that_is_not_a_path_is_refused(tmp_path: Path, value: str, how: str) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    args = ["--db", value, "list"] if how == "option" else ["list"]
    if how == "env":
        env["TRACKER_DB"] = value
    r = sh(*args, cwd=tmp_path, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    (line,) = r.stderr.splitlines()
    name = "--db" if how == "option" else "TRACKER_DB"
    assert line.startswith(f"error: {name} ") and "SQLite file path" in line
    assert "s3cret" not in line
    assert list(tmp_path.iterdir()) == []  # no folder named 'file:', no default database


def test_12_a_path_with_a_colon_and_the_library(tmp_path: Path) -> None:
    from tracker import api
    from tracker.errors import TrackerError

    assert sh("--db", "./file:x.db", "seed", cwd=tmp_path).returncode == 0
    assert (tmp_path / "file:x.db").is_file()
    for bad in ("", "mysql://u@h/d"):
        with pytest.raises(TrackerError, match="SQLite file path"):
            api.open_store(bad)


# --- issue 13, item 5: files as users expect ------------------------------------------------------


def test_new_files_follow_the_umask_and_a_replaced_file_keeps_its_mode(
    seeded: Path, tmp_path: Path
) -> None:
    def run_with_umask(mask: int, *args: str) -> None:
        r = subprocess.run([tracker_exe(), "--db", str(seeded), *args], capture_output=True,
                           text=True, check=False, preexec_fn=lambda: os.umask(mask))  # fmt: skip
        assert r.returncode == 0, r.stderr

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    run_with_umask(0o022, "export", "--out", str(tmp_path / "a.csv"))
    run_with_umask(0o022, "report", "--format", "html", "--out", str(tmp_path / "b.html"))
    run_with_umask(0o022, "export", "--xlsx", str(tmp_path / "c.xlsx"))
    run_with_umask(0o002, "chart", "--metric", "price", "--out-dir", str(tmp_path / "ch"))
    run_with_umask(0o077, "backup", str(tmp_path / "k.db"))
    assert [mode(tmp_path / n) for n in ("a.csv", "b.html", "c.xlsx")] == [0o644] * 3
    assert {mode(p) for p in (tmp_path / "ch").iterdir()} == {0o664}
    assert mode(tmp_path / "k.db") == 0o600
    (tmp_path / "a.csv").chmod(0o640)
    run_with_umask(0o022, "export", "--out", str(tmp_path / "a.csv"))
    assert mode(tmp_path / "a.csv") == 0o640


# --- 10. --xlsx streams -------------------------------------------------------------------------


def _office() -> str:
    import shutil

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return office


def test_10_xlsx_is_streamed_one_sheet_after_another(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from tracker import xlsx

    rows = [["\x1b[31mred\x07", "_x0041_ and\r\nmore", 3.5], ["=1+1", " lead ", 7]]
    book = tmp_path / "b.xlsx"
    with open(book, "wb") as f:
        n = xlsx.write(f, [("price", ["a", "b", "c"], iter(rows)),
                           ("a/b:c", ["z"], iter([[1]])), ("price", ["z"], [])])  # fmt: skip
    assert n == 3
    wb = load_workbook(book)
    assert wb.sheetnames == ["price", "a_b_c", "price (2)"]
    ws = wb["price"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C3" and ws["A1"].font.b
    assert [[c.value for c in r] for r in ws.iter_rows(min_row=2)] == [
        ["_x001B_[31mred_x0007_", "_x005F_x0041_ and\r\nmore", 3.5],  # ECMA-376 escapes
        ["=1+1", " lead ", 7],
    ]
    assert ws["A3"].data_type == "s"  # text, never a formula


def test_10_libreoffice_opens_the_workbook(seeded: Path, tmp_path: Path) -> None:
    office = _office()
    book = tmp_path / "w.xlsx"
    assert sh("--db", str(seeded), "export", "--xlsx", str(book)).returncode == 0
    r = subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", "csv", "--outdir", str(tmp_path / "out"), str(book)],
                       capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "w.csv").read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["id", "date", "precision", "supplier"]  # the first sheet: lead times
    mgc = [r for r in rows[1:] if r[3] == "MGC" and r[5] == "NSA"]
    assert [(r[1], r[7], r[8], r[9]) for r in mgc] == [("2025-07-24", "4-6", "4", "6")]


def test_10_export_xlsx_counts_and_filters(seeded: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "p.xlsx"
    r = sh("--db", str(seeded), "export", "--xlsx", str(book), "--metric", "price")
    assert r.returncode == 0 and r.stderr == f"wrote 6 observations to {book}\n"
    wb = load_workbook(book)
    assert wb.sheetnames == ["Prices", "About"] and wb["Prices"].max_row == 7
    empty = tmp_path / "none.xlsx"
    assert sh("--db", str(seeded), "export", "--xlsx", str(empty), "--supplier", "Nobody").returncode == 0
    assert load_workbook(empty).sheetnames == ["About"]
