"""Import: valid files land, bad files are refused whole with FILE:LINE: column: reason."""

from __future__ import annotations

from pathlib import Path

from conftest import HEADER, dump, write

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

GOOD = HEADER + (
    "2025-01-01,,glass cloth,7628,price,3.6,元/米,,src,年初3.6元/米,\n"
    "2025-07-24,,glass cloth,7628,price,4.1,元/米,,src,攀升至4.1元/米,\n"
    "2025-07-24,三菱瓦斯化学,BT resin,NSA,lead_time,4-6,周,,src,,\n"
)


def test_import_then_again_adds_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "good.csv", GOOD)
    r = run("import", str(f))
    assert r.exit_code == 0, r.output
    assert r.output == "3 added, 0 already there\n"
    r = run("import", str(f))
    assert r.output == "0 added, 3 already there\n"


def test_alias_resolves_and_units_normalise(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "a.csv", HEADER + "2025-07,Mitsubishi Gas Chemical,BT resin,,lead_time,14-21,days,,,,\n"
              "2025-01,,glass cloth,Low-Dk,price,28-30,万元/吨,,,,\n")  # fmt: skip
    assert run("import", str(f)).exit_code == 0
    out = run("export").output.splitlines()
    assert out[0] == ("id,date,supplier,material,product,metric,value,low,high,unit,kind,"
                      "source,quote,note,entered,recorded_at")  # fmt: skip
    assert out[1].startswith("1,2025-07,MGC,BT resin,,lead_time,2-3,2,3,weeks,observed,,,,14-21 days,")
    assert out[2].startswith("2,2025-01,,glass cloth,Low-Dk,price,280000-300000,280000,300000,CNY/t,")
    assert ",28-30 万元/吨," in out[2]


def test_bad_rows_are_all_reported_and_nothing_changes(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("import", str(write(tmp_path / "good.csv", GOOD))).exit_code == 0
    before = db.read_bytes() if isinstance(db, Path) else None  # the file, byte for byte
    dump_before = dump(db)
    bad = write(
        tmp_path / "bad.csv",
        HEADER
        + "2025-07-24,,glass cloth,7628,price,5.0,元/米,,src,,\n"  # fine on its own
        + "2025-02-30,,glass cloth,7628,price,5.0,元/米,,src,,\n"
        + "2025-07-24,MGC,BT resin,NSA,lead_time,20-16,weeks,,,,\n"
        + '2025-07-24,MGC,BT resin,NSA,lead_time,4,weeks,,,"a quote\nover two lines",\n'
        + "2025-07-24,MGC,BT resin,NSA,lead_time,-4,weeks,,,,\n"
        + "2025-07-24,MGC,BT resin,NSA,Lead Time,4,parsecs,actual,,,\n",
    )
    r = run("import", str(bad))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{bad}:3: date: '2025-02-30' is not a real date",
        f"{bad}:4: value: '20-16' has low > high",
        f"{bad}:7: value: '-4' is negative; a lead time is never negative",
        f"{bad}:8: metric: 'Lead Time' is not a snake_case name (like lead_time, price, market_share)",
        f"{bad}:8: unit: unknown unit 'parsecs' (see `tracker units` for the known units)",
        f"{bad}:8: kind: 'actual' is not one of observed, baseline, announced, forecast",
    ]
    assert "Traceback" not in r.output
    assert dump(db) == dump_before
    assert before is None or db.read_bytes() == before


def test_many_files_are_all_or_nothing(run, db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(write(tmp_path / "seed.csv", GOOD)))
    before = dump(db)
    ok = write(tmp_path / "ok.csv", HEADER + "2025-08,,glass cloth,7628,price,4.5,CNY/m,,,,\n")
    bad = write(tmp_path / "bad.csv", HEADER + "2025-08,,glass cloth,7628,price,x,CNY/m,,,,\n")
    r = run("import", str(ok), str(bad))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"{bad}:2: value: 'x' is not a value")
    assert dump(db) == before


def test_header_problems(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "h.csv", "date,suplier,material,metric,value\n2025,x,y,price,1\n")
    r = run("import", str(f))
    assert r.exit_code == 1
    assert f"{f}:1: suplier: unknown column (columns are: date, supplier," in r.stderr
    assert f"{f}:1: unit: missing required column" in r.stderr


def test_header_only_is_valid(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = run("import", str(write(tmp_path / "h.csv", HEADER)))
    assert (r.exit_code, r.output) == (0, "0 added, 0 already there\n")


def test_empty_file_is_an_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "empty.csv"
    f.write_bytes(b"")
    r = run("import", str(f))
    assert r.exit_code == 1
    assert r.stderr == f"{f}: file is empty (0 bytes; expected a header row)\n"


def test_bom_and_crlf_from_excel(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "excel.csv"
    f.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    r = run("import", str(f))
    assert r.output == "3 added, 0 already there\n"


def test_gb18030_needs_encoding_and_then_works(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write(tmp_path / "gb.csv", GOOD, encoding="gb18030")
    r = run("import", str(f))
    assert r.exit_code == 1
    assert "try --encoding gb18030" in r.stderr
    assert r.stderr.startswith(f"{f}:")
    r = run("import", "--encoding", "gb18030", str(f))
    assert r.output == "3 added, 0 already there\n"
    assert "年初3.6元/米" in run("export").output


def test_value_and_bounds_columns(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = "date,material,metric,value,low,high,unit\n"
    f = write(tmp_path / "b.csv", head + "2025,x,lead_time,,12,,weeks\n2025,y,lead_time,>12,12,,weeks\n"
              "2025,z,lead_time,16-20,16,21,weeks\n")  # fmt: skip
    r = run("import", str(f))
    assert r.exit_code == 1
    assert r.stderr == f"{f}:4: high: low/high (16, 21) disagree with value '16-20'\n"


def test_stdin(run) -> None:  # type: ignore[no-untyped-def]
    r = run("import", "-", input=GOOD)
    assert r.output == "3 added, 0 already there\n"


def test_missing_file_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    r = run("import", "nope.csv")
    assert r.exit_code == 2


def test_bounds_columns_are_blamed_by_name(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = "date,material,metric,low,high,unit\n"
    f = write(tmp_path / "b.csv", head + "2025,x,lead_time,20,16,weeks\n2025,x,lead_time,abc,5,weeks\n"
              "2025,x,lead_time,-2,,weeks\n2025,x,price,1e308,,万元/吨\n2025,x,lead_time,12,,weeks\n")  # fmt: skip
    r = run("import", str(f))
    assert r.stderr.splitlines() == [
        f"{f}:2: low: low '20' > high '16'",
        f"{f}:3: low: 'abc' is not a number",
        f"{f}:4: low: '-2' is negative; a lead time is never negative",
        f"{f}:5: low: '>=1e308' overflows when converted to CNY/t",
    ]
