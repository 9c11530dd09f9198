"""The briefing (issue 13, item 2): `report --format html` is one file to send as it is,
and Markdown keeps the same facts."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tracker.briefing import as_of, metric_words


class _Page(HTMLParser):
    """Every tag with its attributes, table rows as lists of (class, text) cells, captions."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[tuple[str, str]]] = []
        self.captions: list[str] = []
        self.text: list[str] = []
        self._cell: tuple[str, list[str]] | None = None
        self._caption: list[str] | None = None
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = (dict(attrs).get("class") or "", [])
        elif tag == "figcaption":
            self._caption = []
        elif tag == "style":
            self._style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((self._cell[0], "".join(self._cell[1])))
            self._cell = None
        elif tag == "figcaption" and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None
        elif tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)
        if self._caption is not None:
            self._caption.append(data)
        if not self._style:
            self.text.append(data)


def _page(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    return p


@pytest.fixture
def brief(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, _Page]:  # type: ignore[no-untyped-def]
    import tempfile

    run("seed")
    out = tmp_path / "brief.html"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    r = run("report", "--format", "html", "--out", str(out))
    assert r.exit_code == 0 and r.output == ""
    assert list(scratch.iterdir()) == []  # the charts drawn for it are gone
    html = out.read_text(encoding="utf-8")
    return html, _page(html)


def _row(page: _Page, *words: str) -> list[tuple[str, str]]:
    return next(r for r in page.rows if all(any(w == t for _, t in r) for w in words))


def test_one_self_contained_file(brief: tuple[str, _Page]) -> None:
    html, page = brief
    refs = [(tag, k, v) for tag, attrs in page.tags for k, v in attrs.items()
            if k in ("src", "href", "srcset", "data", "action")]  # fmt: skip
    assert refs and all(k == "src" and v and v.startswith("data:image/") for _, k, v in refs)
    assert "url(" not in html and "@import" not in html and "<link" not in html
    assert "<script" not in html
    svgs = [base64.b64decode(v.split(",", 1)[1]) for _, _, v in refs if v]
    assert all(s.lstrip().startswith(b"<?xml") and b"<svg" in s for s in svgs)  # vector charts


def test_title_as_of_and_sources(brief: tuple[str, _Page]) -> None:
    html, page = brief
    assert "<title>Lead times and prices</title>" in html and "<h1>Lead times and prices</h1>" in html
    meta = next(t for t in page.text if t.startswith("As of"))
    assert meta.startswith("As of 2025-07-24 (latest observed figure) · made ")
    assert re.search(r"<h2>Sources</h2><ol class='sources'>\s*<li>AI算力与高阶应用需求激增 "
                     r"封装基板材料或开启涨价潮</li>", html)  # fmt: skip
    assert _row(page, "glass cloth 7628")[-1] == ("", "[1]")


def test_first_and_latest_dates_and_values(brief: tuple[str, _Page]) -> None:
    _, page = brief
    head = page.rows[0]
    assert [t for _, t in head] == ["Supplier", "Item", "First date", "First", "Latest date",
                                   "Latest", "Change", "Note", "Source"]  # fmt: skip
    row = _row(page, "glass cloth 1037")
    assert [t for _, t in row[:7]] == ["(market-wide)", "glass cloth 1037", "2025-01-01",
                                       "80,000 CNY/t", "2025-07-24", "320,000 CNY/t", "+300.0%"]  # fmt: skip


def test_numbers_right_dates_unwrapped(brief: tuple[str, _Page]) -> None:
    html, page = brief
    row = _row(page, "glass cloth Low-Dk")
    assert [c for c, _ in row] == ["", "", "d", "n", "d", "n", "n", "", ""]
    assert "td.n,th.n{text-align:right" in html and "td.d,th.d{white-space:nowrap" in html


def test_kinds_are_marked(brief: tuple[str, _Page]) -> None:
    html, page = brief
    assert "~10%<span class='kind'>forecast</span>" in html  # 2030 ~10% is no fact
    assert "80,000 t/year<span class='kind'>announced</span>" in html
    mgc = _row(page, "BT resin NS/NSF Low CTE Glass")
    assert mgc[3] == ("n", "8-10 weeksnormal level")  # the stated normal, marked


def test_metrics_in_words(brief: tuple[str, _Page]) -> None:
    _, page = brief
    body = " ".join(page.text)
    assert "market share: BT resin" in body and "China market share: ABF substrate" in body
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", body)  # no snake_case left
    assert metric_words("shipment_volume_change") == "shipment volume change"


def test_charts_have_titles_not_file_names(brief: tuple[str, _Page]) -> None:
    _, page = brief
    assert "MGC: lead time" in page.captions and "All suppliers: price" in page.captions
    images = [a for t, a in page.tags if t == "img"]
    assert len(images) == len(page.captions) >= 4
    assert [a["alt"] for a in images] == page.captions
    assert not any(re.search(r"\.(png|svg)|_", c) for c in page.captions)


def test_prints_landscape_with_headers_repeated(brief: tuple[str, _Page]) -> None:
    html, _ = brief
    assert "@page{size:A4 landscape" in html
    assert "thead{display:table-header-group}" in html and "tr{break-inside:avoid}" in html


def test_no_charts_and_charts_dir(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    r = run("report", "--format", "html", "--no-charts")
    assert r.exit_code == 0 and "<img" not in r.output and "<figure" not in r.output
    assert run("report", "--format", "html", "--no-charts", "--charts", str(tmp_path)).exit_code == 2
    r = run("report", "--format", "html", "--charts", str(tmp_path / "c"))
    assert r.output.count("src='data:image/png;base64,") == len(list((tmp_path / "c").iterdir()))


def test_briefing_in_usd_says_which_rates(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    html = run("report", "--format", "html", "--no-charts", "--currency", "USD").output
    assert "1 CNY = 0.139716 USD (ECB reference rate of 2025-07-24)" in html
    assert "% changes are computed in the entered currency" in html
    row = _row(_page(html), "glass cloth 7628")
    assert [t for _, t in row[2:7]] == ["2025-01-01", "0.4932 USD/m", "2025-07-24", "0.5728 USD/m",
                                       "+13.9%"]  # fmt: skip
    assert row[7][1] == "stated ~15%: DIFFERS; entered in CNY/m"  # the entered currency stays


def test_markdown_keeps_kinds_dates_and_sources(run) -> None:  # type: ignore[no-untyped-def]
    run("seed")
    md = run("report", "--format", "markdown").output
    assert md.startswith("# Lead times and prices\n\nAs of 2025-07-24 (latest observed figure)")
    assert ("| (market-wide) | localization rate: ABF film |  |  | 2030 | ~10% *(forecast)* |"
            in md)  # fmt: skip
    assert ("| MGC | BT resin NS/NSF Low CTE Glass | 2025-07-24 | 8-10 weeks *(normal level)* | "
            "2025-07-24 | 16-20 weeks | +100.0% |") in md  # fmt: skip
    assert "|---|---|---|--:|---|--:|--:|---|---|" in md  # numbers right-aligned
    assert md.rstrip().endswith("1. AI算力与高阶应用需求激增 封装基板材料或开启涨价潮")


def test_as_of_ignores_forecasts() -> None:
    rows = [{"last_date": "2030", "last_kind": "forecast", "first_date": "2023",
             "first_kind": "observed"},
            {"last_date": "2025-07-24", "last_kind": "observed", "first_date": "2025-01-01",
             "first_kind": "observed"},
            {"last_date": "2025-Q2", "last_kind": "observed", "first_date": "2025-Q2",
             "first_kind": "observed"}]  # fmt: skip
    assert as_of(rows) == "2025-07-24"
    assert as_of([]) == ""
