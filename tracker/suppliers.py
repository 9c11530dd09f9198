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


# Every company article 4 of the seed digest names, plus common spellings.
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
    # copper-clad laminate and copper foil makers the press names next to these materials
    Supplier("Kingboard", "建滔", "HK", ("Kingboard Laminates", "建滔积层板", "建滔集团")),
    Supplier("Shengyi", "生益科技", "CN", ("Shengyi Technology", "生益")),
    Supplier("Nan Ya Plastics", "南亚塑胶", "TW", ("Nan Ya", "南亚", "南亚新材")),
    Supplier("ITEQ", "联茂", "TW", ("ITEQ Corporation", "联茂电子")),
    Supplier("Elite Material", "台光电", "TW", ("EMC", "台光电子")),
    Supplier("Mitsui Kinzoku", "三井金属", "JP", ("Mitsui Mining & Smelting",)),
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
