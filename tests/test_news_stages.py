"""Each stage of the news reader on its own, with sentence forms written for these tests
(none is copied from an article the extractor is measured on)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.news import classify, quantities, when
from tracker.news.pipeline import extract
from tracker.news.text import fold, sentences, split_article
from tracker.suppliers import alias_map


def read(text: str) -> list[tuple[str, str, str]]:
    """(text, value, unit) of each quantity."""
    w = fold(text)
    return [(w[q.start:q.end], q.value(), q.unit) for q in quantities.find(w)]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("交货期延至十五周", "15", "weeks"),
        ("约为4-6周", "~4-6", "weeks"),  # placeholder replaced below
        ("需要两个月以上", ">=2", "months"),
        ("大约３０天", "~30", "days"),  # full-width digits
        ("九至十一周", "9-11", "weeks"),
        ("七到八个月", "7-8", "months"),
        ("不少于六周", ">=6", "weeks"),
        ("最多二十天", "<=20", "days"),
        ("三周以内", "<=3", "weeks"),
        ("lead times of nine to eleven weeks", "9-11", "weeks"),
        ("between 4 and 7 days", "4-7", "days"),
        ("a dozen weeks", "12", "weeks"),
        ("approaching seven months", "~7", "months"),
        ("as long as 40 weeks", "<=40", "weeks"),
        ("in the 30-week range", "~30", "weeks"),
        ("no less than 5 weeks", ">=5", "weeks"),
        ("within a few days", "<=7", "days"),
        ("每吨加价一千五百元", "1500", "元/吨"),
        ("每米报价3.2至3.5元", "3.2-3.5", "元/米"),
        ("报价升至6.8万元/吨", "6.8", "万元/吨"),
        ("每片上调五角", "0.5", "元/片"),
        ("每米贵了两毛至三毛", "0.2-0.3", "元/米"),
        ("at US$3,450 per tonne", "3450", "USD/t"),
        ("NT$120 per sheet", "120", "TWD/sheet"),
        ("US$1.10 to US$1.25 per kg", "1.1-1.25", "USD/kg"),
        ("US$8-9/kg", "8-9", "USD/kg"),
        ("18 yuan more per sheet", "18", "CNY/sheet"),
        ("上调3%至5%", "3-5", "%"),
        ("涨幅近三成", "~30", "%"),
        ("by 12–15%", "12-15", "%"),
        ("more than 25 percent", ">25", "%"),
    ],
)
def test_quantity_forms(text: str, value: str, unit: str) -> None:
    if value == "~4-6":
        value = "4-6"  # a range is not also approximate
    got = [(v, u) for _, v, u in read(text) if u == unit]
    assert got == [(value, unit)], read(text)


@pytest.mark.parametrize("text", ["1.2mm厚的板材", "耐温180℃以上", "20层以上的载板", "2027年投产",
                                  "capacity of 5,000 tonnes", "rated to 125°C", "30-layer boards",
                                  "第四次调价", "一般规格", "GB200 racks", "1.5万颗"])
def test_numbers_that_are_no_figure_have_no_figure_unit(text: str) -> None:
    assert all(u not in ("weeks", "days", "months", "%") and "/" not in u for _, _, u in read(text))


def figures(text: str, **kw: bool) -> list[tuple[str, str, str]]:
    s = sentences(text)[0]
    return [(f.metric, f.value, f.unit) for f in classify.figures(s, **kw)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某厂交期已延至十周。", [("lead_time", "10", "weeks")]),
        ("Deliveries now take 11 weeks.", [("lead_time", "11", "weeks")]),
        ("The plant was shut for three weeks after the fire.", []),  # no lead-time word
        ("Prices rose over the past six months.", []),
        ("原料库存可用约45天。", []),
        ("窑炉检修需要约60天，交期不受影响。", []),
        ("报价升至每吨1.2万元。", [("price", "1.2", "万元/吨")]),
        ("报价每吨上调1200元。", [("price_change", "1200", "元/吨")]),
        ("Quotes went up by US$0.15/kg.", [("price_change", "0.15", "USD/kg")]),
        ("Quotes climbed to US$4.15/kg.", [("price", "4.15", "USD/kg")]),
        ("该厂价格上调6%。", [("price_change", "6", "%")]),
        ("Its share price fell 3% on Monday.", []),
        ("公司营收同比增长18%。", []),
        ("The firm holds a 35% share of the market.", []),
        ("现货价格较上月翻番。", [("price_change", "100", "%")]),
        ("Prices have tripled since spring.", [("price_change", "200", "%")]),
        ("The supplier has placed its grades on allocation.", [("lead_time", "allocation", "weeks")]),
        ("该厂已暂停接单。", [("lead_time", "allocation", "weeks")]),
        ("某厂报价下调4%。", [("price_change", "-4", "%")]),
    ],
)
def test_what_a_quantity_is(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert figures(text) == expected


def test_a_duration_after_lead_times_in_the_sentence_before_is_one() -> None:
    assert figures("A year ago they were about 9 weeks.", lead_context=True) == [("lead_time", "~9", "weeks")]
    assert figures("A year ago they were about 9 weeks.") == []


def test_twice_the_normal_gives_a_derived_normal_level() -> None:
    s = sentences("某厂交期已延长至12-14周，是正常交期的两倍。")[0]
    f = classify.figures(s)
    assert [(x.metric, x.value, x.baseline, x.derived) for x in f] == [
        ("lead_time", "12-14", False, False), ("lead_time", "6-7", True, True)]


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("2024年3月", False, "2024-03"),
        ("去年11月", False, "2025-11"),
        ("9月", False, "2025-09"),  # later than the article's month: last year's
        ("9月", True, "2026-09"),
        ("2月", True, "2027-02"),  # February is past: the next one
        ("4月15日起", True, "2026-04-15"),
        ("二季度", False, "2025-Q2"),
        ("明年一季度", True, "2027-Q1"),
        ("年初", False, "2026-01"),
        ("去年底", False, "2025-12"),
        ("本月", False, "2026-03"),
        ("下月起", True, "2026-04"),
        ("in November", False, "2025-11"),
        ("from June 15", True, "2026-06-15"),
        ("in the third quarter", True, "2026-Q3"),
        ("Q4", False, "2025-Q4"),
        ("next quarter", True, "2026-Q2"),
        ("a year ago", False, "2025-03"),
        ("2025-07", False, "2025-07"),
    ],
)
def test_date_cues_resolve_against_the_article_date(text: str, future: bool, expected: str) -> None:
    (cue,) = [c for c in when.cues(sentences(text)[0]) if c.unit != "none"]
    assert when.resolve(cue, date(2026, 3, 10), future) == expected


@pytest.mark.parametrize(
    ("text", "role"),
    [("较年初上涨", when.SINCE), ("since May", when.SINCE), ("3月以来", when.SINCE),
     ("订单已排至三季度", when.HORIZON), ("until 2028", when.HORIZON), ("自5月1日起", when.EFFECTIVE),
     ("effective July 1", when.EFFECTIVE), ("in April", when.POINT)],
)
def test_date_cue_roles(text: str, role: str) -> None:
    (cue,) = [c for c in when.cues(sentences(text)[0]) if c.unit != "none"]
    assert cue.role == role


def rows(text: str, published: date = date(2026, 3, 10)) -> list[tuple[str, ...]]:
    art = split_article("Title\n" + text)
    return [(c.date, c.supplier, c.material, c.product, c.metric, c.value, c.unit, c.kind)
            for c in extract(art, published, alias_map(), "t")]


def test_who_pronouns_lists_and_market_sources() -> None:
    text = ("村田近日向客户表示，其车规级MLCC交期已延至十八周。"
            "Kinsus and Unimicron are quoting 15 weeks for BT substrates. "
            "Distributors say the same parts now take 20 weeks.")
    got = rows(text)
    assert ("2026-03-10", "Murata", "MLCC", "automotive", "lead_time", "18", "weeks", "observed") in got
    assert [r[1] for r in got if r[5] == "15"] == ["Kinsus", "Unimicron"]
    assert [r[1] for r in got if r[5] == "20"] == [""]


def test_unknown_companies_are_kept_as_written_and_flagged() -> None:
    art = split_article("T\n华茂新材日前表示，其电子布交期已延长至九周。Acme Laminates said lead times are 7 weeks.")
    got = extract(art, date(2026, 3, 10), alias_map(), "t")
    assert [(c.supplier, c.new_supplier, c.value) for c in got] == [("华茂新材", True, "9"),
                                                                    ("Acme Laminates", True, "7")]
    assert "new supplier: 华茂新材" in got[0].note


def test_nan_ya_names_are_three_companies() -> None:
    m = alias_map()
    assert (m["南亚"], m["南电"], m["南亚新材"]) == ("Nan Ya Plastics", "Nan Ya PCB", "Nanya New Material")


def test_kinds_and_dates_of_announced_and_forecast_figures() -> None:
    text = ("Isola will raise prices by 4% from May 1. Analysts expect spot laminate prices to rise "
            "by another 5% next quarter. Rogers raised its prices by 3% in January.")
    assert rows(text) == [
        ("2026-05-01", "Isola", "copper clad laminate", "", "price_change", "4", "%", "announced"),
        ("2026-Q2", "", "copper clad laminate", "", "price_change", "5", "%", "forecast"),
        ("2026-01", "Rogers", "copper clad laminate", "", "price_change", "3", "%", "observed"),
    ]


def test_from_to_gives_two_rows_dated_by_their_cues() -> None:
    got = rows("据业内人士称，7628电子布报价由去年10月的每米3.9元升至目前的4.6元。"
               "Nittobo said T-glass lead times went from 8 to 20 weeks.")
    assert got[:2] == [("2025-10", "", "glass cloth", "7628", "price", "3.9", "元/米", "observed"),
                       ("2026-03-10", "", "glass cloth", "7628", "price", "4.6", "元/米", "observed")]
    assert got[2:] == [("2026-03-10", "Nittobo", "glass cloth", "T-glass", "lead_time", "8", "weeks", "observed"),
                       ("2026-03-10", "Nittobo", "glass cloth", "T-glass", "lead_time", "20", "weeks", "observed")]


def test_a_date_in_a_leading_clause_of_its_own_dates_the_sentence() -> None:
    """The issue's "2024年3月 … 8.6万元/吨": a time adverbial set off by a comma dates the
    figures after it, unless another kind of date ("now", 目前) stands between."""
    got = rows("据悉，2024年3月，诺德股份锂电铜箔价格为8.6万元/吨，目前已涨至9.2万元/吨。"
               "In March 2025, Nittobo quoted 12 weeks for T-glass.")
    assert [(r[0], r[1], r[5]) for r in got] == [
        ("2024-03", "Nuode", "8.6"), ("2026-03-10", "Nuode", "9.2"), ("2025-03", "Nittobo", "12")]


def test_sentences_keep_offsets_into_the_body() -> None:
    art = split_article("T\n\nFirst one. Second, with a clause；第三句。\n第四句!")
    for s in sentences(art.body):
        assert art.body[s.start:s.start + len(s.text)] == s.text
    assert [s.paragraph for s in sentences(art.body)] == [0, 0, 1]  # ； ends no sentence
