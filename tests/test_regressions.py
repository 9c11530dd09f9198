"""Regressions found by the contract review (each test names what broke)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import HEADER, tracker_exe, write

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True


def test_new_supplier_spelled_two_ways_is_one_supplier(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", HEADER + "2025-01-01,Foo,m,,price,1,CNY/t,,,,\n"
              "2025-01-01,foo,m,,price,2,CNY/t,,,,\n")  # fmt: skip
    assert run("import", str(f)).output == "2 added, 0 already there\n"
    assert run("import", str(f)).output == "0 added, 2 already there\n"
    assert run("list", "--supplier", "foo", "--format", "csv").output.count("Foo") == 2


def test_chart_of_a_baseline_only_series(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("add", "--date", "2025-01-01", "--supplier", "X", "--material", "m", "--metric",
        "lead_time", "--value", "8-10", "--unit", "weeks", "--kind", "baseline")  # fmt: skip
    r = run("chart", "--out-dir", str(tmp_path / "c"))
    assert r.exit_code == 0 and "x_lead_time.png" in r.output


def test_eight_processes_opening_a_new_default_database(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("TRACKER_DB", None)
    results: list[subprocess.CompletedProcess[str]] = []
    start = time.time() + 0.3

    def one() -> None:
        while time.time() < start:
            pass
        results.append(subprocess.run([tracker_exe(), "list", "--format", "csv"],
                                      capture_output=True, text=True, env=env))  # fmt: skip

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert {r.stdout.count("\n") for r in results} == {38}  # header + the 37 seeded rows, all


def test_encodings_that_are_not_text_encodings(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", HEADER + "2025,,m,,price,1,CNY/t,,,,\n")
    for enc in ("hex", "rot13", "base64"):
        r = run("import", "--encoding", enc, str(f))
        assert r.exit_code == 1 and f"'{enc}' is not a text encoding" in r.stderr
    r = run("import", "--encoding", "utf-16", str(f))  # a UTF-8 file read as UTF-16 without a BOM
    assert r.exit_code == 1 and r.stderr.startswith(f"{f}: line 1: ")


def test_excel_prefixes_every_text_cell_a_spreadsheet_would_run(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tracker.export import neutralise

    for cell in ("-inf", "-1 ", "-1\n", "\t1", "\r1", "-1_000", "-１", "+٣"):
        assert neutralise(cell) == "'" + cell
    for cell in ("-5", "+3.2", "-1e3", "-.5"):
        assert neutralise(cell) == cell


def test_values_that_leave_only_negatives_or_underflow(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", HEADER + "2025,,m,,price,<0,CNY/t,,,,\n2025,,m,,price,stock,CNY/t,,,,\n"
              "2025,,m,,share,1e-400,%,,,,\n")  # fmt: skip
    r = run("import", str(f))
    assert r.stderr.splitlines() == [
        f"{f}:2: value: '<0' is negative; a price is never negative",
        f"{f}:3: value: 'stock' is only for lead times (a unit in weeks, days or months)",
        f"{f}:4: value: '1e-400' is too small to store (it would become 0)",
    ]


def test_value_with_one_bound_beside_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", "date,material,metric,value,low,high,unit\n"
              "2025,m,price,28-30,28,,CNY/t\n2025,m,price,3.6,3.60,,CNY/t\n")  # fmt: skip
    assert run("import", str(f)).output == "2 added, 0 already there\n"


def test_a_change_beyond_a_float_has_no_percentage() -> None:
    from tracker.analysis import pct

    assert pct(1e-300, 1e300) is None


@pytest.mark.sqlite_only
def test_a_failed_import_leaves_no_new_database(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", HEADER + "2025-02-30,,m,,price,1,CNY/t,,,,\n")
    assert run("import", str(f)).exit_code == 1
    assert not db.exists()


def test_chart_metric_filter_draws_only_that_metric(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("chart", "--metric", "price", "--out-dir", str(tmp_path / "c"))
    assert r.exit_code == 0
    *drawn, sheet = r.output.splitlines()
    assert drawn and all("price" in line for line in drawn)
    assert sheet == str(tmp_path / "c" / "index.html")  # the contact sheet, last


def test_units_lists_the_forms_the_press_writes() -> None:
    from click.testing import CliRunner

    from tracker.cli import cli

    out = CliRunner().invoke(cli, ["units"]).output
    assert any(line.split()[:3] == ["万元/吨", "price", "per"] and "10,000" in line for line in out.splitlines())
    assert any(line.startswith("元/米 ") and "CNY/m" in line for line in out.splitlines())


def test_unnamed_empty_column_is_ignored(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", "date,material,metric,value,unit,\n2025,m,price,1,CNY/t,\n")
    assert run("import", str(f)).output == "1 added, 0 already there\n"


def test_a_correction_may_not_duplicate_another_current_figure(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "--date", "2025", "--material", "m", "--metric", "price", "--value", "32-35", "--unit", "万元/吨")
    run("add", "--date", "2025", "--material", "m", "--metric", "price", "--value", "33-36", "--unit", "万元/吨")
    r = run("correct", "2", "--value", "32-35", "--unit", "万元/吨", "--reason", "r")
    assert r.exit_code == 1 and "observation 1 already holds this figure" in r.stderr
    # back to an earlier version of its own chain is fine
    assert run("correct", "1", "--value", "31-35", "--unit", "万元/吨", "--reason", "r").exit_code == 0
    assert run("correct", "3", "--value", "32-35", "--unit", "万元/吨", "--reason", "back").exit_code == 0


def test_correct_one_bound_keeps_the_other_and_unit_needs_a_value(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "--date", "2025", "--material", "m", "--metric", "lead_time", "--value", "4-6", "--unit", "weeks")
    assert run("correct", "1", "--low", "5", "--reason", "r").exit_code == 0
    assert "5-6" in run("list", "--format", "csv").output
    r = run("correct", "2", "--unit", "days", "--reason", "r")
    assert r.exit_code == 1 and "give --value with it" in r.stderr


def test_report_says_not_checkable_rather_than_differs(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "x.csv", "date,supplier,material,metric,value,unit\n"
              "2025-07,MGC,BT resin,lead_time,16-20,weeks\n2025-07,MGC,BT resin,lead_time_change,~100,%\n")  # fmt: skip
    run("import", str(f))
    out = run("report").output
    assert "DIFFERS" not in out


def test_kilogram_in_chinese() -> None:
    from tracker.units import parse_unit

    assert parse_unit("千克").canonical == "t" and parse_unit("元/千克").canonical == "CNY/t"


def test_stdin_named_twice_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    r = run("import", "-", "-", input=HEADER)
    assert r.exit_code == 1 and "stdin (-) can be read once only" in r.stderr


def test_machine_output_is_utf8_whatever_the_terminal(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    subprocess.run([tracker_exe(), "--db", db, "seed"], check=True, capture_output=True)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    for args in (["report", "--format", "csv"], ["list", "--format", "json"], ["export"]):
        r = subprocess.run([tracker_exe(), "--db", db, *args], capture_output=True, env=env)
        assert r.returncode == 0, r.stderr
        assert "年初".encode() in r.stdout or "AI算力".encode() in r.stdout
