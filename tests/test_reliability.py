"""All or nothing under SIGKILL, consistent readers during an import, backups while writing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import tracker_exe

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import write as write_synthetic

N = 60_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("big") / "big.csv", N)


def count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_import_leaves_none_or_all(tmp_path: Path, big_csv: Path) -> None:
    db = tmp_path / "k.db"
    exe = tracker_exe()
    subprocess.run([exe, "--db", str(db), "seed"], check=True, capture_output=True)
    base = count(db)
    # how long a whole import takes here, to spread the kills over it
    probe = tmp_path / "probe.db"
    started = time.monotonic()
    subprocess.run([exe, "--db", str(probe), "import", str(big_csv)], check=True, capture_output=True)
    duration = time.monotonic() - started
    outcomes = []
    for i in range(12):
        delay = duration * (0.05 + i * 0.09)  # 5% .. 104% of a full run
        p = subprocess.Popen([exe, "--db", str(db), "import", str(big_csv)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert integrity(db) == "ok"
        n = count(db)
        assert n in (base, base + N), f"kill {i} at {delay:.2f}s left {n - base} of {N} rows"
        outcomes.append(n == base + N)
        if outcomes[-1]:  # it finished before the kill: start again from the seed only
            db.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(db) + extra).unlink(missing_ok=True)
            subprocess.run([exe, "--db", str(db), "seed"], check=True, capture_output=True)
    assert not all(outcomes), "every import finished before its kill: nothing was tested"
    # the database is still usable after all that
    r = subprocess.run([exe, "--db", str(db), "import", str(big_csv)], capture_output=True, text=True)
    assert r.returncode == 0 and count(db) == base + N


def test_reader_sees_before_or_after_an_import(tmp_path: Path, big_csv: Path) -> None:
    db = tmp_path / "r.db"
    exe = tracker_exe()
    subprocess.run([exe, "--db", str(db), "seed"], check=True, capture_output=True)
    base = count(db)
    reader = (
        "import sys, io, json, time\n"
        "from tracker import api\n"
        "s = api.open_store(sys.argv[1])\n"
        "seen, end = set(), time.monotonic() + 120\n"
        "while int(sys.argv[2]) not in seen and time.monotonic() < end:\n"
        "    seen.add(api.export_csv(s, io.StringIO()))\n"
        "print(json.dumps(sorted(seen)))\n"
    )
    imp = subprocess.Popen([exe, "--db", str(db), "import", str(big_csv)], stdout=subprocess.PIPE)
    rd = subprocess.run([sys.executable, "-c", reader, str(db), str(base + N)],
                        capture_output=True, text=True, timeout=300)  # fmt: skip
    imp.wait()
    assert rd.returncode == 0, rd.stderr
    seen = json.loads(rd.stdout)
    assert seen == [base, base + N], seen  # it read during the import, and never a part of it


def test_backup_while_others_write(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    exe = tracker_exe()
    subprocess.run([exe, "--db", str(db), "seed"], check=True, capture_output=True)
    writer = (
        "import sys\n"
        "from tracker.cli import cli\n"
        "for i in range(150):\n"
        "    try:\n"
        "        cli.main(['--db', sys.argv[1], 'add', '--date', '2025', '--material', 'x', '--metric',\n"
        "                  'price', '--value', str(i), '--unit', 'CNY/t'], standalone_mode=False)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code\n"
    )
    w = subprocess.Popen([sys.executable, "-c", writer, str(db)], stderr=subprocess.PIPE, text=True)
    copies = []
    for k in range(5):
        target = tmp_path / f"copy{k}.db"
        r = subprocess.run([exe, "--db", str(db), "backup", str(target)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        copies.append(target)
    _, err = w.communicate(timeout=300)
    assert w.returncode == 0, err
    for c in copies:
        assert integrity(c) == "ok"
        assert 37 <= count(c) <= 37 + 150
        assert not Path(str(c) + "-wal").exists()  # one self-contained file
    assert count(db) == 37 + 150
