"""Every report format, parsed back; verify's exit code; the briefing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import seeded_synthetic

from tracker.dates import parse_period

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

REQUIRED = ["supplier", "material", "product", "metric", "unit", "first_date", "first_low",
            "first_high", "last_date", "last_low", "last_high", "change_low_pct", "change_high_pct"]  # fmt: skip


def test_csv_has_contract_columns_and_unrounded_numbers(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    text = run("report", "--format", "csv").output
    df = pd.read_csv(io.StringIO(text), dtype={"product": str})
    assert list(df.columns[: len(REQUIRED)]) == REQUIRED
    lowdk = df[(df["product"] == "Low-Dk") & (df["metric"] == "price")].iloc[0]
    assert (lowdk.first_low, lowdk.first_high, lowdk.last_low, lowdk.last_high) == (
        280000,
        300000,
        320000,
        350000,
    )
    assert (
        lowdk.change_low_pct == 14.285714285714286 and lowdk.change_high_pct == 16.666666666666668
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    resonac = next(r for r in rows if r["supplier"] == "Resonac")
    assert (resonac["first_low"], resonac["first_high"], resonac["change_low_pct"]) == ("6", "", "")


def test_json_same_fields(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    rows = json.loads(run("report", "--format", "json").output)
    csv_rows = list(csv.DictReader(io.StringIO(run("report", "--format", "csv").output)))
    assert len(rows) == len(csv_rows) and set(rows[0]) == set(csv_rows[0])
    c7628 = next(r for r in rows if r["product"] == "7628" and r["metric"] == "price")
    assert c7628["change_low_pct"] == 13.88888888888889
    assert c7628["stated_change"] == "~15" and c7628["stated_status"] == "differs"
    assert next(r for r in rows if r["supplier"] == "Resonac")["change_low_pct"] is None


def test_table_fits_80_columns(run) -> None:  # type: ignore[no-untyped-def]
    from tracker.table import width

    run("seed")
    out = run("report").output
    assert "Lead times" in out and "Prices" in out
    assert "+14.3% / +16.7%" in out and "+13.9%" in out and "now 2.0× normal" in out
    assert max(width(line) for line in out.splitlines()) <= 80


def test_markdown_and_filters(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    out = tmp_path / "r.md"
    r = run("report", "--format", "markdown", "--supplier", "三菱瓦斯化学", "--out", str(out))
    assert r.exit_code == 0 and r.output == ""
    md = out.read_text(encoding="utf-8")
    assert "| MGC | BT resin NSA |" in md and "glass cloth" not in md


def test_report_window(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    rows = json.loads(
        run("report", "--format", "json", "--metric", "price", "--since", "2025-07").output
    )
    assert {r["observations"] for r in rows} == {1}


def test_excel_csv_flag(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("report", "--format", "csv", "--excel")
    assert r.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert run("report", "--excel").exit_code == 2


def test_verify_exit_code(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("verify")
    assert r.exit_code == 1
    assert "DIFFERS" in r.output and "2 ok, 2 differ, 5 unchecked" in r.output
    assert run("verify", "--product", "Low-Dk").exit_code == 0
    assert run("verify", "--tolerance", "60").exit_code == 0


def test_markdown_briefing_with_charts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    charts, brief = tmp_path / "charts", tmp_path / "brief.md"
    r = run("report", "--format", "markdown", "--charts", str(charts), "--out", str(brief))
    assert r.exit_code == 0, r.output
    md = brief.read_text(encoding="utf-8")
    links = [line[line.index("(") + 1 : -1] for line in md.splitlines() if line.startswith("![")]
    assert "charts/mgc_lead_time.png" in links and "charts/overview_price.png" in links
    for link in links:  # every image the briefing shows is there, relative to the briefing
        assert (brief.parent / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ("| (market-wide) | glass cloth Low-Dk | 2025-01-01 | 280,000-300,000 CNY/t | "
            "2025-07-24 | 320,000-350,000 CNY/t | +14.3% / +16.7% |") in md  # fmt: skip


def test_html_briefing_embeds_charts(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import base64
    import re

    run("seed")
    out = tmp_path / "brief.html"
    assert (
        run(
            "report", "--format", "html", "--charts", str(tmp_path / "c"), "--out", str(out)
        ).exit_code
        == 0
    )
    html = out.read_text(encoding="utf-8")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) == 7
    assert all(base64.b64decode(i)[:4] == b"\x89PNG" for i in images)
    assert "<td class='n'>+14.3% / +16.7%</td>" in html


def test_row_keys_are_in_field_order(run) -> None:  # type: ignore[no-untyped-def]
    from tracker.dataset import article_observations
    from tracker.report import FIELDS, rows_from_observations

    rows = rows_from_observations(article_observations())
    assert all(tuple(r) == FIELDS for r in rows)


def _report_the_thorough_way(store, filters):  # type: ignore[no-untyped-def]
    """The report computed from every current observation of the selection, by
    analysis.summarise: what the stored summaries must give."""
    from tracker.analysis import check_stated, summarise
    from tracker.api import _stated_context
    from tracker.report import build_rows

    obs = store.observations(filters._replace(since=None, until=None))
    return build_rows(summarise(obs), check_stated(_stated_context(store, filters)))


def test_stored_summaries_give_the_rows_computed_from_every_observation(tmp_path: Path) -> None:
    from tracker import api
    from tracker.store import Filters, Store

    store = Store.open(tmp_path / "r.db")
    try:
        api.seed(store)
        extra = tmp_path / "x.csv"
        extra.write_text(
            "date,supplier,material,product,metric,value,unit,kind\n"
            "2025,MGC,BT resin,NSA,lead_time,4-6,weeks,\n"  # a year: ties with 2025-01-01
            "2025-01-01,MGC,BT resin,NSA,lead_time,5,weeks,\n"
            "2025-01,MGC,BT resin,NSA,lead_time,5,weeks,baseline\n"
            "2025-03,Nittobo,glass cloth,7628,price,>3.9,元/米,\n"
            "2025-04,Nittobo,glass cloth,7628,price,~4.0,元/米,forecast\n"
            "2025-02,,ABF,,lead_time,allocation,weeks,\n"
            "2025-05,,ABF,,lead_time,<=30,weeks,\n",
            encoding="utf-8",
        )
        api.import_files(store, [str(extra)])
        api.correct(store, 14, {"value": "4.2"}, by="t", reason="test")
        for filters in (Filters(), Filters(metric="price"), Filters(supplier="MGC")):
            assert api.report_rows(store, filters) == _report_the_thorough_way(store, filters)
    finally:
        store.close()


@pytest.mark.parametrize("excel", [False, True])
def test_report_csv_is_the_text_of_the_rows(tmp_path: Path, excel: bool) -> None:
    from tracker import api, report
    from tracker.store import Filters

    store = seeded_synthetic(tmp_path, 3000, 7, 9)
    try:
        for filters in (Filters(), Filters(metric="price"), Filters(since=parse_period("2020-02"))):
            rows = api.report_rows(store, filters)
            assert api.report_csv(store, filters, excel=excel) == report.to_csv(rows, excel=excel)
        assert api.report_rows(store) == _report_the_thorough_way(store, Filters())
        assert store.conn.execute("SELECT count(*) FROM observations").fetchone()[0] > 3000
    finally:
        store.close()
