"""Charts: real files read back, pixels checked, names that try to escape the folder."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import warnings
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest

from tracker import chartfiles, charts
from tracker.analysis import summarise
from tracker.charts import render_charts
from tracker.dataset import article_observations
from tracker.dates import parse_period
from tracker.errors import TrackerError
from tracker.model import Observation
from tracker.text import human_value
from tracker.values import parse_value

# the CLI's answers on both backends: SQLite and PostgreSQL (conftest.py)
BOTH_BACKENDS = True

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def obs(
    when: str,
    value: str,
    supplier: str | None = "Acme",
    material: str = "BT resin",
    product: str | None = None,
    metric: str = "lead_time",
    unit: str = "weeks",
    kind: str = "observed",
    source: str | None = "Test source",
) -> Observation:
    return Observation(
        parse_period(when), supplier, material, product, metric, parse_value(value), unit,
        f"{value} {unit}", kind, source,
    )  # fmt: skip


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first after the signature."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_files_are_pngs_of_the_figure_size_at_the_dpi(tmp_path: Path) -> None:
    data = [obs("2025-01", "4-6"), obs("2025-07-24", "16-20")]
    paths = render_charts(data, tmp_path / "out", dpi=80)
    assert [p.name for p in paths] == ["acme_lead_time.png", "overview_lead_time.png",
                                       "overview_price.png"]  # fmt: skip
    assert png_size(paths[0]) == (800, 448)  # a trend: 10 x 5.6 inches at 80 dpi
    width, height = png_size(paths[1])  # a ranked chart of one row: as tall as its rows
    assert width == 800 and 150 < height < 448
    assert png_size(paths[2]) == (800, 448)


def band_pixels(image: object, colour: str) -> object:
    """Mask of pixels in the band's fill colour: the supplier colour at BAND_ALPHA on white."""
    import numpy as np
    from matplotlib.colors import to_rgb

    fill = np.array(to_rgb(colour)) * charts.BAND_ALPHA + (1 - charts.BAND_ALPHA)
    return np.all(np.abs(image[:, :, :3] - fill) < 0.02, axis=2)  # type: ignore[index]


@pytest.mark.parametrize(("value", "banded"), [("10-20", True), ("15", False)])
def test_a_range_is_a_shaded_band_between_its_bounds(value: str, banded: bool) -> None:
    from matplotlib.dates import date2num
    from matplotlib.image import imread

    data = [obs("2024", value, supplier="Solo")]
    colours = charts.supplier_colours(data)
    fig = charts.draw_chart(data, "lead_time", colours, dpi=100, kind="trend")
    buf = BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    image = imread(BytesIO(buf.getvalue()))
    mask = band_pixels(image, colours["Solo"])
    height = image.shape[0]
    ax = fig.axes[0]
    # a column in April, away from the marker at mid-year, from just above 10 to just below 20
    x, y10 = ax.transData.transform((date2num(date(2024, 4, 1)), 10))
    _, y20 = ax.transData.transform((date2num(date(2024, 4, 1)), 20))
    rows = slice(int(height - y20) + 3, int(height - y10) - 3)
    column = mask[rows, int(x)]
    if banded:
        assert column.mean() > 0.8
        assert mask.mean() > 0.05  # a substantial area, not a stray pixel
    else:
        assert column.mean() < 0.05
        assert mask.mean() < 0.005


def test_article_dataset_charts(tmp_path: Path) -> None:
    out = tmp_path / "charts"
    seen: list[Path] = []
    paths = render_charts(article_observations(), out, progress=seen.append)
    names = [p.name for p in paths]
    for expected in ("mgc_lead_time.png", "market-wide_price.png", "overview_lead_time.png",
                     "overview_price.png", "resonac_lead_time.png", "asahi-kasei_lead_time.png"):  # fmt: skip
        assert expected in names
    assert seen == paths
    assert sorted(paths) == sorted(out.iterdir())
    assert len(set(paths)) == len(paths)
    assert all(png_size(p)[0] == 1500 for p in paths)
    assert png_size(out / "market-wide_price.png") == (1500, 840)  # a trend: 10 x 5.6 inches
    # no two files the same (market-wide_price and overview_price once were)
    assert len({p.read_bytes() for p in paths}) == len(paths)
    assert render_charts(article_observations(), tmp_path / "again") == [
        tmp_path / "again" / n for n in names
    ]


UNSAFE = ["../../x", "a/b", "A/B", "A B", "CON", "..", "", "Acme", "ACME", "x", "Overview",
          "Market-wide", "测试供应商", "/etc/passwd", "a\\b", "nul.txt", "\x00", "x" * 300]  # fmt: skip


def test_supplier_names_never_escape_or_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    data = [obs("2025-03", "5", supplier=s) for s in UNSAFE] + [obs("2025", "7", supplier=None)]
    paths = render_charts(data, out)
    assert len(paths) == len(UNSAFE) + 3  # every supplier, market-wide, two overviews
    assert len({p.name for p in paths}) == len(paths)
    for p in paths:
        assert p.parent == out and p.resolve().parent == out.resolve()
        assert re.fullmatch(r"[a-z0-9_-]+\.png", p.name), p.name
        assert len(p.name) < 100
    assert sorted(paths) == sorted(out.iterdir())
    assert sorted(tmp_path.rglob("*")) == sorted([tmp_path / "deep", out, *paths])


def test_file_stems() -> None:
    stems = charts.chart_stems(["MGC", "Asahi Kasei", None, "A/B", "A B", "测试供应商", "..", ""])
    assert stems["MGC"] == "mgc" and stems["Asahi Kasei"] == "asahi-kasei"
    assert stems[None] == "market-wide"
    assert re.fullmatch(r"a-b-[0-9a-f]{8}", stems["A/B"]) and stems["A/B"] != stems["A B"]
    assert re.fullmatch(r"s-[0-9a-f]{8}", stems["测试供应商"])
    assert stems[".."] != stems[""]
    assert charts.chart_stems(["测试供应商"]) == {"测试供应商": stems["测试供应商"]}  # stable


def test_cjk_text_never_renders_as_boxes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [obs("2025-07-24", "16-20", supplier="测试供应商", product="高端 NSA",
                source="AI算力与高阶应用需求激增 封装基板材料或开启涨价潮"),
            obs("2025-08", "4.1", supplier="Nittobo 日东纺", metric="price", unit="CNY/m",
                source="电子布 price list")]  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = render_charts(data, tmp_path, fmt="png")
        render_charts(data, tmp_path / "svg", fmt="svg")
    assert len(paths) == 4
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert capsys.readouterr() == ("", "")  # nothing printed, not even a font log line
    if charts.cjk_font() is None:
        assert charts.clean_text("测试供应商", "name") == "(Chinese name)"
        assert charts.clean_text("Nittobo 日东纺") == "Nittobo"
        assert charts.clean_text("AI算力与高阶应用需求激增", "title") == "(Chinese title)"
    else:
        assert charts.clean_text("Nittobo 日东纺") == "Nittobo 日东纺"


def test_dollar_signs_are_not_mathtext(tmp_path: Path) -> None:
    assert charts.clean_text("US$ 5 $x^2$") == r"US\$ 5 \$x^2\$"
    assert render_charts([obs("2025", "5", supplier="$\\frac{1}{$")], tmp_path)


def test_labels_give_latest_value_and_change_from_summarise() -> None:
    data = [obs("2025-01-01", "280000-300000", None, "glass cloth", "Low-Dk", "price", "CNY/t"),
            obs("2025-07-24", "320000-350000", None, "glass cloth", "Low-Dk", "price", "CNY/t"),
            obs("2025-01-01", "4-6", "Resonac"), obs("2025-07-24", ">=6", "Resonac"),
            obs("2025-07-24", "6", "One")]  # fmt: skip
    labels = {s.series[0]: charts.series_label(s) for s in summarise(data)}
    assert labels[None] == "glass cloth Low-Dk:\n320,000-350,000 CNY/t (+14.3% / +16.7%)"
    assert labels["Resonac"] == "BT resin:\n≥6 weeks (at least +0.0%)"
    assert labels["One"] == "BT resin:\n6 weeks"
    assert human_value(parse_value("<=22"), "weeks") == "≤22 weeks"
    assert human_value(parse_value("allocation"), "weeks") == "allocation"


def segments(ax: object, gid: str) -> list[tuple[tuple[float, float], ...]]:
    """Segments of an axes' line collections of one kind: "normal" levels, "join"s."""
    return [tuple(map(tuple, seg)) for c in ax.collections  # type: ignore[attr-defined]
            if c.get_gid() == gid for seg in c.get_segments()]  # fmt: skip


def test_baseline_is_a_dashed_reference_only_across_its_own_series() -> None:
    from matplotlib.dates import date2num

    data = [obs("2025-07-24", "16-20", product="NS"), obs("2025-07-24", "8-10", product="NS",
            kind="baseline"), obs("2025-09", "allocation", product="NS"),
            obs("2025-Q4", ">=12", kind="forecast", product="NS"),
            obs("2024-01", "3", product="Other"), obs("2026-06", "5", product="Other")]  # fmt: skip
    fig = charts.draw_chart(data, "lead_time", charts.supplier_colours(data))
    ax = fig.axes[0]
    normal = segments(ax, "normal")
    assert sorted(seg[0][1] for seg in normal) == [8, 10]
    start, end = date2num(date(2025, 7, 24)), date2num(date(2026, 1, 1))  # NS: July to Q4
    for (x0, _), (x1, _) in normal:
        assert (x0, x1) == (start, end)  # not across the chart (2024 to mid-2026)
    texts = [t.get_text() for t in ax.texts]
    assert "NS normal: 8-10 weeks" in texts and "allocation" in texts
    label = next(t for t in ax.texts if "normal" in t.get_text())
    assert label.xy == (end, 10)  # labelled at the end of its own stretch (an Annotation)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "BT resin NS:\n≥12 weeks (at least -40.0%)" in legend
    ys = {y for seg in segments(ax, "join") for _, y in seg}
    assert 8 not in ys and 9 not in ys  # the normal level is no point of the trend


def test_a_snapshot_is_a_ranked_range_chart_on_its_date() -> None:
    """Article 4's lead times share one date: a row each, ranked, the normal level a row of
    its own under its series, and the date in the title rather than spread over an axis."""
    data = [o for o in article_observations() if o.metric == "lead_time"]
    colours, stems = charts.supplier_colours(data), charts.chart_stems(o.supplier for o in data)
    fig = charts.draw_chart(data, "lead_time", colours, True, stems)
    assert fig.get_suptitle() == "All suppliers — lead time on 24 Jul 2025"
    (ax,) = fig.axes
    rows = [t.get_text() for t in ax.get_yticklabels()][::-1]  # top to bottom
    assert rows == ["Market-wide · ABF substrate", "MGC · BT resin NS/NSF Low CTE Glass",
                    "normal level", "Asahi Kasei · glass cloth Low CTE 0.04mm",
                    "Resonac · BT resin", "MGC · BT resin NSA"]  # fmt: skip
    assert ax.get_xlabel() == "Lead time (weeks)"  # a value axis, no time axis
    values = [t.get_text() for t in ax.texts if t.get_gid() == "outside"]
    assert values == ["≤22 weeks", "16-20 weeks  2.0× normal", "normal 8-10 weeks", ">12 weeks",
                      "≥6 weeks", "4-6 weeks"]  # fmt: skip
    bands = [c for c in ax.collections if len(c.get_paths()) == 2]  # the two ranges, as boxes
    assert sorted(tuple(p.vertices[:, 0].min() for p in bands[0].get_paths())) == [4.0, 16.0]


def test_a_normal_level_without_figures_names_its_series() -> None:
    """A series with only a stated normal level has no row of its own above its normal
    row, so that row must say whose normal it is (found by QA: a bare "normal level")."""
    data = [o for o in article_observations() if o.metric == "lead_time"]
    data.append(obs("2025-06-01", "8-12", "Nittobo", "glass cloth", "T-glass", kind="baseline"))
    colours, stems = charts.supplier_colours(data), charts.chart_stems(o.supplier for o in data)
    fig = charts.draw_chart(data, "lead_time", colours, True, stems)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()][::-1]
    assert "Nittobo · glass cloth T-glass: normal level" in rows
    assert rows.count("normal level") == 1  # MGC's, right under its own series


def test_figures_of_one_date_sit_on_that_date() -> None:
    from matplotlib.dates import date2num

    data = [obs("2025-01-01", "5", "A"), obs("2025-07-24", "6", "A"),
            obs("2025-01-01", "7", "A", product="X"), obs("2025-07-24", "9", "A", product="X"),
            obs("2025-07-24", "8", "A", product="Y")]  # fmt: skip
    fig = charts.draw_chart(data, "lead_time", charts.supplier_colours(data))
    xs = {x for ln in fig.axes[0].lines for x in ln.get_xdata()}
    assert xs == {date2num(date(2025, 1, 1)), date2num(date(2025, 7, 24))}  # nothing set apart


def test_lines_join_only_bounds_the_source_stated() -> None:
    """4-6 -> >=6 -> 10: low to low (4-6, 6-10), no high line into an open bound, no midpoint."""
    from matplotlib.dates import date2num

    data = [obs("2025-01-01", "4-6"), obs("2025-03-01", ">=6"), obs("2025-06-01", "10")]
    fig = charts.draw_chart(data, "lead_time", charts.supplier_colours(data))
    ax = fig.axes[0]
    d = [date2num(date(2025, m, 1)) for m in (1, 3, 6)]
    assert sorted(segments(ax, "join")) == [((d[0], 4.0), (d[1], 6.0)), ((d[1], 6.0), (d[2], 10.0))]
    assert 5.0 not in {y for ln in ax.lines for y in ln.get_ydata()}  # no made-up midpoint


def test_a_narrow_range_is_still_a_visible_band() -> None:
    """280,000-281,000 on an axis to 1.3 million is under a pixel tall; its bounds still show."""
    import numpy as np
    from matplotlib.colors import to_rgb
    from matplotlib.dates import date2num

    data = [obs("2025-01-01", "280000-281000", unit="CNY/t", metric="price"),
            obs("2025-06-01", "1000000", unit="CNY/t", metric="price")]  # fmt: skip
    colours = charts.supplier_colours(data)
    fig = charts.draw_chart(data, "price", colours, dpi=100)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3] / 255  # type: ignore[attr-defined]
    x, y = fig.axes[0].transData.transform((date2num(date(2025, 1, 1)), 280500))
    h = image.shape[0]
    patch = image[int(h - y) - 6 : int(h - y) + 6, int(x) - 6 : int(x) + 6]
    solid = np.all(np.abs(patch - np.array(to_rgb(colours["Acme"]))) < 0.05, axis=2)
    assert solid.sum() >= 20  # the caps at its bounds, in full colour


def test_many_series_become_a_dozen_largest_movers_and_small_multiples() -> None:
    data = []
    for p in range(30):  # product p moves by p percent
        data += [obs("2025-01-01", "100", "Big", product=f"P{p:02d}", metric="price", unit="CNY/t"),
                 obs("2025-06-01", str(100 + p), "Big", product=f"P{p:02d}", metric="price",
                     unit="CNY/t")]  # fmt: skip
    colours, stems = charts.supplier_colours(data), charts.chart_stems(["Big"])
    fig = charts.draw_chart(data, "price", colours, False, stems)
    assert len(fig.axes) == 12  # small multiples: a panel per product
    assert [ax.get_title(loc="left").split("\n")[0] for ax in fig.axes] == [
        f"P{p:02d}" for p in range(18, 30)]  # fmt: skip
    assert fig.get_suptitle() == "Big — price, 12 largest movers of 30 series"
    assert "18 more series not shown" in fig.texts[-1].get_text()
    over = charts.draw_chart(data, "price", colours, True, stems)
    (ax,) = over.axes
    assert len(ax.get_yticklabels()) == 12 and "18 more series" in over.texts[-1].get_text()
    assert len({ln.get_color() for ax in fig.axes for ln in ax.lines}) == 1  # one per panel


def test_units_get_their_own_axes_and_a_supplier_keeps_its_colour() -> None:
    data = [obs("2025-01", "3.6", "B", "glass cloth", "7628", "price", "CNY/m"),
            obs("2025-02", "280000", "B", "glass cloth", "Low-Dk", "price", "CNY/t"),
            obs("2025-03", "5", "A")]  # fmt: skip
    colours = charts.supplier_colours(data)
    assert colours == {"A": charts.PALETTE[0], "B": charts.PALETTE[1], None: charts.MARKET_COLOUR}
    prices = [o for o in data if o.metric == "price"]
    fig = charts.draw_chart(prices, "price", colours, kind="trend")
    assert [ax.get_ylabel() for ax in fig.axes] == ["Price (CNY/m)", "Price (CNY/t)"]
    assert fig.get_suptitle() == "B — price (glass cloth)"
    ranked = charts.draw_chart(prices, "price", colours)  # one figure each, two dates
    assert [ax.get_xlabel() for ax in ranked.axes] == ["Price (CNY/m)", "Price (CNY/t)"]
    assert ranked.get_suptitle() == "B — price: latest figures"
    values = [t.get_text() for ax in ranked.axes for t in ax.texts]
    assert values == ["3.6 CNY/m (Jan 2025)", "280,000 CNY/t (Feb 2025)"]


def test_svg_output(tmp_path: Path) -> None:
    paths = render_charts([obs("2025-07-24", "16-20")], tmp_path, fmt="svg")
    assert [p.suffix for p in paths] == [".svg"] * 3
    assert "<svg" in paths[0].read_text(encoding="utf-8")[:2000]


@pytest.mark.parametrize(("fmt", "dpi"), [("jpg", 150), ("PNG ", 150), ("png", 0), ("svg", -5)])
def test_bad_format_or_dpi_is_a_tracker_error(tmp_path: Path, fmt: str, dpi: int) -> None:
    with pytest.raises(TrackerError):
        render_charts([obs("2025", "5")], tmp_path / "out", fmt=fmt, dpi=dpi)
    assert not (tmp_path / "out").exists()


def test_out_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(TrackerError, match="not a folder"):
        render_charts([obs("2025", "5")], tmp_path / "f")


def test_nothing_to_chart_still_writes_the_overviews(tmp_path: Path) -> None:
    paths = render_charts([obs("2025", "50", metric="market_share", unit="%")], tmp_path)
    assert [p.name for p in paths] == ["overview_lead_time.png", "overview_price.png"]


def test_import_does_not_load_matplotlib() -> None:
    code = "import sys, tracker.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_long_series_is_a_few_artists_not_one_per_figure() -> None:
    """Each kind of mark is one artist per series, however many figures it has."""
    kinds = ["10-12", ">=11", "<=13", "12"]
    data = [obs(f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}", kinds[i % 4],
                kind="forecast" if i % 5 == 0 else "observed") for i in range(300)]  # fmt: skip
    data += [obs("2025-01", "8-9"), obs("2025-02", "9"), obs("2025-03", "allocation")]
    fig = charts.draw_chart(data, "lead_time", charts.supplier_colours(data))
    ax = fig.axes[0]
    # full and hollow markers, range caps, arrows up, down and to the top (allocation)
    assert len(ax.lines) <= 6
    assert len(ax.collections) <= 5  # boxes, day bars, month bars, joins, fills between ranges
    assert [t.get_text() for t in ax.texts] == ["allocation"]
    joins = segments(ax, "join")
    assert 300 <= len(joins) <= 2 * 302  # one artist for all: low and high lines, point lines


def test_saved_png_is_the_drawn_chart_with_everything_inside(tmp_path: Path) -> None:
    import numpy as np
    from matplotlib.image import imread

    data = article_observations()
    colours, stems = charts.supplier_colours(data), charts.chart_stems(o.supplier for o in data)
    fig = charts.draw_chart([o for o in data if o.metric == "price"], "price", colours, True, stems)
    chartfiles.save(fig, tmp_path / "c.png", "png", 150)
    drawn = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]  # type: ignore[attr-defined]
    assert np.array_equal((imread(tmp_path / "c.png") * 255).round().astype(np.uint8), drawn)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
        assert box.y1 < fig.texts[0].get_window_extent(renderer).y0  # under the title
        assert box.y0 > fig.texts[-1].get_window_extent(renderer).y1  # above the footnote


def test_chinese_supplier_and_source_are_drawn_in_the_cjk_font(tmp_path: Path) -> None:
    """In SVG each glyph is a path named after its font: the Chinese ones must come from the
    CJK font (not boxes, not a placeholder)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = charts.cjk_font()
    if family is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    data = [obs("2025-07-24", "16-20", supplier="测试供应商", source="封装基板材料涨价"),
            obs("2025-07-24", "4-6", supplier="测试供应商", product="NSA", source="封装基板材料涨价")]  # fmt: skip
    paths = render_charts(data, tmp_path, fmt="svg", metrics=["lead_time"])
    svg = paths[0].read_text(encoding="utf-8")
    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=[family])))
    name = font.postscript_name
    for ch in "测试供应商封装基板":  # glyph ids: font name and glyph index in that font
        assert f'id="{name}-{font.get_char_index(ord(ch)):x}"' in svg, ch
    assert "(Chinese" not in svg


def test_a_cjk_font_installed_after_the_font_cache_was_made_is_found(tmp_path: Path) -> None:
    """matplotlib's cached font list without the CJK font (as when the font was installed
    after the first chart): the next run finds it and writes the cache again."""
    if charts.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    stale = """
import json, matplotlib
from pathlib import Path
from matplotlib import font_manager as fm
from tracker.chartfonts import CJK_FONTS
m = fm.fontManager
files = {f.fname for f in m.ttflist if f.name in CJK_FONTS}
m.ttflist = [f for f in m.ttflist if f.fname not in files]
fm.json_dump(m, Path(matplotlib.get_cachedir(), f"fontlist-v{m.__version__}.json"))
"""
    subprocess.run([sys.executable, "-c", stale], env=env, check=True)
    cache = next(tmp_path.glob("fontlist-v*.json"))
    names = {f["name"] for f in json.loads(cache.read_text())["ttflist"]}
    assert not names & set(charts.CJK_FONTS)
    found = "from tracker.chartfonts import cjk_font; print(cjk_font())"
    out = subprocess.run([sys.executable, "-c", found], env=env, capture_output=True, text=True,
                         check=True)  # fmt: skip
    assert out.stdout.strip() == charts.cjk_font()
    names = {f["name"] for f in json.loads(cache.read_text())["ttflist"]}
    assert charts.cjk_font() in names  # the cache was written again: found by the next run too


def test_without_a_cjk_font_english_labels_and_one_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import chartfonts

    monkeypatch.setattr(chartfonts, "cjk_font", lambda: None)
    chartfonts._fonts.cache_clear()
    try:
        notices: list[str] = []
        data = [obs("2025-07-24", "16-20", supplier="测试供应商", source="封装基板材料涨价")]
        paths = render_charts(data, tmp_path, fmt="svg", notice=notices.append)
        assert len(notices) == 1 and "\n" not in notices[0]
        assert "fonts-wqy-microhei" in notices[0]
        svg = paths[0].read_text(encoding="utf-8")
        assert "Source: (Chinese title)" in svg or "(Chinese title)" in svg.replace("&#160;", " ")
        render_charts([obs("2025", "5")], tmp_path / "en", notice=notices.append)
        assert len(notices) == 1  # nothing Chinese, nothing to say
    finally:
        chartfonts._fonts.cache_clear()


def test_contact_sheet_shows_every_chart(tmp_path: Path) -> None:
    paths = render_charts(article_observations(), tmp_path, contact_sheet=True)
    *drawn, sheet = paths
    assert sheet == tmp_path / "index.html" and len(drawn) == 7
    page = sheet.read_text(encoding="utf-8")
    for p in drawn:
        assert f'<img src="{p.name}"' in page
    assert "All suppliers — lead time on 24 Jul 2025" in page
    assert page.index("<h2>Lead time</h2>") < page.index("<h2>Price</h2>")


def test_chart_command_prints_every_file_and_the_sheet(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    out = tmp_path / "c"
    r = run("chart", "--out-dir", str(out))
    assert r.exit_code == 0
    printed = [Path(p) for p in r.stdout.splitlines()]
    assert sorted(printed) == sorted(out.iterdir()) and printed[-1].name == "index.html"
    assert {p.name for p in printed} >= {"mgc_lead_time.png", "overview_lead_time.png",
                                         "market-wide_price.png", "overview_price.png"}  # fmt: skip


def test_market_wide_alone_on_one_date_is_the_overview_not_a_copy(tmp_path: Path) -> None:
    data = [obs("2025-07-24", "16-20", supplier=None)]
    assert [p.name for p in render_charts(data, tmp_path, metrics=["lead_time"])] == [
        "overview_lead_time.png"]  # fmt: skip


def test_chart_command_says_once_when_chinese_has_no_font(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from tracker import chartfonts

    run("seed")  # the article's title is Chinese
    monkeypatch.setattr(chartfonts, "cjk_font", lambda: None)
    chartfonts._fonts.cache_clear()
    try:
        r = run("chart", "--out-dir", str(tmp_path / "c"))
    finally:
        chartfonts._fonts.cache_clear()
    assert r.exit_code == 0
    assert [line for line in r.stderr.splitlines() if "CJK" in line] == [chartfonts.NO_CJK_NOTICE]
    assert all(Path(p).exists() for p in r.stdout.splitlines())


def test_panels_kept_for_the_next_chart_draw_it_as_a_fresh_figure(tmp_path: Path) -> None:
    """Small multiples reuse the last chart's panels (for speed): nothing of the first
    supplier may remain in the second's file."""
    data = []
    for s, top in (("A", 400), ("B", 40)):
        for p in range(8):
            data += [obs("2025-01-01", f"{top}-{top + 9}", s, product=f"{s}{p}"),
                     obs("2025-03-01", str(top + p), s, product=f"{s}{p}"),
                     obs("2025-03-01", "8-10", s, product=f"{s}{p}", kind="baseline")]  # fmt: skip
    both = render_charts(data, tmp_path / "both", metrics=["lead_time"])
    a_price = obs("2025-01-01", "5", "A", metric="price", unit="CNY/t")  # A keeps B's colour
    alone = render_charts([a_price, *(o for o in data if o.supplier == "B")], tmp_path / "alone",
                          metrics=["lead_time"])  # fmt: skip
    assert both[1].name == alone[0].name == "b_lead_time.png"
    assert both[1].read_bytes() == alone[0].read_bytes()
