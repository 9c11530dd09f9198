"""Behaviour at scale, without timing anything: memory stays flat, progress only on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tracker_exe

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import write as write_synthetic


@pytest.fixture(scope="module")
def rows_200k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("scale") / "200k.csv", 200_000)


# Started from a small interpreter: a child forked from pytest itself (with pandas and
# matplotlib loaded by other tests) would count pytest's pages in its own peak.
MEASURE = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss_mib(cmd: list[str]) -> float:
    r = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
    code, kib = r.stdout.split()
    assert code == "0", r.stderr
    return int(kib) / 1024


def test_import_memory_does_not_grow_with_the_file(tmp_path: Path, rows_200k: Path) -> None:
    size_mib = rows_200k.stat().st_size / 2**20
    peak = peak_rss_mib([tracker_exe(), "--db", str(tmp_path / "m.db"), "import", str(rows_200k)])
    # the file held in memory as Python rows would take several times its size on disk;
    # streaming keeps the peak at the interpreter, the page cache and the remembered fields
    assert peak < 90, f"peak RSS {peak:.0f} MiB for a {size_mib:.0f} MiB file"


def test_progress_only_on_a_terminal(tmp_path: Path, rows_200k: Path) -> None:
    env = {**os.environ, "TRACKER_PROGRESS_AFTER": "0"}
    cmd = [tracker_exe(), "--db", str(tmp_path / "p.db"), "import", str(rows_200k)]
    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert piped.stderr == ""  # a pipe: no progress
    master, slave = pty.openpty()
    p = subprocess.Popen([*cmd[:2], str(tmp_path / "q.db"), *cmd[3:]], stdout=subprocess.PIPE,
                         stderr=slave, env=env)  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = p.communicate(timeout=120)
    os.close(master)
    assert out == b"200000 added, 0 already there\n"
    assert b"importing" in seen and b"MiB" in seen


HEAVY = ("pandas", "matplotlib", "sqlite_utils", "numpy", "openpyxl", "cn2an", "trafilatura")
PROBE = """
import sys
from tracker.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["add", "--date", "2025", "--material", "x", "--metric", "price", "--value", "1",
                  "--unit", "CNY/t"], ["list"], ["import", "-"], ["report", "--format", "csv"],
     ["export"]],
    ids=["help", "add", "list", "import", "report", "export"],
)
def test_light_commands_load_no_heavy_module(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "x.db"
    subprocess.run([tracker_exe(), "--db", str(db), "seed"], check=True, capture_output=True)
    cmd = [sys.executable, "-c", PROBE.format(heavy=HEAVY), "--db", str(db), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, input="date,material,metric,value,unit\n")
    assert r.stdout.splitlines()[-1] == "", f"{args[0]} loaded {r.stdout.splitlines()[-1]}"


def test_import_and_export_memory_on_postgresql(pg_url: str, rows_200k: Path, tmp_path: Path) -> None:
    """On a server too: the import stages batch by batch, the export streams through a
    server-side cursor."""
    peak = peak_rss_mib([tracker_exe(), "--db", pg_url, "import", str(rows_200k)])
    assert peak < 100, f"import of 200,000 rows into PostgreSQL peaked at {peak:.0f} MiB"
    peak = peak_rss_mib([tracker_exe(), "--db", pg_url, "export", "--out", str(tmp_path / "e.csv")])
    # streamed: about 72 MiB; fetched at once the rows add about 56 MiB more
    assert peak < 85, f"export of 200,000 rows from PostgreSQL peaked at {peak:.0f} MiB"
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").count("\n") == 200_001
