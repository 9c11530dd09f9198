"""Shared fixtures: a fresh database per test, a CLI runner, and CSV writing."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

HEADER = "date,supplier,material,product,metric,value,unit,kind,source,quote,note\n"


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module that sets ``BOTH_BACKENDS = True`` runs each of its tests that use `db` twice:
    on a SQLite file and on a fresh PostgreSQL database (the same commands, the same
    answers).  A test that looks at the file itself is marked ``sqlite_only``."""
    if (
        "backend" in metafunc.fixturenames
        and getattr(metafunc.module, "BOTH_BACKENDS", False)
        and metafunc.definition.get_closest_marker("sqlite_only") is None
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test looks at the SQLite file itself (one backend only)"
    )


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: 'sqlite' unless the module runs on both (see above)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db(tmp_path: Path, backend: str) -> Path | str:
    """A database that does not exist yet (created, unseeded, on first use): a SQLite path,
    or on the PostgreSQL backend the URL of a fresh, empty database."""
    if backend == "postgresql":
        return _new_pg_database()
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


def dump(db: Path | str) -> str:
    """Every row of every table, as SQL text: equal dumps mean equal databases."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        return _dump_pg(db)
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def query(db: Path | str, sql: str, named: bool = False) -> list[Any]:
    """Run `sql` on the test database, whichever backend it is on, as another tool would
    (committed); its rows as tuples, or as dicts with `named`."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(db, row_factory=dict_row if named else None) as conn:  # type: ignore[arg-type]
            cur = conn.execute(sql)
            return [r if named else tuple(r) for r in cur] if cur.description else []
    conn = sqlite3.connect(db)
    if named:
        conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(sql).fetchall()
        conn.commit()
        return [dict(r) for r in rows] if named else rows
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


def _new_pg_database() -> str:
    """URL of a fresh, empty PostgreSQL database (skips, with the reason, where no server)."""
    server, why = _pg_server()
    if server is None:
        pytest.skip(f"PostgreSQL: {why}")
    _PG["used"] = True
    return server.new_database()  # type: ignore[no-any-return, attr-defined]


@pytest.fixture
def pg_url() -> str:
    """URL of a fresh, empty PostgreSQL database (skips, with the reason, where no server)."""
    return _new_pg_database()


def _dump_pg(url: str) -> str:
    """Every row of every table of a PostgreSQL database, in key order, one line each."""
    import psycopg

    out = []
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "ORDER BY table_name")]  # fmt: skip
        for t in tables:
            out += [f"{t}: {r!r}" for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY 1')]
    return "\n".join(out)


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
