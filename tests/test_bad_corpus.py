"""`tracker import` against the bad-input corpus in tests/data/bad (CONTRACT sections 3 and 5).

Every corpus file is imported into a copy of a small database; expected.json says
what must happen (see make_corpus.py).  A refused import must exit 1, name the
file (and line and column for a row-level problem), never show a traceback and
leave the database byte-for-byte unchanged in content.  Cases marked known_bug
are tool bugs found by this corpus: they xfail while the bug is there, and fail
once it is fixed so the mark gets removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
GENERATOR = CORPUS / "make_corpus.py"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
NOT_CORPUS = {"make_corpus.py", "expected.json", "__pycache__"}

# Rows of the starting database; none of them appears in the corpus.
BASE_CSV = (
    "date,supplier,material,product,metric,value,unit,kind,source,quote\n"
    "2025-07-24,MGC,BT resin,NSA,lead_time,4-6,weeks,observed,base,"
    "普通规格(NSA系列)的交期也延长至4-6周。\n"
    "2025-07,Nittobo,glass cloth,7628,price,28-30,万元/吨,observed,base,\n"
    "2025-Q2,,ABF substrate,,lead_time,>=12,weeks,forecast,base,\n"
)


def tracker_command() -> list[str]:
    script = Path(sys.executable).parent / "tracker"
    if script.exists():
        return [str(script)]
    found = shutil.which("tracker")
    if found is None:  # pragma: no cover - the package is installed in the test venv
        pytest.skip("the tracker console script is not installed")
    return [found]


def run_tracker(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DB"}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [*tracker_command(), "--db", str(db), *args],
        cwd=CORPUS,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


def db_hash(db: Path) -> str:
    """Hash of the SQL dump of every table: equal hashes, equal content."""
    conn = sqlite3.connect(db)
    try:
        h = hashlib.sha256()
        for statement in conn.iterdump():
            h.update(statement.encode("utf-8") + b"\n")
        return h.hexdigest()
    finally:
        conn.close()


# Too big to commit (10 MB); make_corpus.py writes it again, byte for byte.
GENERATED_ONLY = ("huge_field_10mb.csv",)


@pytest.fixture(scope="session", autouse=True)
def _generated_files() -> None:
    if any(not (CORPUS / n).exists() for n in GENERATED_ONLY):
        subprocess.run([sys.executable, str(GENERATOR)], check=True, capture_output=True)


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("base")
    csv_file = folder / "base.csv"
    csv_file.write_text(BASE_CSV, encoding="utf-8")
    db = folder / "base.db"
    r = run_tracker(db, "import", str(csv_file))
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert b"3 added" in r.stdout
    return db, db_hash(db)


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy (the WAL, if any, included) through SQLite's backup API."""
    s, d = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        s.backup(d)
    finally:
        s.close()
        d.close()


def check(name: str, exp: dict, r: subprocess.CompletedProcess[bytes], changed: bool) -> list[str]:
    """Every way the run differs from the expectation (empty: as expected)."""
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    shown = err if len(err) < 2000 else err[:2000] + f"... ({len(r.stderr)} bytes)"
    problems = []
    if r.returncode != exp["exit"]:
        problems.append(f"exit {r.returncode}, expected {exp['exit']}")
    if "Traceback" in err or "Traceback" in out:
        problems.append("a traceback")
    for s in exp["stderr_contains"]:
        if s not in err:
            problems.append(f"stderr lacks {s!r}")
    for s in exp.get("stdout_contains", []):
        if s not in out:
            problems.append(f"stdout lacks {s!r}")
    for s in exp.get("stderr_not_contains", []):
        if s in err:
            problems.append(f"stderr has {s!r}")
    err_lines = [line for line in err.splitlines() if line.strip()]
    if "stderr_lines" in exp and len(err_lines) != exp["stderr_lines"]:
        problems.append(f"{len(err_lines)} stderr lines, expected {exp['stderr_lines']}")
    if "stderr_max_bytes" in exp and len(r.stderr) > exp["stderr_max_bytes"]:
        problems.append(f"stderr is {len(r.stderr)} bytes, at most {exp['stderr_max_bytes']}")
    if exp["exit"] != 0:
        files = [name, *exp.get("extra_files", [])]
        for line in err_lines:
            if not any(line.startswith(f + ":") for f in files):
                problems.append(f"stderr line not 'FILE:[LINE:] ...': {line[:200]!r}")
                break
        if changed:
            problems.append("the database changed")
    if problems:
        problems.append(f"stderr was:\n{shown}")
    return problems


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import(name: str, base_db: tuple[Path, str], tmp_path: Path) -> None:
    exp = EXPECTED[name]
    base, base_hash = base_db
    db = tmp_path / "t.db"
    copy_db(base, db)
    assert db_hash(db) == base_hash
    r = run_tracker(db, "import", name, *exp.get("extra_files", []), *exp.get("args", []))
    problems = check(name, exp, r, changed=db_hash(db) != base_hash)
    bug = exp.get("known_bug")
    if bug:
        if problems:
            pytest.xfail(f"{bug} [{problems[0]}]")
        pytest.fail(f"{name}: known_bug {bug!r} no longer happens; drop the mark in make_corpus.py")
    assert not problems, f"{name} ({exp['what']}):\n" + "\n".join(problems)


def test_corpus_is_complete() -> None:
    on_disk = {p.name for p in CORPUS.iterdir()} - NOT_CORPUS
    named = set(EXPECTED) | {f for e in EXPECTED.values() for f in e.get("extra_files", [])}
    assert on_disk == named, "regenerate the corpus: python tests/data/bad/make_corpus.py"
    assert len(EXPECTED) >= 55


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, str(GENERATOR), str(tmp_path)], capture_output=True, check=False
    )
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    fresh = {p.name for p in tmp_path.iterdir()}
    assert fresh == {p.name for p in CORPUS.iterdir()} - {"make_corpus.py", "__pycache__"}
    differ = [n for n in sorted(fresh) if (tmp_path / n).read_bytes() != (CORPUS / n).read_bytes()]
    assert not differ, f"not byte-identical to the committed corpus: {differ}"
