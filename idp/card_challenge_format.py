"""The text of the hub's card challenge, shared by the hub (which issues and checks it)
and the card agent (which signs nothing else)::

    onedoor-card-challenge|v1|<issuer>|<purpose>|<nonce>|<unix time>

Standard library only: the card agent imports this module without the hub's
dependencies (importing ``idp`` itself loads nothing of the hub).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "onedoor-card-challenge|v1|"
#: How long a challenge stays valid after it was issued.
TTL_SECONDS = 120
PATTERN = re.compile(
    r"onedoor-card-challenge\|v1\|(?P<issuer>https?://[^|\s]+)\|(?P<purpose>[a-z]+)"
    r"\|(?P<nonce>[A-Za-z0-9_-]{22,64})\|(?P<time>[0-9]{10})"
)


@dataclass(frozen=True)
class ChallengeText:
    """The parts of a challenge, as written in it."""

    issuer: str
    purpose: str
    nonce: str
    issued_at: int  # unix time


def format_challenge(issuer: str, purpose: str, nonce: str, issued_at: int) -> str:
    return f"{PREFIX}{issuer}|{purpose}|{nonce}|{issued_at}"


def parse_challenge(text: str) -> ChallengeText | None:
    """The parts of ``text`` when it is a challenge in this format; None otherwise."""
    match = PATTERN.fullmatch(text)
    if match is None:
        return None
    return ChallengeText(match["issuer"], match["purpose"], match["nonce"], int(match["time"]))
