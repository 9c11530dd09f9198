"""The Python API a notebook uses: tracker.load() and the analysis functions on its data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import tracker
from tracker import analysis


def test_load_default_db_has_proper_dtypes(tmp_path: Path) -> None:
    df = tracker.load()  # the default db (under the test's XDG_DATA_HOME), seeded on creation
    assert len(df) == 37
    assert str(df["start"].dtype).startswith("datetime64") and df["low"].dtype == "float64"
    assert isinstance(df["kind"].dtype, pd.CategoricalDtype)
    lowdk = df[(df["product"] == "Low-Dk") & (df["metric"] == "price")].sort_values("start")
    assert lowdk[["low", "high"]].values.tolist() == [[280000, 300000], [320000, 350000]]
    assert lowdk["entered"].tolist() == ["28-30 万元/吨", "32-35 万元/吨"]
    resonac = df[df["supplier"] == "Resonac"].iloc[0]
    assert resonac["low"] == 6 and pd.isna(resonac["high"]) and resonac["value"] == ">=6"


def test_load_named_db_and_filters(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    store = tracker.open_store(db)
    tracker.seed(store)
    df = tracker.load(db, tracker.Filters(supplier="三菱瓦斯化学"))
    assert set(df["supplier"]) == {"MGC"} and len(df) == 5


def test_analysis_on_library_data(tmp_path: Path) -> None:
    store = tracker.open_store(tmp_path / "x.db")
    tracker.seed(store)
    summaries = analysis.summarise(tracker.list_observations(store))
    assert any(s.change.high_pct == 16.666666666666668 for s in summaries)
