"""Regressions found by the contract review (each test names what broke)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

from conftest import HEADER, tracker_exe, write


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
