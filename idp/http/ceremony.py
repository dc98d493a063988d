"""A passkey ceremony's server side of the page: the options go to the browser, the
challenge stays in the server-side browser session, for one purpose, and is taken back
once when the authenticator's answer is posted."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from flask import Response, abort, session

from ..services.factors.passkeys import Ceremony
from .context import client_ip, current_hub

CHALLENGE = "passkey_challenge"
CHALLENGE_SECONDS = 300


def start(ceremony: Ceremony, purpose: str) -> Response:
    """The ceremony's options for the page (limited per address, like sign-ins)."""
    hub = current_hub()
    if not hub.relying_party.usable:
        abort(404)
    if not hub.throttle().allow("passkey_options", client_ip()):
        abort(429)
    session[CHALLENGE] = {
        "purpose": purpose,
        "challenge": base64.urlsafe_b64encode(ceremony.challenge).decode("ascii"),
        "at": time.time(),
    }
    return Response(ceremony.options, mimetype="application/json")


def take_challenge(purpose: str) -> bytes:
    """The challenge given to this browser for ``purpose``, once; empty when there is none."""
    stored = session.pop(CHALLENGE, None)
    if not stored or stored["purpose"] != purpose or time.time() - stored["at"] > CHALLENGE_SECONDS:
        return b""
    return base64.urlsafe_b64decode(stored["challenge"])


def answer(raw: str | None) -> dict[str, Any] | None:
    """The authenticator's answer as the page posted it (JSON), if it is an object."""
    try:
        value = json.loads(raw or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
