"""Exports: the long CSV read by pandas and csv, the --excel flavour, --wide, --xlsx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import HEADER, seeded_synthetic, write

from tracker.export import neutralise
from tracker.values import parse_value

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

EVIL = HEADER + (
    '2025-07-24,=HYPERLINK("http://x"),glass cloth,7628,price,4.1,元/米,,@SUM(A1),"-2+3",+note\n'
    "2025-07-24,Acme,glass cloth,7628,price_change,-5,%,,src,\t tab,\r\n"
)


def test_excel_neutralises_formulas(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(write(tmp_path / "evil.csv", EVIL)))
    raw = run("export", "--excel").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0]["supplier"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["source"] == "'@SUM(A1)"
    assert rows[0]["quote"] == "'-2+3"
    assert rows[0]["note"] == "'+note"
    assert rows[1]["value"] == "-5"  # a number stays a number
    assert rows[1]["quote"] == "'\t tab"
    for row in rows:
        for cell in row.values():
            assert not cell or (
                cell[0] not in "=+@\t\r" and not (cell[0] == "-" and not _num(cell))
            )
    plain = run("export").output
    assert '=HYPERLINK(""http://x"")' in plain  # the plain export is exact text


def _num(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(("cell", "out"), [("=1+1", "'=1+1"), ("-5", "-5"), ("-5-3", "'-5-3"),
                                            ("+3.2", "+3.2"), ("@x", "'@x"), ("a=b", "a=b"), ("", "")])  # fmt: skip
def test_neutralise(cell: str, out: str) -> None:
    assert neutralise(cell) == out


def test_export_read_by_pandas_and_csv(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    path = tmp_path / "x.csv"
    assert run("export", "--excel", "--out", str(path)).exit_code == 0
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"product": str})
    assert len(df) == 37 and df["low"].dtype == float
    assert "年初" in " ".join(df["quote"].dropna())
    lowdk = df[(df["product"] == "Low-Dk") & (df["metric"] == "price")]
    # a range with an en dash (Excel reads 4-6 as a date); the grammar reads it the same
    assert sorted(lowdk["value"]) == ["280000–300000", "320000–350000"]
    assert parse_value("280000–300000") == parse_value("280000-300000")
    with path.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 38


def test_wide(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    rows = list(csv.reader(io.StringIO(run("export", "--wide", "--metric", "price").output)))
    assert rows[0] == ["date", "market | glass cloth 1037 | price (CNY/t)",
                       "market | glass cloth 7628 | price (CNY/m)",
                       "market | glass cloth Low-Dk | price (CNY/t) low",
                       "market | glass cloth Low-Dk | price (CNY/t) high"]  # fmt: skip
    assert rows[1:] == [["2025-01-01", "80000", "3.6", "280000", "300000"],
                        ["2025-07-24", "320000", "4.1", "320000", "350000"]]  # fmt: skip


def test_xlsx(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    run("seed")
    run("import", str(write(tmp_path / "evil.csv", EVIL)))
    path = tmp_path / "x.xlsx"
    assert run("export", "--xlsx", str(path)).exit_code == 0
    wb = load_workbook(path)
    assert wb.sheetnames == ["Lead times", "Prices", "Other figures", "About"]
    ws = wb["Prices"]
    header = [c.value for c in ws[1]]
    lowdk = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]
    lowdk = [r for r in lowdk if r["product"] == "Low-Dk"]
    assert sorted((r["low"], r["high"]) for r in lowdk) == [(280000, 300000), (320000, 350000)]
    evil = next(
        row for row in ws.iter_rows(min_row=2) if row[3].value and row[3].value.startswith("=")
    )
    assert evil[3].data_type == "s"  # text, not a formula


def test_libreoffice_reads_excel_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    run("seed")
    src = tmp_path / "x.csv"
    run("export", "--excel", "--out", str(src))
    out = tmp_path / "out"
    # Headless conversion skips the import dialog that detects the BOM, so the
    # filter options name UTF-8 (76) as the dialog would: comma, quote, charset, line 1.
    r = subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out), str(src)],
                       capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    ws = load_workbook(out / "x.xlsx").active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["id", "date", "supplier"]  # the BOM is read as a BOM, not as text
    quotes = " ".join(str(r[12]) for r in rows[1:])
    assert "年初3.6元/米" in quotes  # Chinese intact
    lowdk = [r for r in rows[1:] if r[4] == "Low-Dk" and r[5] == "price"]
    assert sorted((r[7], r[8]) for r in lowdk) == [(280000, 300000), (320000, 350000)]  # numbers


def _export(store, **kw) -> tuple[bytes, int]:  # type: ignore[no-untyped-def]
    import tempfile

    from tracker import api

    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        n = api.export_csv(store, text, **kw)
        text.flush()
        raw.seek(0)
        return raw.read(), n


@pytest.mark.parametrize("excel", [False, True])
def test_an_export_is_every_selected_observation_once(tmp_path: Path, excel: bool) -> None:
    from tracker.store import Filters

    store = seeded_synthetic(tmp_path, 3000)
    try:
        for filters in (Filters(), Filters(metric="price"), Filters(supplier="MGC")):
            data, n = _export(store, filters=filters, excel=excel)
            lines = data.decode("utf-8-sig").split("\r\n")
            assert n == len(store.observations(filters)) == len(lines) - 2  # header, last \r\n
        assert _export(store)[1] == store.count()
    finally:
        store.close()


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tracker.export import CsvCells  # noqa: E402
from tracker.values import float_text  # noqa: E402

_CELL = st.one_of(
    st.none(),
    st.text(),
    st.sampled_from(['a,b', 'say "x"', "two\nlines", "cr\r", "", " ", "\x00"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 16.0, 1e15, 1e16, 1e17, 2.5e-7, 10**16, 10**17]),
)


@given(st.lists(st.lists(_CELL, min_size=2, max_size=6), max_size=8))
def test_csv_cells_write_what_the_csv_module_writes(rows: list[list[object]]) -> None:
    """The report's and the export's CSV lines, one remembered text per distinct cell,
    are the csv module's lines with floats in float_text's form (one memo shared by
    every row, so an int and an equal float, 1 and 1.0 or 10**17 and 1e17, meet)."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(
        [[float_text(c) if isinstance(c, float) else c for c in r] for r in rows]
    )
    cells = CsvCells()
    assert "".join(cells.line(r) for r in rows) == buf.getvalue()


def test_the_export_writes_what_the_csv_module_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """write_export (one remembered text per distinct cell, dropped as it grows) against
    the csv module on rows with quotes, commas, line breaks and empty cells."""
    from tracker import export

    monkeypatch.setattr(export, "_REMEMBERED", 3)
    rows = [
        (i, "2025-07", f"S{i % 3}", 'a "b", c', None, "price", "4-6", "4", "6", "CNY/t",
         "observed", None if i % 2 else "src, 2", "line\nbreak" if i % 5 == 0 else None,
         "", "4-6 CNY/t", "2025-08-01T00:00:00Z")
        for i in range(1, 12_000)
    ]  # fmt: skip
    want = io.StringIO(newline="")
    csv.writer(want, lineterminator="\r\n").writerows([export.EXPORT_HEADER, *rows])
    got = io.StringIO(newline="")
    assert export.write_export(got, iter(rows)) == len(rows)
    assert got.getvalue() == want.getvalue()


def test_the_export_tells_its_progress_every_20000_rows() -> None:
    from tracker import export

    told: list[int] = []
    rows = ((i, "2025-07", None) for i in range(1, 45_001))
    assert export.write_export(io.StringIO(newline=""), rows, told.append) == 45_000
    assert told == [20_000, 40_000]
