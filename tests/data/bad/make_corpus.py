"""Generate the bad-input corpus for `tracker import` (and a few edge-case valid files).

Usage: python make_corpus.py [OUT_DIR]     (default: the folder this script is in)

Stdlib only and deterministic: running it twice, anywhere, gives byte-identical
files.  Besides the corpus files it writes ``expected.json``, mapping each file
name to what `tracker --db DB import FILE` must do (run with cwd = the corpus
folder, so messages carry bare file names):

    exit             expected exit code (0 valid, 1 invalid input)
    stderr_contains  substrings that must all appear in stderr
    stdout_contains  substrings that must all appear in stdout (optional)
    stderr_not_contains  substrings that must not appear in stderr (optional)
    stderr_lines     exact number of non-empty stderr lines (optional)
    args             extra CLI args after the file names (optional), e.g. --encoding gb18030
    extra_files      further corpus files passed after this one (optional)
    known_bug        the tool does not do this yet; the test xfails it (optional)
    what             one line saying what the case is about

Expectations say what the CONTRACT asks for (/work/shared/CONTRACT.md sections 3
and 5), not what the tool happens to print: a case the tool gets wrong carries
``known_bug`` instead of a weakened expectation.
"""

from __future__ import annotations

import json
import random
import sys
import zipfile
from io import BytesIO
from pathlib import Path

HDR = "date,supplier,material,product,metric,value,unit"
HDR_Q = HDR + ",quote"
HDR_LH = "date,supplier,material,product,metric,value,low,high,unit"
HDR_K = HDR + ",kind"

# Valid rows that are NOT in the test's starting database: if a refused import
# leaked any of them, the database hash would change.
G1 = "2025-08-01,MGC,BT resin,NSA,lead_time,5-7,weeks"
G2 = "2025-08-01,Resonac,glass cloth,1037,price,31-33,万元/吨"
G3 = "2025-Q3,Nittobo,glass cloth,7628,lead_time,>=12,weeks"
G4 = "2025-09,,ABF substrate,,capacity,12,%"
G5 = "2025,Ajinomoto,ABF substrate,,price,~15,USD/m2"

CHINESE_ROWS = (
    "2025-07-24,三菱瓦斯化学,BT树脂,NSA,lead_time,4-6,周,普通规格(NSA系列)的交期也延长至4-6周。",
    "2025-08,宏和科技,玻纤布,Low-Dk,price,28-30,万元/吨,价格上涨至每吨28-30万元。",
)




def lines(*rows: str, nl: str = "\n") -> bytes:
    """UTF-8 text, one row per line, each ending in `nl`."""
    return "".join(r + nl for r in rows).encode("utf-8")


def bad(what: str, *stderr: str, exit: int = 1, **extra: object) -> dict[str, object]:
    return {"what": what, "exit": exit, "stderr_contains": list(stderr), **extra}


def good(what: str, *stdout: str, **extra: object) -> dict[str, object]:
    return {
        "what": what,
        "exit": 0,
        "stderr_contains": [],
        "stdout_contains": list(stdout),
        **extra,
    }


def one_bad_row(row: str, header: str = HDR) -> bytes:
    """Header, one valid row, then the bad row on line 3."""
    good_row = {HDR: G1, HDR_K: G1 + ",observed", HDR_Q: G1 + ",ok"}.get(header)
    if good_row is None:  # low/high header
        good_row = "2025-08-01,MGC,BT resin,NSA,lead_time,,5,7,weeks"
    return lines(header, good_row, row)


def xlsx_bytes() -> bytes:
    """A tiny zip shaped like an .xlsx (what users get when they rename a workbook)."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for name, text in (
            ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
            ("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets/></workbook>'),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>" * 20),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, text)
    return buf.getvalue()


def cases() -> dict[str, tuple[bytes, dict[str, object]]]:
    c: dict[str, tuple[bytes, dict[str, object]]] = {}

    def add(name: str, data: bytes, exp: dict[str, object]) -> None:
        assert name not in c, name
        c[name] = (data, exp)

    # --- CSV structure ------------------------------------------------------
    add(
        "truncated_quote_eof.csv",
        lines(HDR_Q, G1 + ",fine") + b'2025-08-02,MGC,BT resin,NSA,lead_time,6,weeks,"cut off',
        bad(
            "unterminated quote at EOF: the record starting on line 3 never ends",
            "truncated_quote_eof.csv: line 3: ",
            "malformed CSV",
        ),
    )
    add(
        "truncated_quote_eof_multiline.csv",
        lines(HDR_Q, G1 + ",fine", '2025-08-02,MGC,BT resin,NSA,lead_time,6,weeks,"line one', "")
        + b"line three\nline four",
        bad(
            "unterminated quote spanning several lines: reported where it starts",
            "truncated_quote_eof_multiline.csv: line 3: ",
            "malformed CSV",
        ),
    )
    add(
        "ragged_too_many.csv",
        lines(HDR, G1, G2 + ",extra,fields", G3),
        bad(
            "a row with 9 fields under a 7-column header",
            "ragged_too_many.csv:3: ",
            "ragged_too_many.csv:3: field 8: has no column: the row has 9 fields, the header 7",
            stderr_lines=1,
        ),
    )
    add(
        "ragged_too_few.csv",
        lines(HDR, G1, "2025-08-01,MGC,BT resin,NSA,lead_time", G3),
        bad(
            "a row with 5 fields under a 7-column header",
            "ragged_too_few.csv:3: ",
            "ragged_too_few.csv:3: value: missing: the row has 5 fields, the header 7",
            stderr_lines=1,
        ),
    )
    add(
        "stray_quote.csv",
        lines(HDR, G1, '2025-08-01,MGC,"BT resin"x,NSA,lead_time,5,weeks'),
        bad("text after a closing quote", "stray_quote.csv: line 3: ", "malformed CSV", stderr_lines=1),
    )
    add(
        "semicolon_separated.csv",
        lines(HDR.replace(",", ";"), G1.replace(",", ";")),
        bad(
            "European Excel: semicolons",
            "semicolon_separated.csv:1: ",
            "separated by semicolons",
            "comma separated",
        ),
    )
    add(
        "tab_separated.csv",
        lines(HDR.replace(",", "\t"), G1.replace(",", "\t")),
        bad("TSV", "tab_separated.csv:1: ", "separated by tabs", "comma separated"),
    )
    add(
        "empty_0_bytes.csv",
        b"",
        bad("0-byte file: a file-level error", "empty_0_bytes.csv: ", "empty"),
    )
    add(
        "header_only.csv",
        lines(HDR),
        good("header and nothing else is valid: 0 added", "0 added"),
    )
    add(
        "blank_lines_only.csv",
        b"\n\n\n\n",
        bad(
            "only blank lines: no header row",
            "blank_lines_only.csv: ",
            "no header row",
            stderr_lines=1,
        ),
    )
    add(
        "whitespace_lines_only.csv",
        b"   \n\t\n  \n",
        bad(
            "only whitespace lines: no header row",
            "whitespace_lines_only.csv: ",
            "no header row",
            stderr_lines=1,
        ),
    )
    add(
        "bom_only.csv",
        b"\xef\xbb\xbf",
        bad("a UTF-8 BOM and nothing else", "bom_only.csv: ", "no header row", stderr_lines=1),
    )
    add(
        "header_whitespace_names.csv",
        lines("  ,   ,    ,  ", " , , , "),
        bad(
            "a header whose names are all whitespace",
            "header_whitespace_names.csv:1: ",
            "date: missing required column",
            "unit: missing required column",
        ),
    )
    add(
        "header_trailing_comma.csv",
        lines(HDR + ",", G1 + ","),
        good("a trailing comma (an unnamed, empty column) is ignored", "1 added"),
    )
    add(
        "unnamed_column_with_value.csv",
        lines(HDR + ",", G1 + ",", G2 + ",oops"),
        bad(
            "an unnamed column that holds a value: the value would be lost",
            "unnamed_column_with_value.csv:3: column 8: has a value but no name in the header",
        ),
    )
    add(
        "repeated_header.csv",
        lines(HDR, G1, G2, HDR, G3),
        bad(
            "two files concatenated: the header again on line 4",
            "repeated_header.csv:4: date: 'date' is not a date",
            "repeated_header.csv:4: unit: ",
        ),
    )
    add(
        "header_case_and_spaces.csv",
        lines(" Date , Supplier ,MATERIAL,Product,Metric ,VALUE,Unit", G1),
        good("header names are matched case- and space-insensitively", "1 added"),
    )

    # --- header columns -----------------------------------------------------
    for col in ("date", "material", "metric", "unit"):
        names = [n for n in HDR.split(",") if n != col]
        keep = [i for i, n in enumerate(HDR.split(",")) if n != col]
        row = ",".join(G1.split(",")[i] for i in keep)
        add(
            f"missing_column_{col}.csv",
            lines(",".join(names), row),
            bad(
                f"required column {col} absent",
                f"missing_column_{col}.csv:1: {col}: missing required column",
                stderr_lines=1,
            ),
        )
    add(
        "missing_column_value_low_high.csv",
        lines(
            "date,supplier,material,product,metric,unit",
            "2025-08-01,MGC,BT resin,NSA,lead_time,weeks",
        ),
        bad(
            "neither value nor low/high",
            "missing_column_value_low_high.csv:1: value: missing required column",
            stderr_lines=1,
        ),
    )
    add(
        "duplicate_column.csv",
        lines(HDR + ",value", G1 + ",6"),
        bad("value twice", "duplicate_column.csv:1: value: duplicate column"),
    )
    add(
        "unknown_column_suplier.csv",
        lines(HDR.replace("supplier", "suplier"), G1),
        bad(
            "typo in a column name",
            "unknown_column_suplier.csv:1: suplier: unknown column",
            stderr_lines=1,
        ),
    )
    add(
        "double_bom.csv",
        b"\xef\xbb\xbf" + b"\xef\xbb\xbf" + lines(HDR, G1),
        good("two UTF-8 BOMs (a re-saved Excel file): the second is stripped too", "1 added"),
    )

    # --- encodings and bytes ------------------------------------------------
    rnd = random.Random(20250724)
    add(
        "binary_garbage.csv",
        rnd.randbytes(4096),
        bad("4 KiB of random bytes (seed 20250724)", "binary_garbage.csv:", "binary file"),
    )
    add(
        "excel_xlsx_renamed.csv",
        xlsx_bytes(),
        bad("an .xlsx workbook renamed to .csv (a zip)", "excel_xlsx_renamed.csv:"),
    )
    add(
        "nul_in_middle.csv",
        lines(HDR, G1, "2025-08-01,MGC,BT re\x00sin,NSA,price,30,CNY/t", G3),
        bad("a NUL byte inside a row", "nul_in_middle.csv: line 3: ", "NUL"),
    )
    text = "\n".join((HDR_Q, *CHINESE_ROWS)) + "\n"
    add(
        "utf16le_bom.csv",
        b"\xff\xfe" + text.encode("utf-16-le"),
        bad(
            "UTF-16 LE with BOM (Excel 'Unicode text')",
            "utf16le_bom.csv: ",
            "UTF-16",
            "--encoding utf-16",
        ),
    )
    add(
        "utf16be_bom.csv",
        b"\xfe\xff" + text.encode("utf-16-be"),
        bad("UTF-16 BE with BOM", "utf16be_bom.csv: ", "UTF-16"),
    )
    add(
        "utf16le_nobom.csv",
        text.encode("utf-16-le"),
        bad(
            "UTF-16 LE without BOM, Chinese text: the message should say UTF-16",
            "utf16le_nobom.csv:",
            "UTF-16",
        ),
    )
    add(
        "utf16le_nobom_ascii.csv",
        "\n".join((HDR, G1, G3)).encode("utf-16-le") + "\n".encode("utf-16-le"),
        bad(
            "UTF-16 LE without BOM, ASCII text: NUL bytes", "utf16le_nobom_ascii.csv: line 1: ", "UTF-16"
        ),
    )
    add(
        "utf16le_bom_with_encoding.csv",
        b"\xff\xfe" + text.encode("utf-16-le"),
        good(
            "UTF-16 LE with BOM and --encoding utf-16 is fine",
            "2 added",
            args=["--encoding", "utf-16"],
        ),
    )
    add(
        "gb18030_chinese.csv",
        text.encode("gb18030"),
        bad(
            "Chinese Excel CSV (GB18030) without --encoding: the message suggests gb18030",
            "gb18030_chinese.csv: line 2: ",
            "not valid utf-8",
            "--encoding gb18030",
        ),
    )
    add(
        "gb18030_with_encoding.csv",
        text.encode("gb18030"),
        good(
            "the same GB18030 file with --encoding gb18030",
            "2 added",
            args=["--encoding", "gb18030"],
        ),
    )
    add(
        "cp1252_latin.csv",
        lines(HDR, G1)
        + "2025-08-01,Société Générale Verre,glass cloth,7628,price,12,EUR/m\n".encode("cp1252"),
        bad("Western Excel (cp1252) bytes on line 3", "cp1252_latin.csv: line 3: ", "not valid utf-8"),
    )
    add(
        "excel_bom_crlf.csv",
        b"\xef\xbb\xbf"
        + lines(
            HDR_Q,
            *CHINESE_ROWS,
            '2025-09-01,MGC,BT resin,NS,lead_time,16–20,weeks,"first line\r\nsecond line"',
            nl="\r\n",
        ),
        good("Excel 'CSV UTF-8': BOM, CRLF, a CRLF inside a quoted cell", "3 added"),
    )
    add(
        "bare_cr_line_endings.csv",
        lines(HDR, G1, "2025-08-01,MGC,BT resin,NSA,lead_time,5,parsecs", G3, nl="\r"),
        bad(
            "old Mac line endings (CR only): the bad row is still line 3",
            "bare_cr_line_endings.csv:3: unit: ",
            stderr_lines=1,
        ),
    )

    # --- a 10 MB field ------------------------------------------------------
    big = "9" * (10 * 1024 * 1024)
    add(
        "huge_field_10mb.csv",
        lines(HDR_Q, G1 + ",short", f"2025-08-01,MGC,BT resin,NSA,price,{big},CNY/t,short"),
        bad(
            "a 10 MB value cell (10 Mi nines): refused on line 3, and the message stays short",
            "huge_field_10mb.csv:3: value: ",
            stderr_max_bytes=4096,
        ),
    )

    # --- dates --------------------------------------------------------------
    for name, date, reason in (
        ("date_month_13.csv", "2025-13-01", "is not a real date"),
        ("date_feb_30.csv", "2025-02-30", "is not a real date"),
        ("date_feb_29_not_leap.csv", "2025-02-29", "is not a real date"),
        ("date_month_00.csv", "2025-00", "is not a real month"),
        ("date_quarter_5.csv", "2025-Q5", "is not a date"),
        ("date_two_digit_year.csv", "25-01-01", "is not a date"),
        ("date_month_name.csv", "July 2025", "is not a date"),
        ("date_slashes.csv", "2025/08/01", "is not a date"),
        ("date_with_time.csv", "2025-08-01T10:00:00", "is not a date"),
        ("date_year_1899.csv", "1899-12-31", "before 1900"),
    ):
        row = G1.replace("2025-08-01", date, 1)
        add(
            name,
            one_bad_row(row),
            bad(f"date {date!r}", f"{name}:3: date: '{date}'", reason, stderr_lines=1),
        )
    add(
        "date_empty.csv",
        one_bad_row(G1.replace("2025-08-01", "", 1)),
        bad("empty date", "date_empty.csv:3: date: is empty", stderr_lines=1),
    )

    # --- values -------------------------------------------------------------
    def value_case(
        name: str, value: str, unit: str, metric: str, *expect: str, **kw: object
    ) -> None:
        row = f"2025-08-01,MGC,BT resin,NSA,{metric},{value},{unit}"
        add(name, one_bad_row(row), bad(f"{metric} {value!r} {unit}", *expect, **kw))

    value_case(
        "value_reversed_range.csv", "20-16", "weeks", "lead_time",
        "value_reversed_range.csv:3: value: '20-16' has low > high", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "value_reversed_range_endash.csv", "20–16", "weeks", "lead_time",
        "value_reversed_range_endash.csv:3: value: '20–16' has low > high", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "price_negative.csv", "-5", "CNY/t", "price",
        "price_negative.csv:3: value: '-5' is negative", "price", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "lead_time_negative.csv", "-2", "weeks", "lead_time",
        "lead_time_negative.csv:3: value: '-2' is negative", "lead time", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "price_negative_range.csv", "-5-10", "CNY/t", "price",
        "price_negative_range.csv:3: value: ", "negative", stderr_lines=1,
    )  # fmt: skip
    for name, v in (
        ("value_nan.csv", "nan"),
        ("value_inf.csv", "inf"),
        ("value_minus_inf.csv", "-inf"),
        ("value_decimal_comma.csv", '"3,6"'),
        ("value_with_unit_text.csv", "16 weeks"),
        ("value_unicode_minus.csv", "−5"),
    ):
        shown = v.strip('"')
        value_case(
            name, v, "CNY/t", "price", f"{name}:3: value: '{shown}' is not a", stderr_lines=1
        )
    value_case(
        "value_1e400.csv", "1e400", "CNY/t", "price",
        "value_1e400.csv:3: value: '1e400' is not a finite number", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "value_approx_allocation.csv", "~allocation", "weeks", "lead_time",
        "value_approx_allocation.csv:3: value: ", "allocation cannot be approximate",
        stderr_lines=1,
    )  # fmt: skip
    value_case(
        "overflow_1e308_wanyuan.csv", "1e308", "万元/吨", "price",
        "overflow_1e308_wanyuan.csv:3: value: '1e308' overflows", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "overflow_1e306_per_kg.csv", "1e306", "USD/kg", "price",
        "overflow_1e306_per_kg.csv:3: value: '1e306' overflows", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "overflow_1e308_months.csv", "1e308", "months", "lead_time",
        "overflow_1e308_months.csv:3: value: '1e308' overflows", stderr_lines=1,
    )  # fmt: skip
    add(
        "overflow_low_high_wanyuan.csv",
        one_bad_row("2025-08-01,MGC,BT resin,NSA,price,,1e300,1e308,万元/吨", HDR_LH),
        bad(
            "low/high 1e300-1e308 万元/吨: the high bound overflows after scaling",
            "overflow_low_high_wanyuan.csv:3: ",
            "overflows",
            stderr_lines=1,
        ),
    )

    # --- units and metrics --------------------------------------------------
    value_case(
        "unit_parsecs.csv", "5", "parsecs", "lead_time",
        "unit_parsecs.csv:3: unit: unknown unit 'parsecs'", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "unit_empty.csv", "5", "", "lead_time",
        "unit_empty.csv:3: unit: is empty", stderr_lines=1,
    )  # fmt: skip
    for name, metric, reason in (
        ("metric_lead_space_time.csv", "Lead Time", "'Lead Time' is not a snake_case name"),
        ("metric_digit_first.csv", "1price", "'1price' is not a snake_case name"),
        ("metric_hyphen.csv", "price-usd", "'price-usd' is not a snake_case name"),
        ("metric_empty.csv", "", "is empty"),
    ):
        value_case(name, "5", "%", metric, f"{name}:3: metric: {reason}", stderr_lines=1)
    add(
        "kind_actual.csv",
        one_bad_row(G1 + ",actual", HDR_K),
        bad(
            "kind 'actual' is not one of the four",
            "kind_actual.csv:3: kind: 'actual' is not one of",
            stderr_lines=1,
        ),
    )
    value_case(
        "allocation_price_unit.csv", "allocation", "CNY/t", "price",
        "allocation_price_unit.csv:3: value: 'allocation' is only for lead times", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "lead_time_cny_unit.csv", "5", "CNY/t", "lead_time",
        "lead_time_cny_unit.csv:3: unit: 'CNY/t' is not a duration", stderr_lines=1,
    )  # fmt: skip
    value_case(
        "price_weeks_unit.csv", "5", "weeks", "price",
        "price_weeks_unit.csv:3: unit: 'weeks' is not a price unit", stderr_lines=1,
    )  # fmt: skip

    # --- value vs low/high --------------------------------------------------
    def lh_case(name: str, value: str, low: str, high: str, *expect: str, **kw: object) -> None:
        row = f"2025-08-01,MGC,BT resin,NSA,lead_time,{value},{low},{high},weeks"
        what = f"value={value!r} low={low!r} high={high!r}"
        add(name, one_bad_row(row, HDR_LH), bad(what, *expect, **kw))

    lh_case(
        "value_low_high_disagree.csv", "16-20", "16", "24",
        "value_low_high_disagree.csv:3: high: low/high (16, 24) disagree with value '16-20'",
        stderr_lines=1,
    )  # fmt: skip
    lh_case(
        "low_gt_high.csv", "", "20", "16",
        "low_gt_high.csv:3: low: low '20' > high '16'", stderr_lines=1,
    )  # fmt: skip
    lh_case(
        "value_low_high_all_empty.csv", "", "", "",
        "value_low_high_all_empty.csv:3: value: is empty", stderr_lines=1,
    )  # fmt: skip
    lh_case(
        "low_not_a_number.csv", "", "abc", "5",
        "low_not_a_number.csv:3: low: 'abc' is not a number", stderr_lines=1,
    )  # fmt: skip
    lh_case(
        "high_not_a_number_with_value.csv", "5", "5", "x",
        "high_not_a_number_with_value.csv:3: high: 'x' is not a number", stderr_lines=1,
    )  # fmt: skip
    lh_case(
        "low_negative_lead_time.csv", "", "-2", "",
        "low_negative_lead_time.csv:3: low: '-2' is negative", stderr_lines=1,
    )  # fmt: skip

    # --- other columns ------------------------------------------------------
    add(
        "recorded_at_bad.csv",
        lines(HDR + ",recorded_at", G1 + ",2025-08-01T00:00:00+00:00", G2 + ",yesterday"),
        bad(
            "recorded_at that is not ISO 8601",
            "recorded_at_bad.csv:3: recorded_at: 'yesterday' is not an ISO 8601 timestamp",
            stderr_lines=1,
        ),
    )

    # --- line numbers and all-problems reporting ----------------------------
    add(
        "valid_then_bad_last_row.csv",
        lines(HDR, G1, G2, G3, G4, G5, "2025-08-15,MGC,BT resin,NSA,lead_time,6,fortnights"),
        bad(
            "five valid rows, one bad row on the last line (7)",
            "valid_then_bad_last_row.csv:7: unit: unknown unit 'fortnights'",
            stderr_lines=1,
        ),
    )
    add(
        "valid_then_bad_last_row_no_newline.csv",
        lines(HDR, G1, G2) + b"2025-08-15,MGC,BT resin,NSA,lead_time,-6,weeks",
        bad(
            "the bad last row has no final newline",
            "valid_then_bad_last_row_no_newline.csv:4: value: '-6' is negative",
            stderr_lines=1,
        ),
    )
    add(
        "many_bad_rows.csv",
        lines(
            HDR_K,
            G1 + ",observed",  # 2 ok
            "2025-13-01,MGC,BT resin,NSA,lead_time,5,weeks,observed",  # 3 date
            G2 + ",observed",  # 4 ok
            "2025-08-01,MGC,BT resin,NSA,Lead Time,5,weeks,observed",  # 5 metric
            "2025-08-01,MGC,BT resin,NSA,lead_time,20-16,weeks,observed",  # 6 value
            "2025-08-01,MGC,BT resin,NSA,lead_time,5,parsecs,observed",  # 7 unit
            "2025-08-01,MGC,BT resin,NSA,lead_time,5,weeks,actual",  # 8 kind
            "2025-08-01,MGC,,NSA,lead_time,5,weeks,observed",  # 9 material
            "2025-08-01,MGC,BT resin,NSA,lead_time,5,weeks",  # 10 ragged
            "2025-02-30,MGC,BT resin,NSA,price,-1,CNY/t,guess",  # 11 date, value, kind
            G3 + ",observed",  # 12 ok
        ),
        bad(
            "every bad row reported, each with its own line; three problems on line 11",
            "many_bad_rows.csv:3: date: ",
            "many_bad_rows.csv:5: metric: ",
            "many_bad_rows.csv:6: value: ",
            "many_bad_rows.csv:7: unit: ",
            "many_bad_rows.csv:8: kind: ",
            "many_bad_rows.csv:9: material: is empty",
            "many_bad_rows.csv:10: ",
            "many_bad_rows.csv:11: date: ",
            "many_bad_rows.csv:11: value: ",
            "many_bad_rows.csv:11: kind: ",
            stderr_lines=10,
        ),
    )
    add(
        "multiline_quote_then_bad.csv",
        lines(
            HDR_Q,  # 1
            G1 + ',"MGC said:',  # 2
            "lead times are 5-7 weeks",  # 3
            'for NSA."',  # 4
            "2025-08-32,MGC,BT resin,NSA,lead_time,5,weeks,one line",  # 5 date
            '2025-08-01,MGC,BT resin,NSA,lead_time,5,parsecs,"two',  # 6 unit
            'lines"',  # 7
            "",  # 8 blank
            '2025-08-01,MGC,BT resin,NSA,lead_time,5,weeks,"""quoted"" text',  # 9
            'and more",',  # 10 ragged
            "2025-08-01,MGC,BT resin,NSA,lead_time,5-3,weeks,last",  # 11 value
        ),
        bad(
            "multi-line quote cells: the LINE is where each record starts (header is line 1)",
            "multiline_quote_then_bad.csv:5: date: ",
            "multiline_quote_then_bad.csv:6: unit: ",
            "multiline_quote_then_bad.csv:9: field 9: has no column: the row has 9 fields, the header 8",
            "multiline_quote_then_bad.csv:11: value: ",
            stderr_lines=4,
        ),
    )
    add(
        "blank_lines_between_rows.csv",
        lines(HDR, "", G1, "", "", "2025-08-01,MGC,BT resin,NSA,lead_time,5,parsecs", ""),
        bad(
            "blank lines are skipped but still counted: the bad row is line 6",
            "blank_lines_between_rows.csv:6: unit: ",
            stderr_lines=1,
        ),
    )

    # --- several files: all or nothing --------------------------------------
    add(
        "multi_first_good.csv",
        lines(HDR, G1, G2, G3),
        bad(
            "two files, the second bad: nothing from the first may be imported",
            "multi_second_bad.csv:3: date: '2025-02-30' is not a real date",
            extra_files=["multi_second_bad.csv"],
            stderr_not_contains=["multi_first_good.csv"],
            stderr_lines=1,
        ),
    )
    add(
        "multi_second_bad.csv",
        lines(HDR, G4, "2025-02-30,MGC,BT resin,NSA,lead_time,5,weeks"),
        bad(
            "second file of the pair above, also checked on its own",
            "multi_second_bad.csv:3: date: '2025-02-30' is not a real date",
            stderr_lines=1,
        ),
    )
    add(
        "multi_both_bad_a.csv",
        lines(HDR, G1, "2025-08-01,MGC,BT resin,NSA,lead_time,5,parsecs"),
        bad(
            "two bad files: the problems of both are reported",
            "multi_both_bad_a.csv:3: unit: ",
            "multi_both_bad_b.csv:2: metric: ",
            extra_files=["multi_both_bad_b.csv"],
            stderr_lines=2,
        ),
    )
    add(
        "multi_both_bad_b.csv",
        lines(HDR, "2025-08-01,MGC,BT resin,NSA,Price,5,CNY/t", G5),
        bad(
            "second file of the pair above, also checked on its own",
            "multi_both_bad_b.csv:2: metric: ",
            stderr_lines=1,
        ),
    )
    add(
        "multi_good_then_empty.csv",
        lines(HDR, G1, G2),
        bad(
            "a good file then a 0-byte file: nothing imported",
            "empty_0_bytes.csv: ",
            extra_files=["empty_0_bytes.csv"],
            stderr_not_contains=["multi_good_then_empty.csv"],
        ),
    )
    return c


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, object] = {}
    for name, (data, exp) in sorted(cases().items()):
        (out / name).write_bytes(data)
        expected[name] = exp
    text = json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (out / "expected.json").write_bytes(text.encode("utf-8"))
    print(f"wrote {len(expected)} files and expected.json to {out}")


if __name__ == "__main__":
    main(sys.argv)
