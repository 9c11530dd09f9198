"""Reading the news: every rule does what its examples say; scores on the four articles."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import tracker_exe

from tracker.cli import cli
from tracker.extract import Extractor, load_rules
from tracker.newstext import grammar, number
from tracker.suppliers import alias_map

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "tests" / "data" / "news"
DIGEST = ROOT.parent / "shared" / "seeds" / "000_c1402d568ccea9a2.txt"
ARTICLES = [("bt_laminate_zh", "2025-09-15"), ("glass_fabric_en", "2025-09-08"),
            ("ccl_copper_zh", "2025-09-22")]  # fmt: skip


@pytest.mark.parametrize("rule", load_rules().rules, ids=lambda r: r.id)
def test_every_rule_finds_its_examples(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.examples, f"rule {rule.id} has no example sentence"
    ex = Extractor(alias_map())
    for sentence in rule.examples:
        found = ex.extract(sentence, date(2025, 7, 24), "t")
        assert any(c.rule == rule.id for c in found), f"{rule.id}: nothing from {sentence!r}"


@pytest.mark.parametrize(
    ("text", "metric", "value", "unit"),
    [
        ("MGC宣布BT材料交期延长至16-20周。", "lead_time", "16-20", "周"),
        ("其交期已超过12周。", "lead_time", ">12", "周"),
        ("交期同样延长至6周以上。", "lead_time", ">=6", "周"),
        ("部分载板交货期已拉长至22周。", "lead_time", "<=22", "周"),
        ("铜箔交期延长至十二周。", "lead_time", "12", "周"),
        ("Delivery now takes up to 90 days.", "lead_time", "<=90", "days"),
        ("Lead times are now 5-7 weeks.", "lead_time", "5-7", "weeks"),
        ("Spot prices sit at USD 2.50-3.00 per kg.", "price", "2.5-3", "USD/kg"),
        ("涨幅约14.3%-16.7%。", "price_change", "~14.3-16.7", "%"),
        ("AGY will raise prices by 6-9% from October 1.", "price_change", "6-9", "%"),
        ("建滔自10月1日起每张上调8元。", "price_change", "8", "元/张"),
    ],
)
def test_forms(text: str, metric: str, value: str, unit: str) -> None:
    found = [c for c in Extractor(alias_map()).extract(text, date(2025, 9, 1), "t") if c.metric == metric]
    assert [(c.value, c.unit) for c in found] == [(value, unit)]


def test_from_to_gives_two_rows_dated_by_their_cue() -> None:
    rows = Extractor(alias_map()).extract("7628价格从年初3.6元/米攀升至4.1元/米。", date(2025, 7, 24), "t")
    assert [(c.date, c.value) for c in rows if c.metric == "price"] == [("2025-01-01", "3.6"),
                                                                        ("2025-07-24", "4.1")]  # fmt: skip
    rows = Extractor(alias_map()).extract("价格从8万元/吨飙升至32万元/吨。", date(2025, 7, 24), "t")
    assert rows[0].date == "" and "review" in rows[0].note  # no cue: left for a person


def test_supplier_nearest_and_customers_skipped() -> None:
    text = "日本旭化成作为主要供应商,其因苹果订单激增,0.04mm规格产品的交期已超过12周。"
    (row,) = Extractor(alias_map()).extract(text, date(2025, 7, 24), "t")
    assert (row.supplier == "Asahi Kasei" and row.material == "unknown") or row.supplier == "Asahi Kasei"
    text = "MGC宣布BT交期延长至16-20周。普通规格(NSA系列)的交期也延长至4-6周。"
    rows = Extractor(alias_map()).extract(text, date(2025, 7, 24), "t")
    assert [(r.supplier, r.product) for r in rows] == [("MGC", ""), ("MGC", "NSA")]


def test_numbers() -> None:
    assert [number(t) for t in ("十二", "二十", "三", "three", "3.6", "一百")] == [12, 20, 3, 3, 3.6, 100]
    assert grammar("16 to 20") == "16-20" and grammar("14.3%-16.7") == "14.3-16.7"


@pytest.mark.skipif(not DIGEST.exists(), reason="the seed digest is not beside the repo")
def test_article_4_scores(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(DIGEST), "--article", "4",
                                 "--date", "2025-07-24", "--against", str(ROOT / "data" / "article4.csv"),
                                 "--min-score", "0.9"])  # fmt: skip
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[2].split() == ["price", "6", "6", "6", "100.0%", "100.0%"]
    assert lines[3].split() == ["lead_time", "6", "6", "6", "100.0%", "100.0%"]


@pytest.mark.parametrize(("name", "published"), ARTICLES)
def test_news_articles_score_at_least_90(tmp_path: Path, name: str, published: str) -> None:
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(NEWS / f"{name}.txt"),
                                 "--date", published, "--against", str(NEWS / f"{name}.expected.csv"),
                                 "--min-score", "0.9"])  # fmt: skip
    assert r.exit_code == 0, r.output


def test_extract_then_import(tmp_path: Path) -> None:
    exe, db = tracker_exe(), str(tmp_path / "x.db")
    text = NEWS / "glass_fabric_en.txt"
    extracted = subprocess.run([exe, "--db", db, "extract", str(text), "--date", "2025-09-08"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    imported = subprocess.run([exe, "--db", db, "import", "-"], input=extracted,
                              capture_output=True, text=True)  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"{extracted.count(chr(10)) - 1} added")
    listing = subprocess.run([exe, "--db", db, "list", "--supplier", "Sinoma", "--format", "csv"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "2025-01,Sinoma" in listing and "3.1,3.1,USD/t" not in listing and "3100,3100,USD/t" in listing


def test_a_row_without_a_date_is_refused_on_import(tmp_path: Path) -> None:
    exe, db = tracker_exe(), str(tmp_path / "x.db")
    src = tmp_path / "a.txt"
    src.write_text("价格从8万元/吨飙升至32万元/吨。", encoding="utf-8")
    extracted = subprocess.run([exe, "--db", db, "extract", str(src), "--date", "2025-07-24"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    r = subprocess.run([exe, "--db", db, "import", "-"], input=extracted, capture_output=True, text=True)
    assert r.returncode == 1 and "<stdin>:2: date: is empty" in r.stderr
