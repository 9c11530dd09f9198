"""series_state: summaries kept on write, checked and rebuilt; the current_observations view;
report and export in one process."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import query, seeded_synthetic

from tracker import api
from tracker.analysis import summarise
from tracker.cli import cli
from tracker.store import Store

# the summaries kept in both dialects: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

FEED = (
    "date,supplier,material,product,metric,value,unit,kind,source\n"
    "2025-01,MGC,BT resin,NSA,lead_time,8-10,weeks,baseline,a\n"
    "2025-03,MGC,BT resin,NSA,lead_time,16-20,weeks,,a\n"
    "2025-05,MGC,BT resin,NSA,lead_time,>=20,weeks,,b\n"
    "2025-Q2,Nittobo,glass cloth,7628,price,~4.1,元/米,,a\n"
    "2025-02,Nittobo,glass cloth,7628,price,3.6,元/米,,a\n"
)


@pytest.fixture
def db(tmp_path: Path, backend: str) -> Path | str:
    import conftest

    path = conftest._new_pg_database() if backend == "postgresql" else tmp_path / "s.db"
    (tmp_path / "f.csv").write_text(FEED, encoding="utf-8")
    r = CliRunner().invoke(cli, ["--db", str(path), "import", str(tmp_path / "f.csv")])
    assert r.exit_code == 0, r.output
    return path


def stored(path: Path | str) -> list[tuple[object, ...]]:
    return query(path, "SELECT * FROM series_state ORDER BY series_id")


def test_the_stored_summaries_are_those_analysis_computes(db: Path) -> None:
    store = api.open_store(db)
    try:
        assert store.stale_states() == []
        got = api.summaries(store)
        want = summarise(store.observations())
        assert got == want
        (bt,) = [s for s in got if s.metric == "lead_time"]
        assert (bt.n_observations, bt.first.period.text, bt.last.period.text) == (
            3,
            "2025-01",
            "2025-05",
        )
        assert bt.baseline is not None and bt.baseline.period.text == "2025-01"
        assert (bt.change.low_pct, bt.change.high_pct, bt.change.at_least) == (150.0, None, 100.0)
        assert (bt.ratio_low, bt.ratio_high) == (2.5, None)
    finally:
        store.close()


def test_add_correct_and_delete_keep_the_summary(db: Path) -> None:
    run = CliRunner().invoke
    before = stored(db)
    r = run(cli, ["--db", str(db), "add", "--date", "2025-06", "--supplier", "MGC", "--material",
                  "BT resin", "--product", "NSA", "--metric", "lead_time", "--value", "22",
                  "--unit", "weeks"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert stored(db) != before
    store = api.open_store(db)
    try:
        (bt,) = [s for s in api.summaries(store) if s.metric == "lead_time"]
        assert (bt.n_observations, bt.last.period.text, bt.change.low_pct) == (4, "2025-06", 175.0)
        oid = bt.last.id
        assert oid is not None
    finally:
        store.close()
    assert (
        run(cli, ["--db", str(db), "correct", str(oid), "--value", "24", "--reason", "r"]).exit_code
        == 0
    )
    store = api.open_store(db)
    try:
        (bt,) = [s for s in api.summaries(store) if s.metric == "lead_time"]
        assert (bt.last.value.low, bt.change.low_pct) == (24.0, 200.0)
        new = bt.last.id
    finally:
        store.close()
    assert run(cli, ["--db", str(db), "delete", str(new), "--reason", "r"]).exit_code == 0
    store = api.open_store(db)
    try:
        (bt,) = [s for s in api.summaries(store) if s.metric == "lead_time"]
        assert (bt.n_observations, bt.last.period.text) == (3, "2025-05")
        assert store.stale_states() == []
    finally:
        store.close()


def test_a_series_whose_last_observation_is_deleted_has_no_summary(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "one.db")
    try:
        _, oid = api.add_observation(store, {"date": "2024", "material": "x", "metric": "price",
                                             "value": "1", "unit": "CNY/t"})  # fmt: skip
        assert len(api.report_rows(store)) == 1
        api.retract(store, oid, by="t", reason="wrong")
        assert api.report_rows(store) == [] and stored(tmp_path / "one.db") == []
    finally:
        store.close()


def test_check_names_a_summary_made_stale_by_another_tool_and_fix_rebuilds_it(db: Path) -> None:
    run = CliRunner().invoke
    assert run(cli, ["--db", str(db), "check"]).exit_code == 0
    # the sqlite3 shell (or psql): a write the tracker never saw
    query(db, "UPDATE observations SET low = 25 WHERE date = '2025-05'")
    r = run(cli, ["--db", str(db), "check"])
    assert r.exit_code == 1
    assert r.output == ("summary: series 1 (MGC BT resin NSA lead_time weeks) is stale; "
                        "`tracker check --fix` rebuilds it\n")  # fmt: skip
    r = run(cli, ["--db", str(db), "check", "--fix"])
    assert r.exit_code == 0, r.output
    assert (
        r.output
        == "fixed: 1 stale series summary rebuilt\nok: integrity, foreign keys and schema\n"
    )
    assert run(cli, ["--db", str(db), "check"]).exit_code == 0
    r = run(cli, ["--db", str(db), "report", "--format", "json"])
    (bt,) = [row for row in json.loads(r.output) if row["metric"] == "lead_time"]
    assert (bt["last_low"], bt["change_low_pct"], bt["change_at_least_pct"]) == (25, 212.5, 150)
    assert run(cli, ["--db", str(db), "check", "--fix"]).output == (
        "ok: integrity, foreign keys and schema\n"
    )


def test_check_fix_rebuilds_a_summary_another_tool_deleted(db: Path) -> None:
    query(db, "DELETE FROM series_state WHERE series_id = 2")
    run = CliRunner().invoke
    r = run(cli, ["--db", str(db), "check"])
    assert (
        r.exit_code == 1 and "series 2 (Nittobo glass cloth 7628 price CNY/m) is stale" in r.output
    )
    assert run(cli, ["--db", str(db), "check", "--fix"]).exit_code == 0
    assert len(stored(db)) == 2


def test_current_observations_reads_without_the_tracker(db: Path) -> None:
    store = api.open_store(db)
    try:
        api.correct(store, 2, {"value": "17-20"}, by="t", reason="r")
    finally:
        store.close()
    rows = query(
        db, "SELECT * FROM current_observations WHERE metric = 'lead_time' ORDER BY period_start",
        named=True,
    )
    assert [(r["date"], r["low"], r["high"], r["low_bound"], r["high_bound"]) for r in rows] == [
        ("2025-01", 8.0, 10.0, "inclusive", "inclusive"),
        ("2025-03", 17.0, 20.0, "inclusive", "inclusive"),  # the correction, not the old row
        ("2025-05", 20.0, None, "inclusive", "open"),
    ]
    assert rows[0]["supplier"] == "MGC" and rows[0]["unit"] == "weeks"
    assert rows[0]["kind"] == "baseline" and rows[0]["source"] == "a"
    assert list(rows[0]) == [
        "id",
        "date",
        "period_start",
        "supplier",
        "material",
        "product",
        "metric",
        "low",
        "high",
        "unit",
        "low_bound",
        "high_bound",
        "approximate",
        "special",
        "entered",
        "kind",
        "source",
        "quote",
        "note",
        "recorded_at",
    ]


def test_report_and_export_run_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = seeded_synthetic(tmp_path, 3000)
    try:

        def no(*a: object, **k: object) -> None:
            raise AssertionError("a second process was started")

        import multiprocessing
        import subprocess

        monkeypatch.setattr(os, "fork", no)
        monkeypatch.setattr(subprocess, "Popen", no)
        monkeypatch.setattr(multiprocessing.Process, "start", no)
        assert api.report_csv(store).count("\r\n") > 100
        assert len(api.report_rows(store)) > 100
        out = io.StringIO()
        assert api.export_csv(store, out) == store.count()
        r = CliRunner().invoke(
            cli, ["--db", store.path, "export", "--out", str(tmp_path / "e.csv")]
        )
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(cli, ["--db", store.path, "report", "--format", "csv"])
        assert r.exit_code == 0 and r.output == api.report_csv(store).replace("\r\n", "\n")
    finally:
        store.close()


def test_the_readme_python_example_and_the_cli_give_the_same_figures(tmp_path: Path) -> None:
    import tracker

    db = tmp_path / "r.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "seed"]).exit_code == 0
    store = tracker.open_store(db)
    try:
        rows = tracker.report_rows(store)
        summaries = tracker.summaries(store)
    finally:
        store.close()
    r = CliRunner().invoke(cli, ["--db", str(db), "report", "--format", "json"])
    assert json.loads(r.output) == rows and len(rows) == len(summaries) > 10
    assert [(s.series, s.change.low_pct) for s in summaries] == [
        ((r["supplier"], r["material"], r["product"], r["metric"], r["unit"]), r["change_low_pct"])
        for r in rows
    ]
