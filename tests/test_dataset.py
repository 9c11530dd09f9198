"""The shipped dataset holds article 4's figures, checked against numbers typed from the text."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tracker.dataset import article_observations, article_path
from tracker.model import Observation
from tracker.values import Value

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_c1402d568ccea9a2.txt"
TITLE = "AI算力与高阶应用需求激增 封装基板材料或开启涨价潮"


@pytest.fixture(scope="module")
def obs() -> list[Observation]:
    return article_observations()


def find(obs: list[Observation], **kw: object) -> Observation:
    hits = [o for o in obs if all(getattr(o, k) == v for k, v in kw.items())]
    assert len(hits) == 1, f"{kw}: {len(hits)} matches"
    return hits[0]


# (supplier, material, product, metric, date, kind, low, high, unit), typed from the article.
FIGURES = [
    ("MGC", "BT resin", "NS/NSF Low CTE Glass", "lead_time", "2025-07-24", "observed", 16, 20, "weeks"),
    ("MGC", "BT resin", "NS/NSF Low CTE Glass", "lead_time", "2025-07-24", "baseline", 8, 10, "weeks"),
    ("MGC", "BT resin", "NSA", "lead_time", "2025-07-24", "observed", 4, 6, "weeks"),
    ("Resonac", "BT resin", None, "lead_time", "2025-07-24", "observed", 6, None, "weeks"),
    ("Asahi Kasei", "glass cloth", "Low CTE 0.04mm", "lead_time", "2025-07-24", "observed", 12, None, "weeks"),
    (None, "ABF substrate", None, "lead_time", "2025-07-24", "observed", None, 22, "weeks"),
    (None, "glass cloth", "7628", "price", "2025-01-01", "observed", 3.6, 3.6, "CNY/m"),
    (None, "glass cloth", "7628", "price", "2025-07-24", "observed", 4.1, 4.1, "CNY/m"),
    (None, "glass cloth", "Low-Dk", "price", "2025-01-01", "observed", 280000, 300000, "CNY/t"),
    (None, "glass cloth", "Low-Dk", "price", "2025-07-24", "observed", 320000, 350000, "CNY/t"),
    (None, "glass cloth", "1037", "price", "2025-01-01", "observed", 80000, 80000, "CNY/t"),
    (None, "glass cloth", "1037", "price", "2025-07-24", "observed", 320000, 320000, "CNY/t"),
    (None, "glass cloth", "7628", "price_change", "2025-07-24", "observed", 15, 15, "%"),
    (None, "glass cloth", "Low-Dk", "price_change", "2025-07-24", "observed", 14.3, 16.7, "%"),
    (None, "glass cloth", "1037", "price_change", "2025-07-24", "observed", 250, 300, "%"),
    ("MGC", "BT resin", None, "market_share", "2025-07-24", "observed", 50, None, "%"),
    ("Asahi Kasei", "glass cloth", "Low CTE", "market_share", "2025-07-24", "observed", 50, 50, "%"),
    ("Nittobo", "glass cloth", None, "capacity_change", "2025-07-24", "observed", 30, 30, "%"),
    ("AGY", "glass fiber", "high-modulus", "shipment_volume_change", "2025-07-24", "observed", 40, 40, "%"),
    (None, "glass fiber", None, "supply_gap", "2025-07-24", "observed", 20, None, "%"),
    (None, "AI server", None, "shipment_volume_change", "2025-Q2", "observed", 120, 120, "%"),
    (None, "ABF substrate", None, "utilization", "2025-07-24", "observed", 80, 80, "%"),
    ("Nittobo", "glass cloth", None, "price_change", "2025-08-01", "announced", 0, None, "%"),
    ("Sumitomo", "glass cloth", None, "price_change", "2025-08-01", "announced", 0, None, "%"),
    ("Sinoma", "glass cloth", "special glass cloth", "capacity", "2025-07-24", "announced", 35_000_000, 35_000_000, "m"),
    ("China Jushi", "glass yarn", "electronic yarn", "capacity", "2026", "announced", 80000, 80000, "t/year"),
    ("Fastprint", "ABF substrate", None, "revenue", "2025", "forecast", 58_000_000, 58_000_000, "CNY"),
    ("Fastprint", "ABF substrate", None, "capacity", "2025-07-24", "announced", 1_200_000, 1_200_000, "m2/year"),
    ("Shennan Circuits", "ABF substrate", None, "capacity", "2025-07-24", "announced", 50000, 50000, "m2/month"),
    (None, "ABF substrate", None, "china_capacity_share", "2025", "forecast", 15, 15, "%"),
    (None, "ABF substrate", None, "market_size", "2025", "forecast", 110_000_000_000, 110_000_000_000, "CNY"),
    (None, "ABF substrate", None, "china_market_share", "2023", "observed", 7.2, 7.2, "%"),
    (None, "ABF substrate", None, "china_market_share", "2025", "forecast", 8.8, 8.8, "%"),
    (None, "ABF substrate", None, "demand", "2025", "forecast", 250_000_000, 250_000_000, "pcs"),
    (None, "ABF film", None, "localization_rate", "2030", "forecast", 10, 10, "%"),
]  # fmt: skip


@pytest.mark.parametrize("fig", FIGURES, ids=lambda f: f"{f[0]}-{f[2]}-{f[3]}-{f[4]}-{f[5]}")
def test_figure_is_in_dataset(obs: list[Observation], fig: tuple) -> None:  # type: ignore[type-arg]
    supplier, material, product, metric, date, kind, low, high, unit = fig
    o = find(obs, supplier=supplier, material=material, product=product, metric=metric, kind=kind,
             period=next(x.period for x in obs if x.period.text == date))  # fmt: skip
    assert (o.value.low, o.value.high, o.unit) == (low, high, unit)


def test_open_bounds_keep_their_kind(obs: list[Observation]) -> None:
    asahi = find(obs, supplier="Asahi Kasei", metric="lead_time")
    assert asahi.value == Value(12, None, low_strict=True)  # 超过12周: more than 12
    resonac = find(obs, supplier="Resonac", metric="lead_time")
    assert resonac.value == Value(6, None)  # 6周以上: 6 or more


def test_entered_text_is_kept(obs: list[Observation]) -> None:
    lowdk = [o for o in obs if o.product == "Low-Dk" and o.metric == "price"]
    assert sorted(o.entered for o in lowdk) == ["28-30 万元/吨", "32-35 万元/吨"]


def test_every_row_quotes_the_article(obs: list[Observation]) -> None:
    if not ARTICLE.exists():
        pytest.skip(f"{ARTICLE} not beside the repo")
    text = ARTICLE.read_text(encoding="utf-8")
    for o in obs:
        assert o.source == TITLE
        assert o.quote and o.quote in text, o


def test_counts_by_metric(obs: list[Observation]) -> None:
    counts = Counter(o.metric for o in obs)
    assert counts["lead_time"] == 6
    assert counts["price"] == 6
    assert counts["price_change"] == 5
    assert len(obs) == 37


def test_dataset_file_is_the_one_in_data() -> None:
    assert article_path().name == "article4.csv"
