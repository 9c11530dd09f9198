"""PostgreSQL plumbing against a real server: URLs, credentials, the SQL dialect, retries,
the schema.  (The CLI's own tests run on both backends: see the `db` fixture.)"""

from __future__ import annotations

import os
from pathlib import Path

import pgserver
import pytest

from tracker import dburl, pg, pgschema
from tracker.errors import TrackerError


def _without_password(url: str) -> str:
    return url.replace(":" + pgserver.PASSWORD + "@", "@")


# --- URLs and passwords ----------------------------------------------------------------------


def test_redact_masks_the_password_wherever_it_appears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = "postgresql://ann:p%40ss@db.example:5433/ledger?sslmode=require"
    assert dburl.shown(url) == "postgresql://ann:***@db.example:5433/ledger?sslmode=require"
    # libpq quotes the URL's text back, and sometimes the decoded password
    assert dburl.redact('invalid token: "p%40ss" and p@ss', url) == 'invalid token: "***" and ***'
    monkeypatch.setenv("PGPASSWORD", "envsecret")
    assert dburl.redact("failed for envsecret", None) == "failed for ***"
    assert dburl.shown("postgresql://ann@db/x") == "postgresql://ann@db/x"


def test_server_urls_and_paths() -> None:
    assert dburl.is_server_url("postgresql://u@h/d") and dburl.is_server_url("postgres://h/d")
    assert not dburl.is_server_url("C:\\data\\t.db") and not dburl.is_server_url("t.db")
    assert not dburl.is_server_url(Path("postgresql://u@h/d"))  # a Path is a file


@pytest.mark.parametrize("damage", ["wrong password", "bad escape", "no server", "bad port"])
def test_a_failed_connection_never_shows_the_password(pg_url: str, damage: str) -> None:
    secret = pgserver.PASSWORD
    url = {
        "wrong password": pg_url.replace(secret, "wr0ng-Secret"),
        "bad escape": pg_url.replace(secret, secret + "%zz"),
        "no server": pg_url.replace(pg_url.split(":")[3].split("/")[0], "1"),
        "bad port": pg_url.replace(pg_url.split(":")[3].split("/")[0], "port"),
    }[damage]
    with pytest.raises(TrackerError) as info:
        pg.connect(url)
    message = str(info.value)
    assert "cannot connect" in message and "\n" not in message
    for s in (secret, "wr0ng-Secret", "zz"):
        assert s not in message
    assert "***" in message


# --- credentials pass through to libpq -------------------------------------------------------


def test_password_from_pgpassword(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", pgserver.PASSWORD)
    conn = pg.connect(_without_password(pg_url))
    assert conn.execute("SELECT current_user").fetchone() == (pgserver.USER,)
    conn.close()


def test_password_from_pgpass(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    url = _without_password(pg_url)
    with pytest.raises(TrackerError, match="password"):
        pg.connect(url)  # no password anywhere yet
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:*:*:{pgserver.USER}:{pgserver.PASSWORD}\n")
    pgpass.chmod(0o600)
    conn = pg.connect(url)
    assert conn.execute("SELECT 1").fetchone() == (1,)
    conn.close()


def test_libpq_parameters_pass_through(pg_url: str) -> None:
    conn = pg.connect(pg_url + "?application_name=nightly-load&options=-c%20search_path%3Dpublic")
    assert conn.execute("SHOW application_name").fetchone() == ("nightly-load",)
    conn.close()
    # the test server has no TLS: sslmode=require reaches libpq, which says so
    with pytest.raises(TrackerError, match="SSL"):
        pg.connect(pg_url + "?sslmode=require")


# --- the shared SQL in PostgreSQL's spelling --------------------------------------------------


def test_translate() -> None:
    sql = ("SELECT a FROM t WHERE x IS ? AND y IS NOT ? AND z IS NOT NULL AND "
           "m = ? COLLATE NOCASE AND q LIKE '%!_change?' ESCAPE '!' AND ifnull(a, 0) = 1")  # fmt: skip
    assert pg.translate(sql) == (
        "SELECT a FROM t WHERE x IS NOT DISTINCT FROM %s AND y IS DISTINCT FROM %s AND "
        "z IS NOT NULL AND lower(m) = lower(%s) AND q LIKE '%%!_change?' ESCAPE '!' "
        "AND coalesce(a, 0) = 1"
    )
    assert pg.translate("INSERT OR IGNORE INTO a (x) VALUES (?)") == (
        "INSERT INTO a (x) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert pg.translate("SELECT '100%'", params=False) == "SELECT '100%'"


def test_null_safe_comparison_on_the_server(pg_url: str) -> None:
    conn = pg.connect(pg_url)
    assert conn.execute("SELECT 1 WHERE ? IS ?", (None, None)).fetchall() == [(1,)]
    assert conn.execute("SELECT 1 WHERE 2.5 IS ?", (2.5,)).fetchall() == [(1,)]
    assert conn.execute("SELECT 1 WHERE 2.5 IS NOT ?", (None,)).fetchall() == [(1,)]
    conn.close()


# --- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["40001", "40P01"])
def test_serialization_failures_and_deadlocks_are_retried(pg_url: str, state: str) -> None:
    conn = pg.connect(pg_url)
    conn.execute("CREATE TABLE tries (n int)")
    calls = []

    def work() -> int:
        calls.append(1)
        conn.execute("BEGIN")
        try:
            conn.execute("INSERT INTO tries VALUES (1)")
            if len(calls) < 3:  # the server's own error, as a real conflict raises it
                conn.execute(f"DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '{state}'; "
                             "END $$")  # fmt: skip
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(calls)

    assert pg.retrying(work, pause=0.001) == 3
    assert conn.execute("SELECT count(*) FROM tries").fetchone() == (1,)
    conn.close()


def test_other_errors_are_not_retried(pg_url: str) -> None:
    conn = pg.connect(pg_url)
    calls = []

    def work() -> None:
        calls.append(1)
        conn.execute("SELECT 1/0")

    with pytest.raises(Exception, match="division by zero"):
        pg.retrying(work, pause=0.001)
    assert calls == [1]
    conn.close()


# --- the schema ----------------------------------------------------------------------------------


def test_schema_is_built_healthy_and_identity_holds(pg_url: str) -> None:
    conn = pg.connect(pg_url)
    assert pgschema.version_of(conn) is None and pgschema.is_empty(conn)
    conn.execute("BEGIN")
    pgschema.create(conn)
    conn.execute("COMMIT")
    from tracker.schema import latest

    assert pgschema.version_of(conn) == latest()
    assert pgschema.check(conn) == []
    conn.execute(
        "INSERT INTO series (material, metric, unit, key) VALUES ('m', 'price', 'CNY/t', 'k')"
    )
    insert = ("INSERT INTO observations (series_id, date, period_start, low, high, entered, kind, "
              "recorded_at) VALUES (1, ?, ?, ?, ?, '1', 'observed', 'now') ON CONFLICT DO NOTHING")  # fmt: skip
    rows = [("2025", "2025-01-01", 1.0, None), ("2025", "2025-01-01", 1.0, None),
            ("2024", "2024-01-01", None, None), ("2024", "2024-01-01", None, None),
            ("2024", "2024-01-01", 1.0, 1.0)]  # fmt: skip
    assert conn.executemany(insert, rows).rowcount == 3  # open bounds are equal to each other
    # ids as SQLite hands them out: the largest plus one, no gaps for the duplicates
    assert [r[0] for r in conn.execute("SELECT id FROM observations ORDER BY id")] == [1, 2, 3]
    # a clash of ids (a writer that skipped the tracker's lock) is an error, never a row
    # quietly counted as already there: only the identity is a conflict to skip
    import psycopg

    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(insert.replace("(series_id,", "(id, series_id,").replace("(1, ?", "(1, 1, ?"),
                     ("2026", "2026-01-01", 9.0, None))  # fmt: skip
    conn.execute("DROP INDEX observations_trend")
    assert pgschema.check(conn) == ["schema: index observations_trend is missing"]
    conn.close()


def test_tests_run_against_a_password_protected_role(pg_url: str) -> None:
    assert pgserver.PASSWORD in pg_url and os.environ.get("PGPASSWORD") != pgserver.PASSWORD


def test_a_version_3_database_is_upgraded(pg_url: str) -> None:
    """The first PostgreSQL databases were built at version 3 (before series_state): opening
    one runs the step, fills the summaries, and the database checks clean."""
    from tracker import api
    from tracker.schema import latest

    store = api.open_store(pg_url)
    api.seed(store)
    store.close()
    conn = pg.connect(pg_url)
    conn.execute("DROP VIEW current_observations")
    conn.execute("DROP TABLE series_state")
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    assert pgschema.check(conn)[0] == f"schema: version 3, expected {latest()}"
    store = api.open_store(pg_url)
    try:
        assert api.check(store) == []
        assert len(api.report_rows(store)) == 32  # the seeded report: 32 series
    finally:
        store.close()
    assert pgschema.version_of(conn) == latest()
    conn.close()


# --- passwords written where the URL grammar does not expect them (found by QA) ------------


def test_a_password_given_as_a_parameter_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = "postgresql://bob@localhost/x?sslmode=disable&password=s3cretpw&connect_timeout=2"
    assert dburl.password_of(url) == "s3cretpw"
    assert dburl.shown(url) == (
        "postgresql://bob@localhost/x?sslmode=disable&password=***&connect_timeout=2"
    )
    assert "s3cretpw" not in dburl.redact("FATAL: password s3cretpw rejected", url)


def test_a_password_holding_a_slash_is_masked_whole_and_in_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = "postgresql://bob:s3cr/etpw@localhost:5432/x"
    shown = dburl.shown(url)
    assert "s3cr" not in shown and "etpw" not in shown and shown.startswith("postgresql://bob:***@")
    # libpq reads such a URL as host "bob", port "s3cr": its message quotes a piece
    assert "s3cr" not in dburl.redact('invalid integer value "s3cr/etpw@localhost" for port', url)


@pytest.mark.parametrize(
    "db", ["postgresql://bob@127.0.0.1:1/x?password=s3cretpw", "postgresql://bob:s3cr/etpw@127.0.0.1:1/x"]
)
def test_the_cli_never_prints_such_a_password(db: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [str(Path(sys.executable).with_name("tracker")), "--db", db, "list"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={**os.environ, "PGCONNECT_TIMEOUT": "2"},
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    out = r.stdout + r.stderr
    assert "s3cret" not in out and "s3cr" not in out and "etpw" not in out
    assert "Traceback" not in out and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("db", [" postgresql://x", "\tpostgres://u@h/d", " file:/x?mode=ro"])
def test_a_url_with_leading_space_is_refused_and_creates_nothing(db: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [str(Path(sys.executable).with_name("tracker")), "--db", db, "list"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert r.returncode in (1, 2) and "URL" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []
