"""縣市 and 區域: Taiwan's 22 counties and cities, their districts, and where an address is.

The names and their order come from ``idp/data/districts.yaml``. ``place_of`` reads the
county and district at the start of an address as the national lists write it, and also
as older lists do: 台 for 臺, a postal code in front, and the counties merged into cities
in 2010 and 2014, whose 鄉, 鎮 and 縣轄市 became 區 of the same name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

DISTRICTS_FILE = Path(__file__).resolve().parents[2] / "data" / "districts.yaml"

FORMER_COUNTIES = {
    "臺北縣": "新北市",
    "桃園縣": "桃園市",
    "臺中縣": "臺中市",
    "臺南縣": "臺南市",
    "高雄縣": "高雄市",
}
PROVINCES = ("臺灣省", "福建省")
VARIANTS = str.maketrans({"台": "臺"})
SPACES = re.compile(r"\s+")
#: Whatever comes before the first Chinese character: a postal code, brackets.
PREFIX = re.compile(r"^[^\u4e00-\u9fff]+")


@cache
def _table() -> dict[str, tuple[str, ...]]:
    data: dict[str, list[str]] = yaml.safe_load(DISTRICTS_FILE.read_text(encoding="utf-8"))
    return {county: tuple(names) for county, names in data.items()}


def counties() -> list[str]:
    return list(_table())


def districts(county: str) -> list[str]:
    """The county's districts in the national order; none for an unknown county."""
    return list(_table().get(county, ()))


@cache
def _suffixes() -> frozenset[str]:
    """The last characters of district names: 區, 鄉, 鎮, 市."""
    return frozenset(name[-1] for names in _table().values() for name in names)


@cache
def _stems(county: str) -> tuple[tuple[str, str], ...]:
    """(name without its last character, name) of the county's districts, longest first,
    so that 南屯區 is tried before 南區."""
    pairs = ((name[:-1], name) for name in _table()[county])
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def _county_at(address: str) -> tuple[str, str]:
    """The county the address starts with (as named today), and the rest of it."""
    for name in (*_table(), *FORMER_COUNTIES):
        if address.startswith(name):
            return FORMER_COUNTIES.get(name, name), address[len(name) :]
    return "", address


def _district_at(county: str, rest: str) -> str:
    suffixes = _suffixes()
    for stem, name in _stems(county):
        if rest.startswith(stem) and rest[len(stem) : len(stem) + 1] in suffixes:
            return name
    return ""


def place_of(address: str) -> tuple[str, str]:
    """(county, district) of a Taiwanese address; ("", "") when the county is unknown,
    (county, "") when only the district is."""
    rest = SPACES.sub("", unicodedata.normalize("NFKC", address)).translate(VARIANTS)
    rest = PREFIX.sub("", rest)
    for province in PROVINCES:
        rest = rest.removeprefix(province)
    county, rest = _county_at(rest)
    if not county:
        return "", ""
    return county, _district_at(county, rest)
