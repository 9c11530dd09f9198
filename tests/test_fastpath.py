"""The bulk reader's remembered checks agree with the full row check (build_observation) on
every row: the same row stored, or problems where it reports them."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.bulk import Planner
from tracker.csvfile import RowSource
from tracker.errors import Problem
from tracker.importer import COLUMNS, build_observation
from tracker.store.rows import stored_row
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


def planned(records: list[dict[str, str]]) -> tuple[list[tuple[Any, ...]], list[Problem]]:
    """The rows the bulk reader would insert (as full stored rows, ids being the keys and
    names themselves), and its problems."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(NAMES)
    w.writerows([r[n] for n in NAMES] for r in records)
    data = buf.getvalue().encode("utf-8")
    source = RowSource("f.csv", io.BytesIO(data), "utf-8", False, len(data))

    def resolve(keys: list[Any], names: list[str]) -> tuple[list[Any], list[Any]]:
        return list(keys), list(names)  # an id is the key itself: easy to compare

    problems: list[Problem] = []
    out = []
    for batch in Planner([source], ALIASES, problems, resolve):
        for consts, got in batch.runs:
            for r in got:
                if consts is None:
                    out.append(tuple(r))
                else:  # lean: (series, date, start, low, high, entered) + the run's constants
                    flags, special, kind, source_id = consts
                    out.append((*r[:5], flags, special, r[5], kind, source_id, None, None, None))
    return out, problems


@settings(max_examples=1500, deadline=None)
@given(rows)
def test_the_bulk_reader_matches_the_full_check(row: dict[str, str]) -> None:
    got, problems = planned([row, row])  # the second from the memories
    obs, expected = build_observation(dict(row), ALIASES, "f.csv", 2)
    if obs is None:
        assert problems[: len(expected)] == expected
        assert got == []
        return
    assert problems == []
    want = tuple(stored_row(obs, obs.series, obs.source))
    assert got == [want, want]


def test_columns_are_known() -> None:
    assert set(NAMES) - {"entered", "recorded_at"} <= set(COLUMNS)


def test_ordinary_rows_take_the_lean_path() -> None:
    row = dict(zip(NAMES, ["2025-07-24", "三菱瓦斯化学", "BT resin", "NSA", "lead_time", "4-6", "周",
                           "", "src", "", "", "", ""], strict=True))  # fmt: skip
    got, problems = planned([row])
    assert problems == []
    assert got == [(("MGC", "BT resin", "NSA", "lead_time", "weeks"), "2025-07-24", "2025-07-24",
                    4.0, 6.0, 0, None, "4-6 周", "observed", "src", None, None, None)]  # fmt: skip
