"""Second factors in tests: Chromium's virtual authenticator (the DevTools ``WebAuthn``
domain, through Playwright's CDP session) standing in for a passkey on the computer;
authenticator-app codes computed as an app would; factors set up directly; and the
sign-in's second step answered by a browser-less person."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urljoin

import pyotp
import requests
from playwright.sync_api import Page

from idp.hub import Hub
from idp.models import utcnow
from idp.services.accounts.directory import find_by_username
from idp.services.factors import recovery, totp
from idp.services.factors.totp import STEP_SECONDS

from .helpers import Person, forms


class VirtualAuthenticator:
    """A platform authenticator (like Windows Hello or Touch ID) that holds discoverable
    credentials and verifies its user, attached to ``page``'s browser context."""

    def __init__(self, page: Page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        answer = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        self.id = answer["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        answer = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})
        credentials: list[dict[str, Any]] = answer["credentials"]
        return credentials


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The app's code ``offset_steps`` time steps from now, taken clear of a step's end so
    that the hub reads the same step as now."""
    if STEP_SECONDS - time.time() % STEP_SECONDS < 3:
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.2)
    return pyotp.TOTP(secret).at(time.time() + offset_steps * STEP_SECONDS)


def secret_from_page(text: str) -> str:
    """The setup key as the page shows it (in groups of four)."""
    return "".join(text.split())


def enrol_app(hub: Hub, username: str) -> str:
    """An authenticator app set up for ``username`` (its first code, of this time step,
    used); returns the secret."""
    secret = pyotp.random_base32()
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        assert account is not None
        totp.enrol(
            db, hub.store, hub.totp_box, account, secret, pyotp.TOTP(secret).now(), utcnow(), ""
        )
    return secret


def new_recovery_codes(hub: Hub, username: str) -> list[str]:
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        assert account is not None
        return recovery.generate(db, hub.recovery_codes, account, "")


def second_step(
    person: Person, page: requests.Response, method: str, code: str
) -> requests.Response:
    """Answer the sign-in's second step (``totp`` or ``recovery``) on its page."""
    form = next(f for f in forms(page.text) if f["fields"].get("method") == method)
    data = dict(form["fields"], code=code)
    return person.http.post(urljoin(page.url, form["action"]), data=data, allow_redirects=False)
