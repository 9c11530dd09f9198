"""Corrections and retractions: nothing is overwritten or erased; reports use the newest version."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import dump, query

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True


def test_correct_keeps_both_and_reports_use_latest(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("correct", "14", "--value", "4.2", "--reason", "typo", "--by", "ana")
    assert (r.exit_code, r.output) == (0, "observation 14 corrected by new version 38\n")
    rows = json.loads(run("report", "--format", "json", "--product", "7628", "--metric", "price").output)
    assert rows[0]["last_low"] == 4.2 and rows[0]["change_low_pct"] == 16.666666666666668
    hist = run("list", "--history", "38").output
    assert "14" in hist and "superseded" in hist and "ana: typo" in hist and "current" in hist
    exported = list(csv.DictReader(io.StringIO(run("export").output)))
    assert {r["id"] for r in exported} >= {"38"} and "14" not in {r["id"] for r in exported}
    assert len(exported) == 37


def test_correct_unit_and_back_again(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    assert run("correct", "17", "--value", "33-35", "--unit", "万元/吨", "--reason", "r").exit_code == 0
    out = run("list", "--history", "17").output.splitlines()
    assert "330000-350000" in out[-1]
    assert run("correct", "38", "--value", "320000-350000", "--reason", "back").exit_code == 0
    last = json.loads(run("report", "--format", "json", "--product", "Low-Dk", "--metric", "price").output)[0]
    assert (last["last_low"], last["last_high"]) == (320000, 350000)


def test_only_the_current_version_can_change(run, db: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    run("correct", "14", "--value", "4.2", "--reason", "r")
    before = dump(db)
    r = run("correct", "14", "--value", "4.3", "--reason", "r")
    assert r.exit_code == 1 and r.stderr == "error: observation 14 was corrected by 38; change 38 instead\n"
    r = run("correct", "38", "--value", "20-16", "--reason", "r")
    assert r.exit_code == 1 and r.stderr == "correct: --value: '20-16' has low > high\n"
    assert run("correct", "999", "--value", "1", "--reason", "r").stderr == "error: there is no observation 999\n"
    assert run("correct", "38", "--reason", "r").exit_code == 1
    assert dump(db) == before


def test_delete_hides_but_keeps(run, db: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    assert run("delete", "4", "--reason", "duplicate", "--by", "bo").output == "observation 4 retracted\n"
    assert "NSA" not in run("report").output
    assert "NSA" not in run("list").output
    hist = run("list", "--history", "4").output
    assert "retracted" in hist and "by bo: duplicate" in hist
    assert run("delete", "4", "--reason", "again").exit_code == 1
    assert query(db, "SELECT count(*) FROM observations") == [(37,)]


def test_reimport_does_not_resurrect_a_corrected_figure(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    run("correct", "14", "--value", "4.2", "--reason", "r")
    r = run("seed")
    assert r.output == "0 added, 37 already there\n"
    assert "4.2 CNY/m" in run("report", "--product", "7628").output
