"""--currency (issue 13, item 4): prices in one currency at the ECB rate of their date.

Rates typed from the ECB's reference rates (per EUR): 2024-12-31 USD 1.0389, CNY 7.5833;
2025-07-24 USD 1.1756, CNY 8.4142.  The article's "年初" prices are dated 2025-01-01, a
holiday without rates, so they take 31 December's.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from datetime import date
from pathlib import Path

import pytest
from conftest import HEADER, write

from tracker import currency
from tracker.currency import CurrencyError, rate

NEW_YEAR = 1.0389 / 7.5833  # USD per CNY, 2024-12-31
JULY_24 = 1.1756 / 8.4142  # USD per CNY, 2025-07-24


def test_rate_of_a_day_and_of_the_working_day_before() -> None:
    r = rate("CNY", "USD", date(2025, 7, 24))
    assert r.day == date(2025, 7, 24) and r.rate == pytest.approx(JULY_24, rel=1e-12)
    r = rate("CNY", "USD", date(2025, 1, 1))  # a holiday: the last rate before it
    assert r.day == date(2024, 12, 31) and r.rate == pytest.approx(NEW_YEAR, rel=1e-12)
    assert rate("CNY", "USD", date(2025, 7, 26)).day == date(2025, 7, 25)  # a Saturday
    assert rate("EUR", "USD", date(2025, 7, 24)).rate == 1.1756


def test_a_day_past_the_history_takes_its_last_rate_and_says_which() -> None:
    last = currency.last_rate_date()
    assert last >= date(2025, 7, 24)
    r = rate("CNY", "USD", date(2999, 1, 1))
    assert r.day == last
    assert any("ends on" in line for line in currency.rates_note([r], "USD"))


def test_a_day_before_a_currencys_first_rate_is_refused() -> None:
    with pytest.raises(CurrencyError, match="no ECB rate before 2005-04-01"):
        rate("CNY", "USD", date(2001, 1, 1))  # the ECB quotes CNY from April 2005
    with pytest.raises(CurrencyError, match="TWD has no ECB reference rate"):
        rate("TWD", "USD", date(2025, 1, 1))


def test_the_bundled_history_is_read_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_a: object, **_k: object) -> None:
        raise AssertionError("tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    currency._converter.cache_clear()
    try:
        assert rate("CNY", "EUR", date(2025, 7, 24)).rate == pytest.approx(1 / 8.4142, rel=1e-12)
    finally:
        currency._converter.cache_clear()


def test_unknown_currency_suggests_a_code(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("report", "--currency", "USX")
    assert r.exit_code == 2
    assert "'USX' has no ECB reference rate; did you mean USD?" in r.output


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_report_csv_in_usd(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    plain = _csv(run("report", "--format", "csv").output)
    r = run("report", "--format", "csv", "--currency", "usd")
    assert r.exit_code == 0, r.output
    rows = _csv(r.output)
    from tracker.currency import RATE_FIELDS
    from tracker.report import FIELDS

    assert list(rows[0]) == [*FIELDS, *RATE_FIELDS]  # columns added after, none changed
    assert [(p["supplier"], p["product"], p["metric"]) for p in plain] == [
        (c["supplier"], c["product"], c["metric"]) for c in rows
    ]
    lowdk = next(c for c in rows if c["product"] == "Low-Dk" and c["metric"] == "price")
    assert lowdk["unit"] == "USD/t" and lowdk["entered_unit"] == "CNY/t"
    assert lowdk["rate_source"] == "ECB reference rate"
    assert lowdk["first_rate_date"] == "2024-12-31" and lowdk["last_rate_date"] == "2025-07-24"
    assert float(lowdk["first_rate"]) == pytest.approx(NEW_YEAR, rel=1e-12)
    assert float(lowdk["last_rate"]) == pytest.approx(JULY_24, rel=1e-12)
    assert float(lowdk["first_low"]) == pytest.approx(280000 * NEW_YEAR, rel=1e-12)
    assert float(lowdk["first_high"]) == pytest.approx(300000 * NEW_YEAR, rel=1e-12)
    assert float(lowdk["last_low"]) == pytest.approx(320000 * JULY_24, rel=1e-12)
    assert float(lowdk["last_high"]) == pytest.approx(350000 * JULY_24, rel=1e-12)
    # percentages stay those of the entered currency: 28-30 -> 32-35 is +14.3% / +16.7%
    assert float(lowdk["change_low_pct"]) == pytest.approx(100 / 7, rel=1e-12)
    assert float(lowdk["change_high_pct"]) == pytest.approx(50 / 3, rel=1e-12)
    assert lowdk["stated_status"] == "ok"
    cloth = next(c for c in rows if c["product"] == "7628")
    assert cloth["unit"] == "USD/m" and float(cloth["last_low"]) == pytest.approx(4.1 * JULY_24)
    assert float(cloth["change_low_abs"]) == pytest.approx(4.1 * JULY_24 - 3.6 * NEW_YEAR)
    # not money: untouched, the rate columns empty
    mgc = next(c for c in rows if c["metric"] == "lead_time" and c["supplier"] == "MGC"
               and c["product"] != "NSA")  # fmt: skip
    same = next(p for p in plain if p["metric"] == "lead_time" and p["supplier"] == "MGC"
                and p["product"] != "NSA")  # fmt: skip
    assert {k: mgc[k] for k in same} == same and mgc["entered_unit"] == mgc["first_rate"] == ""
    market = next(c for c in rows if c["metric"] == "market_size")  # 1,100亿元 is money too
    assert market["unit"] == "USD" and market["entered_unit"] == "CNY"


def test_report_json_and_table_show_the_rates(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    rows = json.loads(run("report", "--format", "json", "--currency", "USD").output)
    p = next(r for r in rows if r["product"] == "1037")
    assert p["unit"] == "USD/t" and p["last_rate_date"] == "2025-07-24"
    assert p["last_low"] == pytest.approx(320000 * JULY_24, rel=1e-12)
    table = run("report", "--metric", "price", "--currency", "USD").output
    assert "320,000" not in table and "+300.0%" in table  # the change as entered
    assert "1 CNY = 0.139716 USD (ECB reference rate of 2025-07-24)" in table
    assert "1 CNY = 0.136998 USD (ECB reference rate of 2024-12-31)" in table
    assert "% changes are computed in the entered currency" in table


def test_a_currency_without_ecb_rates_is_left_as_it_is(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv_text = HEADER + "2025-07-24,Acme,glass cloth,2116,price,30,TWD/m,,s,,\n"
    run("import", str(write(tmp_path / "twd.csv", csv_text)))
    r = run("report", "--format", "csv", "--currency", "USD")
    assert r.exit_code == 0
    row = _csv(r.stdout)[0]
    assert row["unit"] == "TWD/m" and row["last_low"] == "30" and row["first_rate"] == ""
    assert "warning: Acme, glass cloth 2116, price: left in TWD/m: TWD has no ECB" in r.stderr


def test_export_wide_in_usd_keeps_the_entered_currency_and_the_rates(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("export", "--wide", "--metric", "price", "--currency", "USD")
    got = list(csv.reader(io.StringIO(r.output)))
    assert got[0] == ["date", "market | glass cloth 1037 | price (USD/t from CNY)",
                      "market | glass cloth 7628 | price (USD/m from CNY)",
                      "market | glass cloth Low-Dk | price (USD/t from CNY) low",
                      "market | glass cloth Low-Dk | price (USD/t from CNY) high",
                      "CNY to USD rate (ECB reference rate)", "CNY to USD rate date"]  # fmt: skip
    first, last = got[1], got[2]
    assert first[0] == "2025-01-01" and first[-1] == "2024-12-31"
    assert last[0] == "2025-07-24" and last[-1] == "2025-07-24"
    assert float(first[2]) == pytest.approx(3.6 * NEW_YEAR) and float(first[-2]) == pytest.approx(NEW_YEAR)
    assert float(last[4]) == pytest.approx(350000 * JULY_24)


def test_currency_goes_with_wide_only(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("export", "--currency", "USD")
    assert r.exit_code == 2 and "--currency goes with --wide" in r.output


def test_chart_draws_converted_prices(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import tracker.charts

    seen = []
    real = tracker.charts.render_charts

    notes = []

    def spy(obs, *a, **k):  # type: ignore[no-untyped-def]
        seen.extend(obs)
        notes.append(tracker.charts.CURRENCY_NOTE.get())
        return real(obs, *a, **k)

    monkeypatch.setattr(tracker.charts, "render_charts", spy)
    run("seed")
    r = run("chart", "--metric", "price", "--currency", "USD", "--out-dir", str(tmp_path / "c"))
    assert r.exit_code == 0 and r.output
    assert {o.unit for o in seen} == {"USD/t", "USD/m"}
    one = next(o for o in seen if o.product == "1037" and o.period.text == "2025-07-24")
    assert one.value.low == pytest.approx(320000 * JULY_24) and one.entered == "32 万元/吨"
    assert notes == ["prices in USD at the ECB rate of each date (latest: 1 CNY = 0.13972 USD "
                     "on 2025-07-24); % changes: see the report (entered currency)"]  # fmt: skip
    assert tracker.charts.CURRENCY_NOTE.get() == ""  # only for that run
    from tracker.analysis import summarise

    s = next(iter(summarise([o for o in seen if o.product == "7628"])))
    tracker.charts.CURRENCY_NOTE.set("x")
    try:  # a converted series' legend has no % (it would mix in the exchange rate)
        assert tracker.charts.series_label(s) == "glass cloth 7628:\n0.5728 USD/m"
    finally:
        tracker.charts.CURRENCY_NOTE.set("")


def test_the_readme_example_is_real_output(run) -> None:  # type: ignore[no-untyped-def]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    run("seed")
    out = run("report", "--metric", "price", "--product", "7628", "--currency", "USD").output
    assert out.rstrip("\n") in readme
