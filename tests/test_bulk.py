"""The bulk importer (tracker.bulk) stores exactly what the row-by-row check would.

Chunks and batches are made tiny here so that one small file crosses every
boundary: lean chunks next to row-by-row ones, sorted batches.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from conftest import HEADER, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import api, bulk
from tracker.errors import Problem, ValidationError
from tracker.importer import build_observation
from tracker.store import Store
from tracker.suppliers import alias_map
from tracker.units import parse_unit
from tracker.values import parse_value

COLUMNS = ["date", "supplier", "material", "product", "metric", "value", "unit", "kind", "source",
           "quote", "note"]  # fmt: skip
cells = {
    "date": ["2025-07-24", "2025-07", "2025-Q3", " 2025 ", "2025-02-30", ""],
    "supplier": ["", "MGC", " mgc ", "三菱瓦斯化学", "New Co", "new co"],
    "material": ["BT resin", " glass  cloth ", ""],
    "product": ["", "NSA", "7628"],
    "metric": ["lead_time", "price", "market_share", "Lead Time"],
    "value": ["3.6", "16-20", "16.5-20.25", "20-16", ">=6", "~15", "allocation", "-4", "007", "",
              " 12 "],
    "unit": ["weeks", "元/米", "万元/吨", "CNY/t", "%", "parsecs"],
    "kind": ["", "observed", "baseline", "actual"],
    "source": ["", "src", " s "],
    "quote": ["", "", "", "a quote", "two\nlines"],
    "note": ["", "", "n"],
}  # fmt: skip
rows = st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in cells.items()}),
                min_size=1, max_size=12)  # fmt: skip

STORED = """SELECT o.date, sp.name, se.material, se.product, se.metric, se.unit, o.period_start,
    o.low, o.high, o.flags, o.special, o.entered, o.kind, src.name, o.quote, o.note, o.revision
    FROM observations o JOIN series se ON se.id = o.series_id
    LEFT JOIN suppliers sp ON sp.id = se.supplier_id LEFT JOIN sources src ON src.id = o.source_id
    ORDER BY o.id"""


def csv_text(records: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows([r[c] for c in COLUMNS] for r in records)
    return out.getvalue()


def stored(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(STORED).fetchall()
    finally:
        conn.close()


def bulk_import(db: Path, path: Path, fork: bool = False) -> tuple[list[Problem], int]:
    store = Store.open(db)
    try:
        return [], api.import_files(store, [str(path)]).added
    except ValidationError as e:
        return e.problems, 0
    finally:
        store.close()


def reference_import(db: Path, path: Path, text: str) -> tuple[list[Problem], int]:
    """The thorough way, one row at a time: what the bulk importer must agree with."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text))
    names = next(reader)
    problems, good = [], []
    end = 1
    for fields in reader:
        line, end = end + 1, reader.line_num
        obs, found = build_observation(dict(zip(names, fields, strict=True)), alias_map(),
                                       str(path), line)  # fmt: skip
        problems += found
        if obs is not None:
            good.append(obs)
    if problems:
        return problems, 0
    store = Store.open(db)
    try:
        return [], store.insert(good)[0]
    finally:
        store.close()


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 3)
    monkeypatch.setattr(bulk, "BATCH", 4)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows)
def test_bulk_stores_what_the_row_check_stores(
    tmp_path: Path, tiny: None, records: list[dict[str, str]]
) -> None:
    text = csv_text(records)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write(work / "f.csv", text)
    got_problems, got_added = bulk_import(work / "bulk.db", path)
    want_problems, want_added = reference_import(work / "ref.db", path, text)
    assert got_problems == want_problems
    assert got_added == want_added
    if not want_problems:
        assert sorted(map(repr, stored(work / "bulk.db"))) == sorted(
            map(repr, stored(work / "ref.db"))
        )


def mixed_file(path: Path, n: int = 60) -> Path:
    """Plain feed rows with odd ones between them: ranges, open bounds, a scaled unit,
    a quote over two lines, a second kind and source, a supplier spelled two ways."""
    lines = []
    for i in range(n):
        day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
        lines.append(f"{day},Supplier {i % 5},glass cloth,P{i % 3},price,{10 + i}.5,CNY/t,,feed,,")
        if i % 7 == 0:
            lines.append(
                f"{day},supplier {i % 5},glass cloth,P{i % 3},lead_time,{i}-{i + 4},weeks,,,,"
            )
        if i % 11 == 0:
            lines.append(f'{day},MGC,BT resin,,lead_time,>{i},weeks,forecast,other,"two\nlines",')
        if i % 13 == 0:
            lines.append(f"{day},Nittobo,Low-Dk cloth,,price,28-30,万元/吨,,feed,,n")
    return write(path, HEADER + "\n".join(lines) + "\n")


def test_bulk_import_stores_what_the_reference_stores(tmp_path: Path, tiny: None) -> None:
    path = mixed_file(tmp_path / "m.csv")
    db = tmp_path / "bulk.db"
    problems, added = bulk_import(db, path)
    assert problems == [] and added == len(stored(db))
    again = Store.open(db)
    try:  # all duplicates the second time
        assert api.import_files(again, [str(path)]) == (0, added)
    finally:
        again.close()
    ref = tmp_path / "ref.db"
    reference_import(ref, path, path.read_text())
    assert sorted(map(repr, stored(db))) == sorted(map(repr, stored(ref)))


def test_a_bad_row_deep_in_a_file_is_reported_and_nothing_written(tmp_path: Path,
                                                                  tiny: None) -> None:  # fmt: skip
    good = mixed_file(tmp_path / "m.csv")
    text = good.read_text().splitlines(keepends=True)  # physical lines: a quote spans two
    assert sum('"two' in t for t in text[:40]) >= 2  # so records and lines differ by then
    at = next(i for i in range(40, len(text)) if "CNY/t" in text[i])
    text[at] = text[at].replace("CNY/t", "parsecs")
    bad = write(tmp_path / "bad.csv", "".join(text))
    db = tmp_path / "t.db"
    problems, _ = bulk_import(db, bad)
    assert [(p.line, p.column) for p in problems] == [(at + 1, "unit")]
    assert stored(db) == []


def test_problems_and_lines_do_not_depend_on_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    corpus = Path(__file__).parent / "data" / "bad"
    expected = json.loads((corpus / "expected.json").read_text())
    names = [n for n, e in expected.items() if e.get("exit") == 1 and "huge" not in n]
    assert len(names) > 60

    def problems(name: str) -> list[str]:
        store = Store.open(tmp_path / f"{name}.{bulk.CHUNK}.db")
        try:
            api.import_files(store, [str(corpus / name)])
        except Exception as e:  # the message is what is compared
            return [str(p) for p in getattr(e, "problems", [e])]
        finally:
            store.close()
        return []

    default = {n: problems(n) for n in names}
    monkeypatch.setattr(bulk, "CHUNK", 2)
    assert {n: problems(n) for n in names} == default


@pytest.mark.parametrize("text", ["12-16", "0-0", "16.5-20.25", "007-8", "1.0-1", "3-3",
                                  "123456789012345-123456789012345.5"])  # fmt: skip
def test_plain_range_reads_as_parse_value_does(text: str) -> None:
    v = parse_value(text).scaled(parse_unit("weeks").factor)
    assert bulk.plain_range(text) == (v.low, v.high, 0, None, text)


@pytest.mark.parametrize("text", ["20-16", "1e3-2e3", "-4-5", "1 - 2", "1–2", "~1-2", "1-2-3"])
def test_plain_range_leaves_the_rest_to_the_thorough_path(text: str) -> None:
    assert bulk.plain_range(text) is None


def test_a_first_import_leaves_just_the_database(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    good = mixed_file(tmp_path / "in" / "m.csv")
    out = tmp_path / "out"
    out.mkdir()
    result = api.import_new(out / "t.db", [str(good)])
    assert result.added == len(stored(out / "t.db")) > 60
    assert sorted(p.name for p in out.iterdir()) == ["t.db"]
    conn = sqlite3.connect(out / "t.db")
    try:  # in WAL mode like every tracker database, though it was filled without one
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    bad = write(
        tmp_path / "in" / "bad.csv", HEADER + "2025,MGC,BT resin,,lead_time,20-16,weeks,,,,\n"
    )
    with pytest.raises(ValidationError):
        api.import_new(out / "u.db", [str(bad)])
    assert sorted(p.name for p in out.iterdir()) == ["t.db"]  # nothing left of u.db


def test_a_database_made_meanwhile_gets_the_rows_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mixed_file(tmp_path / "m.csv")
    target = tmp_path / "t.db"
    real_link = os.link

    def raced(src: str, dst: str) -> None:  # another process creates the target first
        other = Store.open(dst)
        try:
            api.add_observation(other, {"date": "2024", "material": "x", "metric": "price",
                                        "value": "1", "unit": "CNY/t"})  # fmt: skip
        finally:
            other.close()
        real_link(src, dst)

    monkeypatch.setattr(os, "link", raced)
    result = api.import_new(target, [str(path)])
    rows = stored(target)
    assert len(rows) == result.added + 1 and result.existing == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_memory_database_import_is_a_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = mixed_file(tmp_path / "m.csv")
    assert api.import_new(":memory:", [str(path)]).added > 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]


# --- found by review (each names what broke) ------------------------------------------------
H = "date,supplier,material,product,metric,value,unit\n"


def _import(tmp_path: Path, text: str, name: str = "f.csv") -> tuple[Path, list[Problem]]:
    db = tmp_path / f"{name}.db"
    problems, _ = bulk_import(db, write(tmp_path / name, text))
    return db, problems


def test_open_and_closed_figures_of_one_series_and_date_in_a_full_batch(
    tmp_path: Path, tiny: None
) -> None:
    db, problems = _import(tmp_path, H + "2025-07-01,MGC,BT resin,NSA,lead_time,>=6,weeks\n"
                           "2025-07-01,MGC,BT resin,NSA,lead_time,6,weeks\n" * 5)  # fmt: skip
    assert problems == [] and len(stored(db)) == 2  # was: TypeError comparing float and None


def test_a_full_batch_keeps_the_file_order_within_a_series(tmp_path: Path, tiny: None) -> None:
    db, _ = _import(tmp_path, H + "2025-07-01,MGC,BT resin,NSA,lead_time,3.60,weeks\n"
                    "2025-07-01,MGC,BT resin,NSA,lead_time,3.6,weeks\n"
                    "2025-07-02,MGC,BT resin,NSA,lead_time,2,weeks\n"
                    "2025-07-02,MGC,BT resin,NSA,lead_time,14,days\n"
                    "2025-07-03,X,y,,price,1,CNY/t\n" * 3)  # fmt: skip
    entered = [r[11] for r in stored(db) if r[1] == "MGC"]
    assert entered == ["3.60 weeks", "2 weeks"]  # the first of two equal figures is kept


def test_ties_in_the_report_follow_the_file_in_a_full_batch(tmp_path: Path, tiny: None) -> None:
    db, _ = _import(tmp_path, H + "2025-06-01,MGC,BT resin,NSA,lead_time,10,weeks\n"
                    "2025-07,MGC,BT resin,NSA,lead_time,16,weeks\n"
                    "2025-07,MGC,BT resin,NSA,lead_time,12,weeks\n"
                    "2025-08-01,X,y,,price,1,CNY/t\n" * 3)  # fmt: skip
    store = Store.open(db)
    try:
        (row,) = [r for r in api.report_rows(store) if r["supplier"] == "MGC"]
    finally:
        store.close()
    assert (row["last_low"], row["change_low_pct"]) == (12, 20)  # the later line is the latest


def test_the_first_spelling_of_a_new_supplier_stays_its_name(tmp_path: Path, tiny: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    text = (H.rstrip("\n") + ",note\n" + "2025-07-01,foo,bt resin,nsa,lead_time,16,weeks,a note\n"
            "2025-07-02,Foo,BT resin,NSA,lead_time,17,weeks,\n")  # fmt: skip
    monkeypatch.setattr(bulk, "CHUNK", 1)
    db, problems = _import(tmp_path, text, "spell.csv")
    assert problems == []
    assert {(r[1], r[2], r[3]) for r in stored(db)} == {("foo", "bt resin", "nsa")}


@pytest.mark.parametrize("column", ["id", "confidence"])
def test_a_nul_in_a_column_that_is_not_stored_is_still_refused(
    tmp_path: Path, tiny: None, column: str
) -> None:
    rows = "".join(f"2025-07-01,X,y,P{i},price,{i},CNY/t,{i}\n" for i in range(9))
    rows += "2025-07-02,X,y,P1,price,1,CNY/t,7\x00\n"
    _, problems = _import(tmp_path, H.rstrip("\n") + f",{column}\n" + rows)
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'f.csv'}: line 11: contains NUL bytes (a binary file?)"
    ]


def test_a_nul_in_a_record_over_two_lines_is_reported_where_it_is(
    tmp_path: Path, tiny: None
) -> None:
    rows = "".join(f"2025-07-01,X,y,P{i},price,{i},CNY/t,\n" for i in range(9))
    rows += '2025-07-02,X,y,P1,price,1,CNY/t,"two\nli\x00nes"\n'
    _, problems = _import(tmp_path, H.rstrip("\n") + ",quote\n" + rows)
    assert [str(p).split(": ")[1] for p in problems] == ["line 12"]  # the record starts on 11


def test_a_merged_first_import_counts_the_files_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "s.csv", H + "".join(f"2025-07-0{i},X,y,,price,{i},CNY/t\n" for i in range(1, 6))
                 + "2025-07-01,X,y,,price,1,CNY/t\n")  # fmt: skip
    real_link = os.link

    def raced(src: str, dst: str) -> None:  # another process imported the same file first
        other = api.open_store(None)  # the default database, seeded as it is made
        try:
            api.import_files(other, [str(path)])
        finally:
            other.close()
        real_link(src, dst)

    monkeypatch.setattr(os, "link", raced)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the default, seeded database
    assert api.import_new(None, [str(path)]) == (0, 6)  # as a second import would say


def test_a_failed_first_import_leaves_no_folders(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", H + "2025,X,y,,lead_time,20-16,weeks\n")
    with pytest.raises(ValidationError):
        api.import_new(tmp_path / "a" / "b" / "new.db", [str(bad)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_a_rule_that_reads_the_kind_is_applied_by_every_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new rule (a forecast lead time above 52 weeks is refused) is run by the bulk
    reader's lean and row-by-row paths, FastRows and build_observation alike: a figure
    remembered as valid for `observed` is checked again for `forecast`."""
    from tracker import importer

    def no_long_forecasts(value, text, unit, metric, kind):  # type: ignore[no-untyped-def]
        if kind == "forecast" and metric == "lead_time" and (value.high or 0) > 52:
            return f"{text}: a forecast lead time above 52 weeks is not believed"
        return None

    monkeypatch.setattr(importer, "VALUE_RULES", [no_long_forecasts])
    lines = [f"2025-{m:02d}-01,MGC,BT resin,P{m},lead_time,60,weeks,observed" for m in range(1, 13)]
    lines += ["2025-07-02,MGC,BT resin,P1,lead_time,60,weeks,forecast",  # line 14
              "2025-07-03,MGC,BT resin,P1,lead_time,40-60,weeks,forecast",  # line 15
              "2025-07-04,MGC,BT resin,P1,lead_time,40-60,weeks,observed"]  # fmt: skip
    for chunk in (1000, 2):  # whole chunks on the lean path, and row by row
        monkeypatch.setattr(bulk, "CHUNK", chunk)
        head = "date,supplier,material,product,metric,value,unit,kind\n"
        _, problems = _import(tmp_path, head + "\n".join(lines) + "\n", f"k{chunk}.csv")
        assert [(p.line, p.column) for p in problems] == [(14, "value"), (15, "value")]
        assert "a forecast lead time above 52 weeks" in problems[0].reason
    store = Store.open(tmp_path / "add.db")
    try:
        fields = {"date": "2025-07", "material": "x", "metric": "lead_time", "value": "60",
                  "unit": "weeks", "kind": "forecast"}  # fmt: skip
        with pytest.raises(ValidationError, match="above 52 weeks"):
            api.add_observation(store, fields)
        assert api.add_observation(store, {**fields, "kind": "observed"})[0]
    finally:
        store.close()
