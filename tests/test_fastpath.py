"""The import fast path (FastRows) agrees with the full row check on every row it accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.importer import COLUMNS, FastRows, build_observation
from tracker.suppliers import alias_map

NAMES = ["date", "supplier", "material", "product", "metric", "value", "unit", "kind", "source",
         "quote", "note", "entered", "recorded_at"]  # fmt: skip
ALIASES = alias_map()

cells = {
    "date": ["2025-07-24", "2025-07", "2025-Q3", "2025", " 2025 ", "2025-02-30", "", "July"],
    "supplier": ["", "MGC", " mgc ", "三菱瓦斯化学", "New  Co", "Resonac"],
    "material": ["BT resin", " glass  cloth ", "", "ABF"],
    "product": ["", "NSA", " Low-Dk ", "7628"],
    "metric": ["lead_time", "price", "market_share", "Lead Time", "", "price_change"],
    "value": ["3.6", "16-20", ">=6", ">12", "<=22", "~15", "allocation", "stock", "-4", "20-16",
              "1e400", "1e308", "abc", "", "007", "4.10", "12345678901234567"],
    "unit": ["weeks", "days", "元/米", "万元/吨", "CNY/t", "%", "parsecs", "", "months", "USD/kg"],
    "kind": ["", "observed", "baseline", "forecast", "actual"],
    "source": ["", "src", " s "],
    "quote": ["", "a quote", " padded "],
    "note": ["", "n"],
    "entered": ["", "28-30 万元/吨"],
    "recorded_at": ["", "2026-01-01T00:00:00Z", "yesterday"],
}  # fmt: skip

rows = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in cells.items()})


@settings(max_examples=1500, deadline=None)
@given(rows)
def test_fast_path_matches_full_check(row: dict[str, str]) -> None:
    fast = FastRows(NAMES, ALIASES)
    fields = [row[n] for n in NAMES]
    got = fast.build(fields)
    again = fast.build(fields)  # from the memo this time
    slow, problems = build_observation(dict(row), ALIASES, "f.csv", 2)
    if got is None:
        assert again is None
        return  # the full check decides (and reports) these
    assert not problems, problems
    assert got == slow == again


def test_columns_are_known() -> None:
    assert set(NAMES) - {"entered", "recorded_at"} <= set(COLUMNS)


def test_fast_path_takes_ordinary_rows() -> None:
    fast = FastRows(NAMES, ALIASES)
    row = ["2025-07-24", "三菱瓦斯化学", "BT resin", "NSA", "lead_time", "4-6", "周", "", "src", "", "",
           "", ""]  # fmt: skip
    o = fast.build(row)
    assert o is not None and o.supplier == "MGC" and (o.value.low, o.value.high) == (4, 6)
    assert fast.build(["2025", "", "glass cloth", "7628", "price", "3.6", "元/米"] + [""] * 6) is not None
