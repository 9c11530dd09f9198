"""The review inbox: staging, reviewing with scripted answers, quitting half-way."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli

ARTICLE = """Substrate makers stretch quotes
Published: 2025-11-04

Unimicron told analysts that lead times for large-body ABF substrates have lengthened to 26 weeks.
Kinsus said its BT substrate prices will rise by 5% from December 1.
Traders say spot prices for BT substrates are up 12% since July.
"""


@pytest.fixture
def staged(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    src = tmp_path / "news.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    db = ["--db", str(tmp_path / "x.db")]
    runner = CliRunner()
    r = runner.invoke(cli, [*db, "extract", str(src), "--stage"])
    assert r.exit_code == 0, r.output
    assert r.output == "3 staged, 0 already in the inbox; `tracker review` to decide\n"
    return runner, db


def observations(runner: CliRunner, db: list[str]) -> list[dict[str, str]]:
    r = runner.invoke(cli, [*db, "export"])
    return list(csv.DictReader(io.StringIO(r.output)))


def test_staging_twice_adds_nothing_and_nothing_reaches_reports(staged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    r = runner.invoke(cli, [*db, "extract", str(tmp_path / "news.txt"), "--stage"])
    assert r.output == "0 staged, 3 already in the inbox; `tracker review` to decide\n"
    assert observations(runner, db) == []
    assert "(0 observations)" in runner.invoke(cli, [*db, "list"]).output


def test_list_shows_the_pending_candidates(staged) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    lines = runner.invoke(cli, [*db, "review", "--list"]).output.splitlines()
    assert lines[2].split() == ["1", "pending", "0.90", "2025-11-04", "Unimicron", "ABF", "substrate",
                                "large-body", "lead_time", "26", "weeks", "observed"]
    assert lines[3].split()[3:5] == ["2025-12-01", "Kinsus"]
    assert lines[-1] == "(3 candidates)"


def test_review_accept_edit_reject_then_quit_half_way(staged) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    # 1: accept; 2: edit the value (Enter keeps the others) and accept; then quit before 3
    answers = "a\n" + "e\n" + "\n\n\n\n\n6\n\n\n\n" + "a\n" + "q\n"
    r = runner.invoke(cli, [*db, "review", "--by", "ana"], input=answers)
    assert r.exit_code == 0, r.output
    assert "Unimicron told analysts that lead times for large-body ABF substrates have lengthened to " \
           "[[26 weeks]]." in r.output
    assert r.output.splitlines()[-1] == "2 accepted, 0 rejected, 0 skipped; 1 pending"
    rows = observations(runner, db)
    assert [(o["date"], o["supplier"], o["product"], o["metric"], o["value"], o["unit"], o["kind"]) for o in rows] == [
        ("2025-11-04", "Unimicron", "large-body", "lead_time", "26", "weeks", "observed"),
        ("2025-12-01", "Kinsus", "", "price_change", "6", "%", "announced"),
    ]
    assert rows[0]["source"] == "Substrate makers stretch quotes"
    assert rows[0]["quote"].startswith("Unimicron told analysts")
    # what was decided stays decided: the next review starts at candidate 3
    r = runner.invoke(cli, [*db, "review"], input="r\n")
    assert "candidate 3 (1 of 1)" in r.output
    assert r.output.splitlines()[-1] == "0 accepted, 1 rejected, 0 skipped; 0 pending"
    listing = runner.invoke(cli, [*db, "review", "--list", "--all"]).output
    assert [line.split()[1] for line in listing.splitlines()[2:-1]] == ["accepted", "accepted", "rejected"]


def test_skip_keeps_it_pending_and_end_of_input_is_a_quit(staged) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    r = runner.invoke(cli, [*db, "review"], input="s\n")
    assert r.exit_code == 0
    assert r.output.splitlines()[-1] == "0 accepted, 0 rejected, 1 skipped; 3 pending"


def test_a_bad_edit_is_refused_and_asked_again(staged) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    answers = "e\n" + "\n\n\n\n\n\nfurlongs\n\n\n" + "a\n" + "q\n"
    r = runner.invoke(cli, [*db, "review"], input=answers)
    assert "cannot accept: unit" in r.output
    assert observations(runner, db) == []
    assert r.output.splitlines()[-1] == "0 accepted, 0 rejected, 0 skipped; 3 pending"


def test_accept_by_confidence(staged, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("UPDATE candidates SET confidence = 0.5 WHERE id = 3")
    conn.commit()
    conn.close()
    r = runner.invoke(cli, [*db, "review", "--accept", "--min-confidence", "0.8"])
    assert r.output == "2 accepted (2 new observations, 0 already there), 1 left for review\n"
    assert len(observations(runner, db)) == 2
    r = runner.invoke(cli, [*db, "review", "--accept"])
    assert r.exit_code == 2 and "--min-confidence" in r.output


def test_accepting_a_figure_already_there_adds_nothing(staged) -> None:  # type: ignore[no-untyped-def]
    runner, db = staged
    runner.invoke(cli, [*db, "review", "--accept", "--min-confidence", "0"])
    assert len(observations(runner, db)) == 3
    r = runner.invoke(cli, [*db, "review"])
    assert "the inbox is empty" in r.output


def test_an_older_database_gets_the_inbox_and_loses_a_wrong_alias(tmp_path: Path) -> None:
    import shutil

    from tracker import schema
    from tracker.store import Store

    old = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "schema_v1.db", old)
    conn = sqlite3.connect(old)
    sid = conn.execute("SELECT id FROM suppliers WHERE name = 'Nan Ya Plastics'").fetchone()
    if sid is None:
        sid = (conn.execute("INSERT INTO suppliers (name) VALUES ('Nan Ya Plastics')").lastrowid,)
    conn.execute("INSERT OR REPLACE INTO supplier_aliases (alias, supplier_id) VALUES ('南亚新材', ?)", sid)
    conn.commit()
    conn.close()
    store = Store.open(old)
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM candidates").fetchone() == (0,)
        assert store.aliases()["南亚新材"] == "Nanya New Material"
        assert schema.check(store.conn) == []
    finally:
        store.close()


def test_staging_twice_from_two_processes_adds_nothing(tmp_path: Path) -> None:
    """Two words of one length that overlap (实行配额 and 配额供应 in 已实行配额供应) must mark
    the same span in every process: the vocabularies were sets sorted by length only, so
    the tie went by the string hash seed, the span (part of a candidate's identity)
    changed from run to run and `extract --stage` run again staged the figure twice."""
    import os
    import subprocess

    from conftest import tracker_exe

    article = tmp_path / "a.txt"
    article.write_text("标题\n发布日期: 2025-10-09\n\n上游方面，日东纺对T-glass布新订单已实行配额供应。\n",
                       encoding="utf-8")  # fmt: skip
    db = tmp_path / "t.db"
    outs = []
    for seed in range(1, 7):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        r = subprocess.run([tracker_exe(), "--db", str(db), "extract", str(article), "--stage"],
                           capture_output=True, text=True, check=True, env=env)  # fmt: skip
        outs.append(r.stdout.split(";")[0])
    assert outs == ["1 staged, 0 already in the inbox"] + ["0 staged, 1 already in the inbox"] * 5
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value, quote FROM candidates").fetchall() == [
            ("allocation", "上游方面，日东纺对T-glass布新订单已实行配额供应。")
        ]


def test_an_edit_typed_in_another_encoding_is_asked_again(tmp_path: Path) -> None:
    """A latin-1 terminal sends b'\\xe9' for é: Python reads it as a lone surrogate, which
    the database cannot store; the edit is refused with the byte named and asked again,
    never a traceback."""
    import subprocess

    from conftest import tracker_exe

    src = tmp_path / "news.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    db = ["--db", str(tmp_path / "x.db")]
    subprocess.run([tracker_exe(), *db, "extract", str(src), "--stage"], check=True,
                   capture_output=True)  # fmt: skip
    answers = b"e\n\n\xe9x\nAcme\n" + b"\n" * 7 + b"q\n"
    r = subprocess.run([tracker_exe(), *db, "review"], input=answers, capture_output=True,
                       check=False)  # fmt: skip
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    assert r.returncode == 0, out
    assert "Traceback" not in out
    assert "'\\xe9x' is not UTF-8 text (byte 0xe9)" in out
    listing = subprocess.run([tracker_exe(), *db, "review", "--list"], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    assert listing.splitlines()[2].split()[4] == "Acme"
