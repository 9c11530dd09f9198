"""Charts: real files read back, pixels checked, names that try to escape the folder."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import warnings
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest

from tracker import charts
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
    for p in paths:
        assert png_size(p) == (800, 448)  # 10 x 5.6 inches at 80 dpi


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
    fig = charts.draw_chart(data, "lead_time", colours, dpi=100)
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
    assert all(png_size(p) == (1500, 840) for p in paths)
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


def test_baseline_is_a_dashed_reference_not_a_trend_point() -> None:
    data = [obs("2025-07-24", "16-20"), obs("2025-07-24", "8-10", kind="baseline"),
            obs("2025-09", "allocation"), obs("2025-Q4", ">=12", kind="forecast")]  # fmt: skip
    fig = charts.draw_chart(data, "lead_time", charts.supplier_colours(data))
    ax = fig.axes[0]
    dashed = {ln.get_ydata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"}
    assert dashed == {8, 10}
    texts = [t.get_text() for t in ax.texts]
    assert "normal: 8-10 weeks" in texts and "allocation" in texts
    assert "BT resin:\n≥12 weeks (at least -40.0%)" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]
    trend = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and len(ln.get_xdata()) > 1]
    assert len(trend) == 1 and list(trend[0].get_ydata()) == [18, 12]  # baseline not in it


def test_units_get_their_own_axes_and_a_supplier_keeps_its_colour() -> None:
    data = [obs("2025-01", "3.6", "B", "glass cloth", "7628", "price", "CNY/m"),
            obs("2025-02", "280000", "B", "glass cloth", "Low-Dk", "price", "CNY/t"),
            obs("2025-03", "5", "A")]  # fmt: skip
    colours = charts.supplier_colours(data)
    assert colours == {"A": charts.PALETTE[0], "B": charts.PALETTE[1], None: charts.MARKET_COLOUR}
    fig = charts.draw_chart([o for o in data if o.metric == "price"], "price", colours)
    assert [ax.get_ylabel() for ax in fig.axes] == ["Price (CNY/m)", "Price (CNY/t)"]
    assert fig.get_suptitle() == "B — price (glass cloth)"


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
    # the trend, full and hollow markers, arrows up, down and to the top (allocation)
    assert len(ax.lines) <= 6
    assert len(ax.collections) <= 3  # boxes, bars, month bars
    assert [t.get_text() for t in ax.texts] == ["allocation"]
    assert sum(len(ln.get_xdata()) for ln in ax.lines if ln.get_linestyle() == "-") == 302


def test_saved_png_is_the_drawn_chart_with_everything_inside(tmp_path: Path) -> None:
    import numpy as np
    from matplotlib.image import imread

    data = article_observations()
    colours, stems = charts.supplier_colours(data), charts.chart_stems(o.supplier for o in data)
    fig = charts.draw_chart([o for o in data if o.metric == "price"], "price", colours, True, stems)
    charts._save(fig, tmp_path / "c.png", "png", 150)
    drawn = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]  # type: ignore[attr-defined]
    assert np.array_equal((imread(tmp_path / "c.png") * 255).round().astype(np.uint8), drawn)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
        assert box.y1 < fig.texts[0].get_window_extent(renderer).y0  # under the title
        assert box.y0 > fig.texts[-1].get_window_extent(renderer).y1  # above the footnote
