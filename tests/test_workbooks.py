"""Workbooks (issue 13, item 3): the --xlsx layout, read by openpyxl and by LibreOffice,
and the README's command table against the real options."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from conftest import tracker_exe

README = Path(__file__).parent.parent / "README.md"


def sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tracker_exe(), *args], capture_output=True, text=True, check=False)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    db = tmp_path / "x.db"
    assert sh("--db", str(db), "seed").returncode == 0
    path = tmp_path / "w.xlsx"
    r = sh("--db", str(db), "export", "--xlsx", str(path))
    assert r.returncode == 0 and r.stderr == f"wrote 37 observations to {path}\n"
    return path


def _records(ws) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_three_data_sheets_and_about(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    assert wb.sheetnames == ["Lead times", "Prices", "Other figures", "About"]
    sizes = {name: wb[name].max_row - 1 for name in wb.sheetnames[:3]}
    assert sizes == {"Lead times": 6, "Prices": 6, "Other figures": 25}
    assert {r["metric"] for r in _records(wb["Lead times"])} == {"lead_time"}
    other = {r["metric"] for r in _records(wb["Other figures"])}
    assert "price" not in other and {"capacity", "market_share", "price_change"} <= other
    about = {r["item"]: r["value"] for r in _records(wb["About"]) if r["item"]}
    assert about["database"] == str(book.parent / "x.db")
    assert about["filters"] == "(none: everything)" and about["latest figure"] == "2030-12-31"
    assert about["sheet Prices"] == "6 observations"
    assert about["AI算力与高阶应用需求激增 封装基板材料或开启涨价潮"] == 37  # the one source


def test_header_styled_frozen_filtered_and_sized(book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(book)["Prices"]
    head = ws["A1"]
    assert head.font.b and head.fill.fgColor.rgb == "FFDDE4EE" and head.border.bottom.style == "thin"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:Q7"
    assert ws.column_dimensions["N"].width == 40  # the quote
    assert ws["B2"].font.b is False  # data rows are plain


def test_real_dates_with_their_precision(book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(book)
    prices = _records(wb["Prices"])
    first = next(r for r in prices if r["product"] == "7628")
    assert first["date"] == datetime(2025, 1, 1) and first["precision"] == "day"
    assert wb["Prices"]["B2"].is_date and wb["Prices"]["B2"].number_format == "yyyy-mm-dd"
    other = _records(wb["Other figures"])
    yarn = next(r for r in other if r["supplier"] == "China Jushi")
    assert (yarn["date"], yarn["precision"]) == (datetime(2026, 1, 1), "year")  # 2026
    assert (yarn["value"], yarn["low"], yarn["unit"]) == (80000, 80000, "t/year")
    lowdk = [r for r in prices if r["product"] == "Low-Dk"]
    assert [(r["value"], r["low"], r["high"]) for r in lowdk] == [
        ("280000-300000", 280000, 300000), ("320000-350000", 320000, 350000)]  # fmt: skip


def test_filters_are_named_on_the_about_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db = tmp_path / "x.db"
    sh("--db", str(db), "seed")
    path = tmp_path / "mgc.xlsx"
    assert sh("--db", str(db), "export", "--xlsx", str(path), "--supplier", "MGC",
              "--since", "2025-07").returncode == 0  # fmt: skip
    wb = load_workbook(path)
    assert wb.sheetnames == ["Lead times", "Other figures", "About"]
    about = {r["item"]: r["value"] for r in _records(wb["About"]) if r["item"]}
    assert about["filters"] == "--supplier MGC --since 2025-07"


def _office() -> str:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return office


def _uno_python() -> str:
    _office()
    for python in ("/usr/bin/python3", shutil.which("python3") or ""):
        if python and subprocess.run([python, "-c", "import uno"], capture_output=True,
                                     check=False).returncode == 0:  # fmt: skip
            return python
    pytest.skip("LibreOffice's Python bridge is not installed (apt-get install python3-uno)")


def test_libreoffice_opens_it_with_the_header_frozen_and_dates_as_dates(
    book: Path, tmp_path: Path
) -> None:
    """LibreOffice itself, driven through UNO: the view of each sheet and its cells."""
    import json

    probe = Path(__file__).parent / "lo_probe.py"
    r = subprocess.run([_uno_python(), str(probe), str(book), str(tmp_path / "lo")],
                       capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    sheets = {s["name"]: s for s in json.loads(r.stdout)}
    assert list(sheets) == ["Lead times", "Prices", "Other figures", "About"]
    for name in ("Lead times", "Prices", "Other figures"):
        s = sheets[name]
        assert s["frozen"] and s["split_row"] == 1 and s["autofilter"], s
        assert s["b2_type"] == "VALUE" and s["b2_format"] == "YYYY-MM-DD", s  # a date
    prices = sheets["Prices"]
    assert prices["b2_text"] == "2025-01-01" and prices["b2_value"] == 45658  # its day number


def test_readme_command_table_lists_every_export_and_report_option() -> None:
    from tracker.cli import cli

    text = README.read_text(encoding="utf-8")
    for command in ("export", "report", "chart"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `tracker {command}`"))
        filters = {"supplier", "material", "product", "metric", "since", "until"}
        for p in cli.commands[command].params:
            if p.name in filters or p.name == "help":
                continue
            flag = max(p.opts, key=len)
            assert re.search(rf"`{re.escape(flag)}\b", row), (command, flag)
    assert "LibreOffice" in text and "semicolon" in text


# --- item 5: files as users expect (tracker/output.py, issue 14) --------------------------------


def test_every_output_replaced_keeps_its_mode_and_a_new_one_follows_the_umask(
    tmp_path: Path,
) -> None:
    """test_hardening covers new files of each command and a replaced export; here each
    output a person sends on is replaced: the briefing, the workbook, a chart."""
    import os
    import stat

    db = tmp_path / "x.db"
    sh("--db", str(db), "seed")
    outputs = {
        "b.html": ["report", "--format", "html", "--no-charts", "--out"],
        "b.md": ["report", "--format", "markdown", "--out"],
        "r.csv": ["report", "--format", "csv", "--currency", "USD", "--out"],
        "w.xlsx": ["export", "--xlsx"],
        "wide.csv": ["export", "--wide", "--currency", "EUR", "--out"],
    }

    def run_all(mask: int) -> None:
        for name, args in outputs.items():
            r = subprocess.run([tracker_exe(), "--db", str(db), *args, str(tmp_path / name)],
                               capture_output=True, text=True, check=False,
                               preexec_fn=lambda: os.umask(mask))  # fmt: skip
            assert r.returncode == 0, (name, r.stderr)

    run_all(0o002)
    assert {n: stat.S_IMODE((tmp_path / n).stat().st_mode) for n in outputs} == dict.fromkeys(
        outputs, 0o664
    )
    for n in outputs:
        (tmp_path / n).chmod(0o640)
    run_all(0o077)  # a tighter umask does not narrow a file that is replaced
    assert {n: stat.S_IMODE((tmp_path / n).stat().st_mode) for n in outputs} == dict.fromkeys(
        outputs, 0o640
    )


# --- item 3: what LibreOffice does with a CSV ------------------------------------------------------


def test_libreoffice_reads_a_plain_4_6_as_text_and_iso_dates_as_dates(tmp_path: Path) -> None:
    """Why --excel writes ranges with an en dash although LibreOffice would not need it:
    LibreOffice (its import defaults: detect special numbers off) keeps 4-6 as text;
    Excel reads it as 6 April.  Both read an ISO date as a date."""
    from openpyxl import load_workbook

    src = tmp_path / "t.csv"
    src.write_text('range,date,note\n4-6,2025-07-24,"a;b"\n', encoding="utf-8")
    r = subprocess.run([_office(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--infilter=CSV:9/44/59,34,76,1", "--convert-to", "xlsx", "--outdir",
                        str(tmp_path / "out"), str(src)],
                       capture_output=True, text=True, timeout=180, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    ws = load_workbook(tmp_path / "out" / "t.xlsx").active
    assert (ws["A2"].value, ws["A2"].data_type) == ("4-6", "s")
    assert ws["B2"].is_date and ws["B2"].value == datetime(2025, 7, 24)
    assert ws["C2"].value == "a;b" and ws["D2"].value is None  # quoted: ";" splits nothing


def test_report_csv_excel_with_rates_keeps_numbers_bare(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    sh("--db", str(db), "seed")
    r = sh("--db", str(db), "report", "--format", "csv", "--excel", "--currency", "USD",
           "--product", "7628", "--metric", "price")  # fmt: skip
    import csv

    head, row = r.stdout.lstrip("\ufeff").splitlines()
    raw = re.findall(r'("(?:[^"]|"")*"|[^,]*)(?:,|$)', row)[: len(next(csv.reader([head])))]
    cells = dict(zip(next(csv.reader([head])), raw, strict=True))
    assert cells["entered_unit"] == '"CNY/m"' and cells["last_rate_date"] == "2025-07-24"
    assert float(cells["last_rate"]) == pytest.approx(1.1756 / 8.4142)  # a bare number
