"""A series of normal levels only is reported with those levels (not dropped)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True


def test_baseline_only_series_is_reported(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "b.csv", "date,supplier,material,metric,value,unit,kind\n"
              "2025-01,MGC,BT resin,lead_time,8-10,weeks,baseline\n"
              "2025-06,MGC,BT resin,lead_time,9-11,weeks,baseline\n")  # fmt: skip
    assert run("import", str(f)).exit_code == 0
    rows = json.loads(run("report", "--format", "json").output)
    assert [(r["first_date"], r["last_date"], r["last_kind"], r["change_low_pct"]) for r in rows] == [
        ("2025-01", "2025-06", "baseline", 12.5)
    ]
