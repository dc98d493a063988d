"""Return addresses (the language switch's ``next``): only a path on the hub, after the
browser's own URL parsing and every percent-decoding."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from idp.http.local_urls import local_path

HUB = "https://hub.example/account/profile"

ELSEWHERE = [
    "//evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/\x00/evil.example",
    "/%0d%0ax",
    "/\r\nSet-Cookie: x=1",
    "/%25%32%66%25%32%66evil.example",
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_addresses_leaving_the_hub_are_refused(target: str) -> None:
    assert local_path(target) == "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/", "/"),
        ("/account/profile?tab=2", "/account/profile?tab=2"),
        ("/bulletins/公告", "/bulletins/%E5%85%AC%E5%91%8A"),
        ("/search?q=a%20b", "/search?q=a%20b"),
    ],
)
def test_paths_on_the_hub_are_kept(target: str, expected: str) -> None:
    assert local_path(target) == expected


def browser_host(location: str) -> str | None:
    """Where a browser goes for ``location`` on a hub page, per the WHATWG URL rules
    that matter here: tabs and newlines dropped, leading C0 and spaces stripped,
    backslash read as slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).lstrip("".join(map(chr, range(0x21))))
    return urlsplit(urljoin(HUB, cleaned.replace("\\", "/"))).hostname


@given(st.text(alphabet=st.sampled_from("/\\%:.@?#2Ffc5Ctab \t\n\r\x00evil.example")))
def test_any_accepted_address_stays_on_the_hub(target: str) -> None:
    result = local_path(target)
    for form in (result, unquote(result), unquote(unquote(result))):
        assert browser_host(form) == "hub.example"
