"""Schema versions: older databases upgrade in place in one transaction; newer ones are refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker import schema
from tracker.cli import cli
from tracker.errors import TrackerError
from tracker.store import Store

V1 = Path(__file__).parent / "data" / "schema_v1.db"  # made by schema version 1, with the article


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """A copy of a database made by schema version 1 (checked in as a fixture)."""
    db = tmp_path / "v1.db"
    shutil.copy(V1, db)
    return db


def rows(db: Path) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT o.id, date, material, product, metric, low, high, unit, entered, "
                            "quote FROM observations o JOIN series s ON s.id = o.series_id "
                            "ORDER BY o.id").fetchall()  # fmt: skip
    finally:
        conn.close()


def version(db: Path) -> str:
    return (
        sqlite3.connect(db)
        .execute("SELECT value FROM meta WHERE key='schema_version'")
        .fetchone()[0]
    )


def test_v1_fixture_opens_and_is_healthy(v1: Path) -> None:
    before = rows(v1)
    assert version(v1) == "1" and len(before) == 37
    r = CliRunner().invoke(cli, ["--db", str(v1), "check"])
    assert r.exit_code == 0, r.output
    assert r.output == "ok: integrity, foreign keys and schema\n"
    assert version(v1) == str(schema.latest())
    assert rows(v1) == before
    r = CliRunner().invoke(
        cli, ["--db", str(v1), "correct", "14", "--value", "4.2", "--reason", "r"]
    )
    assert r.exit_code == 0, r.output


def test_v2_rewrites_the_kind_check_and_keeps_every_row(v1: Path) -> None:
    conn = sqlite3.connect(v1)
    table_sql = "SELECT sql FROM sqlite_master WHERE name = 'observations'"
    assert "kind IN (" in conn.execute(table_sql).fetchone()[0]
    indexes = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'observations' ORDER BY name"
    before_indexes = conn.execute(indexes).fetchall()
    every = "SELECT * FROM observations ORDER BY id"
    before = conn.execute(every).fetchall()
    conn.close()
    Store.open(v1).close()
    conn = sqlite3.connect(v1)
    assert version(v1) == str(schema.latest())
    assert "kind IN (" not in conn.execute(table_sql).fetchone()[0]
    assert schema.KIND_CHECK in conn.execute(table_sql).fetchone()[0]
    identity = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'observations_identity'"
    ).fetchone()[0]
    assert identity == schema.IDENTITY
    after_indexes = conn.execute(indexes).fetchall()
    assert [n for n, _ in after_indexes if n != "observations"] == [
        n for n, _ in before_indexes if n != "observations"
    ]
    assert conn.execute(every).fetchall() == before  # every column of every row, ids included
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE observations SET kind = 'rumour' WHERE id = 1")
    conn.close()
    assert schema.check(sqlite3.connect(v1)) == []


def test_a_next_migration_runs_in_place(v1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(v1).close()
    current = schema.latest()

    def add_currency(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE series ADD COLUMN currency TEXT")
        conn.execute("UPDATE series SET currency = substr(unit, 1, 3) WHERE unit LIKE '%/%'")

    monkeypatch.setitem(schema.MIGRATIONS, current, add_currency)
    before = rows(v1)
    Store.open(v1).close()
    assert version(v1) == str(current + 1)
    assert rows(v1) == before
    conn = sqlite3.connect(v1)
    assert conn.execute("SELECT DISTINCT currency FROM series WHERE metric='price'").fetchall() == [
        ("CNY",)
    ]


def test_a_failing_migration_leaves_the_file_as_it_was(
    v1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(v1).close()
    current = schema.latest()
    before_bytes = sqlite3.connect(v1).execute("SELECT count(*) FROM observations").fetchone()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE observations ADD COLUMN half_done TEXT")
        conn.execute("UPDATE observations SET half_done = 'x'")
        raise RuntimeError("step failed half way")

    monkeypatch.setitem(schema.MIGRATIONS, current, broken)
    with pytest.raises(RuntimeError):
        Store.open(v1)
    conn = sqlite3.connect(v1)
    assert version(v1) == str(current)
    assert "half_done" not in [r[1] for r in conn.execute("PRAGMA table_info(observations)")]
    assert conn.execute("SELECT count(*) FROM observations").fetchone() == before_bytes


def test_newer_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(
        TrackerError, match="schema version 99 is newer than this tracker understands"
    ):
        Store.open(db)
    r = CliRunner().invoke(cli, ["--db", str(db), "list"])
    assert r.exit_code == 1 and "upgrade tracker" in r.stderr


def test_check_reports_findings_one_per_line(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    s = Store.open(db)
    s.conn.execute("DROP INDEX series_supplier")
    s.conn.execute("PRAGMA foreign_keys = OFF")
    s.conn.execute("INSERT INTO supplier_aliases (alias, supplier_id) VALUES ('ghost', 999)")
    ghost = s.conn.execute("SELECT rowid FROM supplier_aliases WHERE alias = 'ghost'").fetchone()[0]
    s.close()
    r = CliRunner().invoke(cli, ["--db", str(db), "check"])
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        f"foreign key: supplier_aliases row {ghost} refers to a missing suppliers row",
        "schema: index series_supplier is missing",
    ]


def test_v4_fills_the_series_summaries_in_the_upgrade(v1: Path) -> None:
    from tracker import api
    from tracker.analysis import summarise

    conn = sqlite3.connect(v1)
    tables = "SELECT name FROM sqlite_master WHERE name IN ('series_state', 'current_observations')"
    assert conn.execute(tables).fetchall() == []
    conn.close()
    store = Store.open(v1)
    try:
        assert version(v1) == str(schema.latest()) and schema.latest() >= schema.STATE_VERSION
        assert store.stale_states() == []
        assert api.summaries(store) == summarise(store.observations())
        n = store.conn.execute("SELECT count(*) FROM series_state").fetchone()[0]
        assert n == len(summarise(store.observations())) > 10
        assert store.conn.execute("SELECT count(*) FROM current_observations").fetchone()[0] == 37
        assert store.conn.execute("SELECT count(*) FROM meta WHERE key = 'changes'").fetchone() == (0,)
    finally:
        store.close()
