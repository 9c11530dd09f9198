"""Reading the news end to end: the CLI, scoring, article 4 and the corpora."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import tracker_exe

from tracker.cli import cli
from tracker.scoring import same_product, score
from tracker.suppliers import alias_map

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "tests" / "data" / "news"
SHARED = ROOT.parent / "shared"
DIGEST = SHARED / "seeds" / "000_c1402d568ccea9a2.txt"
DEV = SHARED / "news-dev"
ARTICLES = [("bt_laminate_zh", "2025-09-15"), ("glass_fabric_en", "2025-09-08"),
            ("ccl_copper_zh", "2025-09-22")]  # fmt: skip


def extract(tmp_path: Path, text: str, date: str = "2026-03-10", *args: str) -> list[dict[str, str]]:
    src = tmp_path / "a.txt"
    src.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(src), "--date", date, *args])
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.output)))


def test_rows_are_interchange_csv_with_quote_and_confidence(tmp_path: Path) -> None:
    rows = extract(tmp_path, "Title\n\nRogers will raise RO4000 prices by 6% to 9% effective June 1. "
                             "Its shares rose 4% on the news.\n")
    assert [(r["date"], r["supplier"], r["material"], r["product"], r["metric"], r["value"], r["unit"],
             r["kind"], r["source"]) for r in rows] == [
        ("2026-06-01", "Rogers", "copper clad laminate", "RO4000", "price_change", "6-9", "%", "announced", "Title")]
    assert rows[0]["quote"] == "Rogers will raise RO4000 prices by 6% to 9% effective June 1."
    assert 0 < float(rows[0]["confidence"]) <= 1


def test_extracted_rows_import_as_they_are(tmp_path: Path) -> None:
    exe, db = tracker_exe(), str(tmp_path / "x.db")
    text = NEWS / "glass_fabric_en.txt"
    extracted = subprocess.run([exe, "--db", db, "extract", str(text), "--date", "2025-09-08"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    imported = subprocess.run([exe, "--db", db, "import", "-"], input=extracted,
                              capture_output=True, text=True)  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"{extracted.count(chr(10)) - 1} added")


def test_date_line_of_the_article_is_the_default_date(tmp_path: Path) -> None:
    rows = extract(tmp_path, "标题\n发布日期: 2025-11-20\n\n业内人士称，FR-4板材交期目前为两周左右。\n", "2025-11-20")
    src = tmp_path / "a.txt"
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(src)])
    assert next(iter(csv.DictReader(io.StringIO(r.output))))["date"] == rows[0]["date"] == "2025-11-20"


def test_html_page_reads_its_main_text(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><title>Foil prices</title></head><body><nav>Home | Markets | Contact</nav>"
        "<article><h1>Foil prices</h1><p>Copper foil makers are busy. Nothing else moved this week.</p>"
        "<p>Mitsui Kinzoku will raise HVLP4 prices by US$0.20/kg from February 1, a notice said.</p>"
        "</article><footer>Shares up 5% - advert</footer></body></html>", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(page), "--date", "2026-01-20"])
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [(r["date"], r["supplier"], r["product"], r["value"], r["unit"]) for r in rows] == [
        ("2026-02-01", "Mitsui Kinzoku", "HVLP4", "0.2", "USD/kg")]


def test_against_lists_misses_and_extras_with_the_field_that_differs(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("T\n\nTDK said lead times for its MLCCs are 10 weeks.\n", encoding="utf-8")
    gold = tmp_path / "g.csv"
    gold.write_text("date,supplier,material,product,metric,value,unit\n"
                    "2026-03-10,TDK,MLCC,,lead_time,12,weeks\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(src), "--date", "2026-03-10",
                                 "--against", str(gold), "--min-score", "0.5"])
    assert r.exit_code == 1
    assert "missed lead_time: 2026-03-10 TDK 12 weeks:  — nearest differs in value 10 weeks" in r.output
    assert ("extra lead_time: 2026-03-10 TDK 10 weeks: TDK said lead times for its MLCCs are 10 "
            "— nearest differs in value 12 weeks") in r.output
    assert r.output.splitlines()[4].split() == ["lead_time", "1", "1", "0", "0.0%", "0.0%"]


def test_scoring_matches_aliases_open_bounds_tolerance_and_overlapping_dates() -> None:
    base = {"date": "2025-01", "supplier": "Kingboard Laminates", "material": "x", "product": "FR-4",
            "metric": "price", "value": ">=100", "unit": "元/张"}
    same = {**base, "date": "2025-01-01", "supplier": "建滔", "value": ">=100.4", "unit": "CNY/sheet"}
    (p, _pc, _lt, total) = score([same], [base], alias_map())
    assert (p.matched, total.matched, total.expected) == (1, 1, 1)
    for field, value in (("value", "100"), ("value", ">=101"), ("date", "2025-02"), ("supplier", "Shengyi"),
                         ("product", "CEM-1"), ("unit", "元/米")):
        assert score([{**same, field: value}], [base], alias_map())[0].matched == 0, field


def test_products_match_when_the_words_of_one_are_in_the_other() -> None:
    assert same_product("0.04mm", "Low CTE 0.04mm") and same_product("MEGTRON 7", "megtron-7")
    assert not same_product("HVLP", "HVLP4") and not same_product("", "7628")


@pytest.mark.skipif(not DIGEST.exists(), reason="the seed digest is not beside the repo")
def test_article_4_scores(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(DIGEST), "--article", "4",
                                 "--date", "2025-07-24", "--against", str(ROOT / "data" / "article4.csv")])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[2].split() == ["price", "6", "6", "6", "100.0%", "100.0%"]
    assert lines[4].split() == ["lead_time", "6", "6", "6", "100.0%", "100.0%"]


@pytest.mark.parametrize(("name", "published"), ARTICLES)
def test_fixture_articles_score_at_least_90(tmp_path: Path, name: str, published: str) -> None:
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "extract", str(NEWS / f"{name}.txt"),
                                 "--date", published, "--against", str(NEWS / f"{name}.expected.csv"),
                                 "--min-score", "0.9"])  # fmt: skip
    assert r.exit_code == 0, r.output


def test_bench_news_prints_the_targets_met() -> None:
    if not DEV.exists():
        pytest.skip(f"the development corpus is not beside the repo ({DEV})")
    python = str(Path(tracker_exe()).parent / "python")
    out = subprocess.run([python, str(ROOT / "bench" / "news.py")], capture_output=True, text=True,
                         check=True).stdout
    dev = out.split("news-dev", 1)[1].split("\n\n", 1)[0].splitlines()
    for line in dev[3:]:
        _metric, _e, _x, _m, recall, precision = line.split()
        assert float(recall.rstrip("%")) >= 90 and float(precision.rstrip("%")) >= 90, line
