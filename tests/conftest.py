"""Shared fixtures: a fresh database per test, a CLI runner, and CSV writing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

HEADER = "date,supplier,material,product,metric,value,unit,kind,source,quote,note\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path of a database that does not exist yet (created, unseeded, on first use)."""
    return tmp_path / "t.db"


@pytest.fixture(autouse=True)
def _no_default_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real default database from a test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TRACKER_DB", raising=False)


@pytest.fixture
def run(db: Path):  # type: ignore[no-untyped-def]
    """run('import', 'x.csv') -> click Result, against the test database."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return runner.invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)

    return invoke


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def dump(db: Path) -> str:
    """Every row of every table, as SQL text: equal dumps mean equal databases."""
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def tracker_exe() -> str:
    """The installed console script of the running interpreter's environment."""
    exe = Path(sys.executable).parent / "tracker"
    assert exe.exists(), f"tracker console script not installed next to {sys.executable}"
    return str(exe)


def seeded_synthetic(folder: Path, rows: int, suppliers: int = 5, products: int = 7):  # type: ignore[no-untyped-def]
    """An open Store holding the article (Chinese text, quotes, ties, baselines, stated
    changes, open bounds) and `rows` synthetic feed rows (bench/generate.py)."""
    import gc

    from tracker import api
    from tracker.store import Store

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import write as write_synthetic

    gc.collect()  # close what earlier tests left unclosed before a big import
    store = Store.open(folder / "synthetic.db")
    api.seed(store)
    feed = write_synthetic(folder / "synthetic.csv", rows, suppliers=suppliers, products=products)
    api.import_files(store, [str(feed)])
    return store


# --- PostgreSQL: one throw-away server per session (tests/pgserver.py) ---------------

_PG: dict[str, object] = {}


def _pg_server():  # type: ignore[no-untyped-def]
    """The session's server, started on first use; None and a reason where there is none."""
    if "server" not in _PG:
        import pgserver

        _PG["server"], _PG["why"] = pgserver.start()
    return _PG["server"], _PG["why"]


@pytest.fixture
def pg_url() -> str:
    """URL of a fresh, empty PostgreSQL database (skips, with the reason, where no server)."""
    server, why = _pg_server()
    if server is None:
        pytest.skip(f"PostgreSQL: {why}")
    _PG["used"] = True
    return server.new_database()  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session) -> None:
    server = _PG.get("server")
    if server is not None:
        server.stop()  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Say whether the PostgreSQL tests ran, so a CI log shows it without reading skips."""
    if "server" not in _PG:
        return
    if _PG["server"] is None:
        terminalreporter.write_line(f"PostgreSQL tests: SKIPPED ({_PG['why']})")
    else:
        kind = type(_PG["server"]).__name__
        where = "a throw-away local cluster" if kind == "Cluster" else "TRACKER_TEST_PG"
        terminalreporter.write_line(f"PostgreSQL tests: ran against {where}")
