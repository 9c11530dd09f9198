"""Writers wait for each other: concurrent processes adding at once all succeed (CONTRACT 5)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import tracker_exe

LOOP = """
import sys
from tracker.cli import cli
db, worker = sys.argv[1], int(sys.argv[2])
for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 25):
    try:
        cli.main(["--db", db, "add", "--date", "2025-07-24", "--supplier", f"W{worker}",
                  "--material", "BT resin", "--metric", "lead_time", "--value", str(i),
                  "--unit", "weeks"], standalone_mode=False)
    except SystemExit as e:
        if e.code:
            raise
"""


def test_eight_processes_creating_the_same_database(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    procs = [
        subprocess.Popen([tracker_exe(), "--db", str(db), "add", "--date", "2025", "--material", "x",
                          "--metric", "price", "--value", str(i), "--unit", "CNY/t"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(8)
    ]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM observations").fetchone()[0] == 8
    from tracker.schema import latest

    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [(str(latest()),)]


def test_eight_writers_times_25_adds(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    procs = [
        subprocess.Popen([sys.executable, "-c", LOOP, str(db), str(w)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for w in range(8)
    ]
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), [r[1][-500:] for r in results]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM observations").fetchone()[0] == 200
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
