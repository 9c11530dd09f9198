"""Change maths against figures typed from article 4, and the honest edge cases."""

from __future__ import annotations

import pytest

from tracker.analysis import change, check_stated, pct, ratio, summarise
from tracker.dataset import article_observations
from tracker.dates import parse_period
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.values import Value, parse_value


def obs(date: str, value: str, *, metric: str = "price", unit: str = "CNY/t", kind: str = "observed",
        supplier: str | None = "S", product: str | None = None, oid: int = 0) -> Observation:
    return Observation(parse_period(date), supplier, "glass cloth", product, metric, parse_value(value),
                       unit, value, kind, id=oid)  # fmt: skip


def test_article_price_changes() -> None:
    rows = {(s.series[2], s.metric): s for s in summarise(article_observations())}
    lowdk = rows[("Low-Dk", "price")].change
    assert round(lowdk.low_pct, 1) == 14.3 and round(lowdk.high_pct, 1) == 16.7
    assert lowdk.low_pct == pytest.approx(100 * 4 / 28) and lowdk.high_pct == pytest.approx(100 * 5 / 30)
    c7628 = rows[("7628", "price")].change
    assert c7628.low_pct == c7628.high_pct == 13.88888888888889  # (4.1-3.6)/3.6, exact to the last digit
    assert rows[("1037", "price")].change.low_pct == 300.0
    assert rows[("Low-Dk", "price")].first.period.text == "2025-01-01"


def test_article_lead_time_ratio_to_normal() -> None:
    s = next(s for s in summarise(article_observations()) if s.series[2] == "NS/NSF Low CTE Glass"
             and s.metric == "lead_time")  # fmt: skip
    assert (s.ratio_low, s.ratio_high) == (2.0, 2.0)
    # the stated normal level comes first on the same day: 8-10 -> 16-20 is +100%, "翻倍"
    assert (s.first.kind, s.last.kind) == ("baseline", "observed")
    assert (s.change.low_pct, s.change.high_pct) == (100.0, 100.0)
    assert s.baseline is not None and s.baseline.kind == "baseline"


def test_stated_against_computed() -> None:
    checks = {(c.stated.product, c.stated.metric): c for c in check_stated(article_observations())}
    assert checks[("7628", "price_change")].status == "differs"  # 约15% vs +13.9%
    assert checks[("7628", "price_change")].differences[0] == pytest.approx(15 - 13.8888889)
    assert checks[("1037", "price_change")].status == "differs"  # 250-300% vs +300%
    assert checks[("1037", "price_change")].differences == (-50.0, 0.0)
    assert checks[("Low-Dk", "price_change")].status == "ok"
    assert checks[("NS/NSF Low CTE Glass", "lead_time_change")].status == "ok"
    assert checks[("7628", "price_change")].tolerance == 0.5
    assert checks[("Low-Dk", "price_change")].tolerance == pytest.approx(0.05)
    loose = {(c.stated.product, c.stated.metric): c for c in check_stated(article_observations(), tolerance=2)}
    assert loose[("7628", "price_change")].status == "ok"


def test_open_bound_gives_at_least_not_a_number() -> None:
    c = change(parse_value("4-6"), parse_value(">=6"))
    assert c.high_pct is None and c.mid_pct is None
    assert c.low_pct == 50.0  # 4 -> 6 on the low bound, both closed
    assert c.at_least == 0.0  # from at most 6 to at least 6
    c = change(parse_value("4"), parse_value(">=6"))
    assert c.at_least == 50.0
    c = change(parse_value("30"), parse_value("<=22"))
    assert c.at_most == pytest.approx(-26.666666666666668) and c.low_pct is None


def test_zero_base_has_no_percentage() -> None:
    assert pct(0, 5) is None
    c = change(parse_value("stock"), parse_value("4-6"))
    assert (c.low_pct, c.high_pct) == (None, None)
    assert (c.low_abs, c.high_abs) == (4.0, 6.0)


def test_units_never_mix() -> None:
    with pytest.raises(TrackerError, match="cannot compare CNY/t with USD/t"):
        change(Value(1, 1), Value(2, 2), "CNY/t", "USD/t")


def test_series_split_by_unit_and_ordered_by_period() -> None:
    data = [obs("2025-07-24", "40", unit="USD/t", oid=1), obs("2025", "10", oid=2),
            obs("2025-01", "20", oid=3), obs("2025-01-01", "30", oid=4)]  # fmt: skip
    got = {s.series[4]: s for s in summarise(data)}
    assert set(got) == {"CNY/t", "USD/t"}
    cny = got["CNY/t"]
    assert [cny.first.period.text, cny.previous.period.text, cny.last.period.text] == ["2025", "2025-01", "2025-01-01"]
    assert cny.change.low_pct == 200.0


def test_days_and_weeks_compare_after_normalising(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import write

    f = write(tmp_path / "lt.csv", "date,supplier,material,metric,value,unit\n"
              "2025-01,MGC,BT resin,lead_time,28-35,days\n2025-07,MGC,BT resin,lead_time,8-10,weeks\n")  # fmt: skip
    run("import", str(f))
    out = run("report", "--format", "csv").output.splitlines()
    assert out[1].split(",")[5:16] == ["2025-01", "4", "5", "2025-07", "8", "10", "100", "100", "4-5", "observed", "8-10"]


def test_ratio() -> None:
    assert ratio(parse_value("16-20"), parse_value("8-10")) == (2.0, 2.0)
    assert ratio(parse_value(">=6"), parse_value("0-3")) == (None, None)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

positive = st.floats(min_value=0.01, max_value=1e9, allow_nan=False)


@given(positive, positive, positive, positive)
def test_range_change_is_the_change_of_its_bounds(a: float, b: float, c: float, d: float) -> None:
    lo1, hi1 = sorted((a, b))
    lo2, hi2 = sorted((c, d))
    ch = change(Value(lo1, hi1), Value(lo2, hi2))
    assert ch.low_pct == change(Value(lo1, lo1), Value(lo2, lo2)).low_pct == pct(lo1, lo2)
    assert ch.high_pct == change(Value(hi1, hi1), Value(hi2, hi2)).high_pct == pct(hi1, hi2)
    assert ch.low_pct == pytest.approx((lo2 - lo1) / lo1 * 100)
    # the midpoint moves by a weighted mean of the bound changes, so it lies between them
    assert min(ch.low_pct, ch.high_pct) - 1e-6 <= ch.mid_pct <= max(ch.low_pct, ch.high_pct) + 1e-6
