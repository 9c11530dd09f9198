"""A team database on PostgreSQL, through the installed `tracker` command and a real server:
the same answers as SQLite, `tracker copy` both ways, many writers at once, roles, and no
password in any output.  (Every CLI test also runs on PostgreSQL: see conftest.py.)"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pgserver
import pytest
from conftest import HEADER, query, tracker_exe, write
from test_concurrency import LOOP  # one adding loop: 50 adds by one worker here

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from generate import write as write_synthetic  # noqa: E402


def sh(*args: str, env: dict[str, str] | None = None, stdin: str | None = None
       ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([tracker_exe(), *args], capture_output=True, text=True, check=False,
                          env=env, input=stdin, timeout=300)  # fmt: skip


def ok(*args: str) -> str:
    r = sh(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def without_recorded_at(export: str) -> str:
    """The export with its last column (recorded_at, when each row was stored) blanked."""
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[0][-1] == "recorded_at"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([*r[:-1], ""] for r in rows)
    return out.getvalue()


# --- the same answers ---------------------------------------------------------------------------


def test_same_data_same_bytes_on_both_backends(pg_url: str, tmp_path: Path) -> None:
    """Import the same files into a file and a server: export and report csv print the
    same bytes (recorded_at aside: each database stored the rows at its own moment)."""
    lite = str(tmp_path / "t.db")
    feed = write_synthetic(tmp_path / "feed.csv", 3000, suppliers=4, products=3)
    dup = write(tmp_path / "dup.csv", feed.read_text(encoding="utf-8").splitlines(True)[0]
                + "".join(feed.read_text(encoding="utf-8").splitlines(True)[1:200]) * 2)  # fmt: skip
    for db in (lite, pg_url):
        assert ok("--db", db, "seed") == "37 added, 0 already there\n"
        ok("--db", db, "import", str(dup))
        ok("--db", db, "import", str(feed), str(dup))
        assert ok("--db", db, "correct", "5", "--value", "60", "--unit", "%",
                  "--reason", "restated", "--by", "ann").count("corrected by new version") == 1  # fmt: skip
        ok("--db", db, "delete", "7", "--reason", "duplicate", "--by", "bo")
        assert ok("--db", db, "add", "--date", "2025-08", "--supplier", "MGC", "--material",
                  "BT resin", "--metric", "price", "--value", "~3.5-4", "--unit", "USD/m2",
                  "--quote", "a, \"quoted\"\nline")  # fmt: skip
    exports = [ok("--db", db, "export") for db in (lite, pg_url)]
    assert exports[0].count("\n") > 3000
    assert without_recorded_at(exports[0]) == without_recorded_at(exports[1])
    for fmt in ("csv", "json"):
        reports = [ok("--db", db, "report", "--format", fmt) for db in (lite, pg_url)]
        assert reports[0] == reports[1] and reports[0].count("\n") > 40
    lists = [ok("--db", db, "list", "--supplier", "MGC", "--history", "5") for db in (lite, pg_url)]
    assert lists[0].count("restated") == 1
    filtered = [ok("--db", db, "report", "--format", "csv", "--material", "BT RESIN", "--since",
                   "2025-Q3") for db in (lite, pg_url)]  # fmt: skip
    assert filtered[0] == filtered[1]
    assert ok("--db", pg_url, "check") == "ok: integrity, foreign keys and schema\n"


def test_a_bad_import_changes_nothing_on_the_server(pg_url: str, tmp_path: Path) -> None:
    ok("--db", pg_url, "seed")
    big = write_synthetic(tmp_path / "big.csv", 30_000)
    bad = write(tmp_path / "bad.csv", HEADER + "2025-02-30,,m,,price,1,CNY/t,,,,\n")
    before = ok("--db", pg_url, "export")
    r = sh("--db", pg_url, "import", str(big), str(bad))
    assert r.returncode == 1 and r.stderr == f"{bad}:2: date: '2025-02-30' is not a real date\n"
    assert ok("--db", pg_url, "export") == before
    assert query(pg_url, "SELECT count(*) FROM series") == query(pg_url, "SELECT count(*) FROM series")
    assert ok("--db", pg_url, "import", str(big)) == "30000 added, 0 already there\n"
    assert ok("--db", pg_url, "import", str(big)) == "0 added, 30000 already there\n"


# --- moving a database -----------------------------------------------------------------------


def test_copy_both_ways_keeps_every_version(pg_url: str, tmp_path: Path) -> None:
    laptop, back = str(tmp_path / "laptop.db"), str(tmp_path / "back.db")
    ok("--db", laptop, "seed")
    ok("--db", laptop, "correct", "13", "--value", "3.7", "--reason", "typo", "--by", "ann")
    ok("--db", laptop, "correct", "38", "--value", "3.6", "--reason", "no, it was", "--by", "bo")
    ok("--db", laptop, "delete", "20", "--reason", "wrong series", "--by", "cy")
    ok("--db", laptop, "add", "--date", "2025", "--supplier", "Acme Laminates", "--material",
       "BT resin", "--metric", "price", "--value", "9", "--unit", "USD/m2")  # fmt: skip
    assert ok("copy", laptop, pg_url) == "40 added, 0 already there, 1 new suppliers\n"
    assert ok("copy", laptop, pg_url) == "0 added, 40 already there, 0 new suppliers\n"
    # the server holds the same observations, with the same ids and recorded_at
    assert ok("--db", pg_url, "export") == ok("--db", laptop, "export")
    assert ok("--db", pg_url, "list", "--history", "13") == ok("--db", laptop, "list", "--history", "13")
    assert ok("--db", pg_url, "list", "--history", "20") == ok("--db", laptop, "list", "--history", "20")
    assert ok("--db", pg_url, "list", "--supplier", "acme laminates").count("Acme Laminates") == 1
    assert ok("--db", pg_url, "check") == "ok: integrity, foreign keys and schema\n"
    # and back onto a laptop
    assert ok("copy", pg_url, back) == "40 added, 0 already there, 1 new suppliers\n"
    assert ok("copy", pg_url, back) == "0 added, 40 already there, 0 new suppliers\n"
    assert ok("--db", back, "export", "--excel") == ok("--db", laptop, "export", "--excel")
    assert ok("--db", back, "list", "--history", "38") == ok("--db", laptop, "list", "--history", "38")
    assert ok("--db", back, "check") == "ok: integrity, foreign keys and schema\n"
    # a missing source is an error, and creates nothing
    r = sh("copy", str(tmp_path / "nope.db"), pg_url)
    assert r.returncode == 1 and "no such database" in r.stderr
    assert not (tmp_path / "nope.db").exists()


def test_backup_of_a_server_is_a_sqlite_copy(pg_url: str, tmp_path: Path) -> None:
    ok("--db", pg_url, "seed")
    ok("--db", pg_url, "correct", "1", "--value", "17-20", "--reason", "r")
    out = ok("--db", pg_url, "backup", str(tmp_path / "b.db"))
    assert out.startswith(f"backed up to {tmp_path / 'b.db'}\n") and "pg_dump" in out
    assert ok("--db", str(tmp_path / "b.db"), "export") == ok("--db", pg_url, "export")
    assert sh("--db", pg_url, "backup", str(tmp_path / "b.db")).returncode == 1  # never replaced


# --- many writers ------------------------------------------------------------------------------

def test_sixteen_writers_and_two_overlapping_imports(pg_url: str, tmp_path: Path) -> None:
    """16 processes x 50 adds and two imports sharing half their rows, all at once, on an
    empty database (so they also race to create the schema): every row once, no error."""
    a = write_synthetic(tmp_path / "a.csv", 10_000, seed=1)
    b_rows = a.read_text(encoding="utf-8").splitlines(True)
    b = write(tmp_path / "b.csv", b_rows[0] + "".join(b_rows[5_001:])
              + "".join(write_synthetic(tmp_path / "c.csv", 5_000, seed=2)
                        .read_text(encoding="utf-8").splitlines(True)[1:]))  # fmt: skip
    # what the two files hold, told by SQLite importing them one after the other
    lite = str(tmp_path / "reference.db")
    ok("--db", lite, "import", str(a), str(b))
    ((distinct,),) = query(lite, "SELECT count(*) FROM observations")
    assert distinct > 14_000
    # a server whose default is SERIALIZABLE: tracker writers still see each other's rows
    pgserver_name = pg_url.rsplit("/", 1)[1]
    with __import__("psycopg").connect(pg_url, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {pgserver_name} SET default_transaction_isolation = "
                     "'serializable'")  # fmt: skip
    procs = [subprocess.Popen([sys.executable, "-c", LOOP, pg_url, str(w), "50"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for w in range(16)]  # fmt: skip
    procs += [subprocess.Popen([tracker_exe(), "--db", pg_url, "import", str(f)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for f in (a, b)]  # fmt: skip
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    assert all(code == 0 for _, _, code in results), [r[1][-800:] for r in results]
    assert not any("error" in err.lower() or "Traceback" in err for _, err, _ in results)
    imported = [r[0] for r in results[16:]]
    added = sum(int(out.split()[0]) for out in imported)
    assert added == distinct  # the shared half went in once, by whichever came first
    assert query(pg_url, "SELECT count(*) FROM observations") == [(16 * 50 + distinct,)]
    assert query(pg_url, "SELECT count(DISTINCT id), max(id) FROM observations") == [
        (16 * 50 + distinct, 16 * 50 + distinct)
    ]
    per_worker = query(pg_url, "SELECT sp.name, count(*) FROM observations o JOIN series se "
                       "ON se.id = o.series_id JOIN suppliers sp ON sp.id = se.supplier_id "
                       "WHERE sp.name LIKE 'W%' GROUP BY sp.name")  # fmt: skip
    assert sorted(n for _, n in per_worker) == [50] * 16
    assert ok("--db", pg_url, "check") == "ok: integrity, foreign keys and schema\n"
    assert ok("--db", pg_url, "import", str(a), str(b)) == "0 added, 20000 already there\n"


# --- credentials and roles ---------------------------------------------------------------------


def test_the_cli_never_shows_the_password(pg_url: str, tmp_path: Path) -> None:
    secret = pgserver.PASSWORD
    wrong = pg_url.replace(secret, "Wr0ng-" + secret)
    for args in (["--db", wrong, "list"], ["--db", pg_url.replace(secret, secret + "%zz"), "report"],
                 ["copy", wrong, str(tmp_path / "x.db")], ["copy", str(tmp_path / "x.db"), wrong]):  # fmt: skip
        if args[0] == "copy" and not args[1].startswith("postgresql"):
            ok("--db", args[1], "seed")
        r = sh(*args)
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
        assert secret not in r.stderr + r.stdout and "***" in r.stderr
    env = {**os.environ, "TRACKER_DB": wrong}
    r = sh("add", "--date", "2025", "--material", "m", "--metric", "price", "--value", "1",
           "--unit", "CNY/t", env=env)  # fmt: skip
    assert r.returncode == 1 and secret not in r.stderr and "password authentication failed" in r.stderr
    # with the password from PGPASSWORD, nothing to hide in the URL
    env = {**os.environ, "PGPASSWORD": secret}
    r = sh("--db", pg_url.replace(":" + secret + "@", "@"), "seed", env=env)
    assert r.returncode == 0 and r.stdout == "37 added, 0 already there\n"


def test_roles_from_the_docs(tmp_path: Path) -> None:
    """docs/postgresql-roles.sql as a server owner runs it: the owner's first run creates
    the tables, a writer writes, a reader reads and is refused writes in one line."""
    import conftest

    conftest._new_pg_database()  # the session's server (skips where there is none)
    server = conftest._PG["server"]
    if not isinstance(server, pgserver.Cluster):
        pytest.skip("needs the throw-away cluster (it creates roles and a database)")
    server.admin_file(ROOT / "docs" / "postgresql-roles.sql")
    for role in ("tracker_owner", "ann", "manager"):
        server.admin(f"ALTER ROLE {role} PASSWORD 'pw-{role}'")
    owner, ann, manager = (server.url("tracker", r, f"pw-{r}")
                           for r in ("tracker_owner", "ann", "manager"))  # fmt: skip
    assert ok("--db", owner, "seed") == "37 added, 0 already there\n"
    feed = write(tmp_path / "f.csv", HEADER + "2025-09,MGC,BT resin,NSA,lead_time,7,weeks,,,,\n")
    assert ok("--db", ann, "import", str(feed)) == "1 added, 0 already there\n"
    assert ok("--db", ann, "correct", "38", "--value", "8", "--reason", "r").count("corrected by new version") == 1
    assert ok("--db", ann, "delete", "39", "--reason", "r") == "observation 39 retracted\n"
    assert "NSA" in ok("--db", manager, "report", "--format", "csv")
    assert ok("--db", manager, "export").count("\n") == 1 + 37
    assert ok("--db", manager, "check").startswith("ok")
    ok("--db", manager, "chart", "--out-dir", str(tmp_path / "charts"))
    writes = (["import", str(feed)], ["seed"], ["correct", "1", "--value", "1", "--reason", "r"],
              ["add", "--date", "2025", "--material", "m", "--metric", "price", "--value", "1",
               "--unit", "CNY/t"], ["delete", "2", "--reason", "r"])  # fmt: skip
    for args in writes:
        r = sh("--db", manager, *args)
        assert r.returncode == 1, (args, r.stdout)
        (line,) = r.stderr.splitlines()
        assert "permission denied" in line and "pw-manager" not in line, line
        assert line.startswith("error: postgresql://manager:***@"), line
    assert ok("--db", owner, "export").count("\n") == 1 + 37


def test_check_finds_a_summary_another_tool_made_stale_and_fix_rebuilds_it(pg_url: str) -> None:
    ok("--db", pg_url, "seed")
    assert ok("--db", pg_url, "check") == "ok: integrity, foreign keys and schema\n"
    query(pg_url, "UPDATE observations SET low = 5 WHERE id = 13 RETURNING id")  # psql, say
    r = sh("--db", pg_url, "check")
    assert r.returncode == 1
    assert r.stdout == ("summary: series 12 ((market) glass cloth 7628 price CNY/m) is stale; "
                        "`tracker check --fix` rebuilds it\n")  # fmt: skip
    assert ok("--db", pg_url, "check", "--fix") == (
        "fixed: 1 stale series summary rebuilt\nok: integrity, foreign keys and schema\n"
    )
    row = [r for r in csv.DictReader(io.StringIO(ok("--db", pg_url, "report", "--format", "csv")))
           if r["product"] == "7628" and r["metric"] == "price"]  # fmt: skip
    assert (row[0]["first_low"], row[0]["last_low"], row[0]["change_low_pct"]) == ("5", "4.1", "-18")
