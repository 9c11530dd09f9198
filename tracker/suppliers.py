"""Known suppliers and alias resolution.

News names one company many ways (MGC, Mitsubishi Gas Chemical, 三菱瓦斯化学,
三菱瓦斯).  Every name resolves to one canonical English name before it is
stored or used as a filter, so a series is never split by spelling.  Names
that match no known supplier are kept as entered and become new suppliers.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class Supplier(NamedTuple):
    """A supplier.

    Attributes:
        name: canonical English name, used in every output.
        name_zh: Chinese name as the Chinese press writes it.
        country: ISO 3166 alpha-2 country of the head office.
        aliases: other names that resolve to this supplier.
    """

    name: str
    name_zh: str
    country: str
    aliases: tuple[str, ...] = ()


# Every company article 4 of the seed digest names, plus common spellings, then the main
# makers of the materials the tracker follows.
KNOWN: tuple[Supplier, ...] = (
    Supplier("MGC", "三菱瓦斯化学", "JP", ("Mitsubishi Gas Chemical", "三菱瓦斯", "三菱瓦斯化學")),
    Supplier(
        "Resonac",
        "力森诺科",
        "JP",
        ("Resonac Holdings", "Showa Denko Materials", "昭和电工", "力森諾科"),
    ),
    Supplier("Asahi Kasei", "旭化成", "JP", ("Asahi Kasei Corp",)),
    Supplier("Nittobo", "日东纺", "JP", ("Nitto Boseki", "日東紡", "日东纺绩")),
    Supplier("Sumitomo", "住友", "JP", ("Sumitomo Bakelite", "住友电木")),
    Supplier("AGY", "AGY", "US", ("AGY Holding",)),
    Supplier("Ajinomoto", "味之素", "JP", ("Ajinomoto Fine-Techno", "味の素")),
    Supplier("Sinoma", "中材科技", "CN", ("Sinoma Science & Technology",)),
    Supplier("Grace Fabric", "宏和科技", "CN", ("Grace Fabric Technology", "宏和")),
    Supplier("China Jushi", "中国巨石", "CN", ("Jushi", "巨石")),
    Supplier("Fastprint", "兴森科技", "CN", ("Shenzhen Fastprint", "兴森")),
    Supplier("Shennan Circuits", "深南电路", "CN", ("SCC",)),
    Supplier("Zhuhai ACCESS", "珠海越亚", "CN", ("ACCESS", "越亚")),
    # Makers of laminates, glass yarn and cloth, copper foil, substrates and MLCCs that
    # the trade press names next to these materials (issue 10).  Nan Ya Plastics, Nan Ya
    # PCB and Nanya New Material are three companies, and so are their series.
    Supplier(
        "Kingboard",
        "建滔",
        "HK",
        (
            "Kingboard Laminates",
            "Kingboard Holdings",
            "建滔积层板",
            "建滔集团",
            "建滔化工",
            "建滔積層板",
        ),
    ),
    Supplier("Shengyi", "生益科技", "CN", ("Shengyi Technology", "SYTECH", "生益", "广东生益")),
    Supplier(
        "Nan Ya Plastics",
        "南亚塑胶",
        "TW",
        ("Nan Ya", "Nanya Plastics", "南亚", "南亞", "南亞塑膠", "南亚塑料", "南亚塑胶工业"),
    ),
    Supplier(
        "Nan Ya PCB",
        "南电",
        "TW",
        ("Nan Ya Printed Circuit Board", "Nanya PCB", "南電", "南亚电路板", "南亞電路板"),
    ),
    Supplier(
        "Nanya New Material",
        "南亚新材",
        "CN",
        ("Nanya New Material Technology", "南亚新材料", "南亞新材"),
    ),
    Supplier("ITEQ", "联茂", "TW", ("ITEQ Corporation", "联茂电子", "聯茂", "聯茂電子")),
    Supplier(
        "Elite Material",
        "台光电子",
        "TW",
        ("EMC", "Elite Material Co", "台光电", "台光", "台光電", "台光電子"),
    ),
    Supplier("TUC", "台耀", "TW", ("Taiwan Union Technology", "台燿", "台燿科技", "台耀科技")),
    Supplier(
        "Panasonic", "松下", "JP", ("Panasonic Industry", "松下电器", "松下電器", "パナソニック")
    ),
    Supplier("Isola", "伊索拉", "US", ("Isola Group",)),
    Supplier("Rogers", "罗杰斯", "US", ("Rogers Corporation", "Rogers Corp", "羅傑斯")),
    Supplier(
        "Taiwan Glass", "台玻", "TW", ("Taiwan Glass Industry", "台湾玻璃", "台灣玻璃", "台玻集团")
    ),
    Supplier(
        "Taishan Fiberglass",
        "泰山玻纤",
        "CN",
        ("Taishan Glass Fiber", "Taishan Fibreglass", "泰山玻璃纤维"),
    ),
    Supplier("Fulltech", "富乔", "TW", ("Fulltech Fiber Glass", "富喬", "富乔工业")),
    Supplier("Nuode", "诺德股份", "CN", ("Nuode New Materials", "Nuode Investment", "诺德")),
    Supplier("Jiayuan", "嘉元科技", "CN", ("Jiayuan Technology", "Guangdong Jiayuan", "嘉元")),
    Supplier("Defu", "德福科技", "CN", ("Defu Technology", "Jiujiang Defu", "德福")),
    Supplier(
        "Mitsui Kinzoku",
        "三井金属",
        "JP",
        ("Mitsui Mining & Smelting", "Mitsui Kinzoku Mining", "三井金屬", "三井金属矿业"),
    ),
    Supplier("Furukawa Electric", "古河电工", "JP", ("Furukawa", "古河電工")),
    Supplier("Fukuda Metal", "福田金属", "JP", ("Fukuda Metal Foil & Powder", "福田金屬")),
    Supplier("JX Advanced Metals", "JX金属", "JP", ("JX Nippon Mining & Metals", "JX Metals")),
    Supplier("Lotte Energy Materials", "乐天能源材料", "KR", ("Iljin Materials", "日进材料")),
    Supplier("Chang Chun Group", "长春集团", "TW", ("Chang Chun", "CCP", "長春集團", "长春化工")),
    Supplier("Co-Tech", "金居", "TW", ("Co-Tech Development", "金居开发", "金居開發")),
    Supplier("Ibiden", "揖斐电", "JP", ("揖斐電", "イビデン")),
    Supplier("Unimicron", "欣兴", "TW", ("Unimicron Technology", "欣兴电子", "欣興", "欣興電子")),
    Supplier("Kinsus", "景硕", "TW", ("Kinsus Interconnect", "景碩", "景硕科技")),
    Supplier(
        "Samsung Electro-Mechanics",
        "三星电机",
        "KR",
        ("SEMCO", "Samsung Electro Mechanics", "三星電機"),
    ),
    Supplier("Murata", "村田", "JP", ("Murata Manufacturing", "村田制作所", "村田製作所")),
    Supplier("Yageo", "国巨", "TW", ("國巨", "Yageo Corporation")),
    Supplier("Taiyo Yuden", "太阳诱电", "JP", ("太陽誘電", "太阳诱电株式会社")),
    Supplier("Walsin", "华新科", "TW", ("Walsin Technology", "華新科", "华新科技")),
    Supplier("Daiwa Securities", "大和证券", "JP", ("Daiwa",)),
    Supplier("NVIDIA", "英伟达", "US", ("Nvidia",)),
    Supplier("AMD", "AMD", "US", ("Advanced Micro Devices",)),
    Supplier("Apple", "苹果", "US", ()),
    Supplier("TSMC", "台积电", "TW", ("Taiwan Semiconductor",)),
    Supplier("Phison", "群联", "TW", ("Phison Electronics",)),
    Supplier("Silicon Motion", "慧荣", "TW", ("SMI",)),
    Supplier("Huawei", "华为", "CN", ()),
)


def alias_key(name: str) -> str:
    """How names are compared: Unicode-folded, case-folded, inner space collapsed.

    Punctuation is kept on purpose: "A.B" and "AB" may be different companies,
    and a key that merged them would merge their series silently.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"\s+", " ", folded).strip()


def alias_map(suppliers: tuple[Supplier, ...] | list[Supplier] = KNOWN) -> dict[str, str]:
    """alias key -> canonical name, for every name of every supplier."""
    out: dict[str, str] = {}
    for s in suppliers:
        for n in (s.name, s.name_zh, *s.aliases):
            if n:
                out.setdefault(alias_key(n), s.name)
    return out


def resolve(name: str, aliases: dict[str, str]) -> str:
    """The canonical name for `name`; an unknown name is kept (whitespace tidied)."""
    return aliases.get(alias_key(name), re.sub(r"\s+", " ", name).strip())
