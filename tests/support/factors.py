"""Second factors in tests: Chromium's virtual authenticator (the DevTools ``WebAuthn``
domain, through Playwright's CDP session) standing in for a passkey on the computer, and
authenticator-app codes computed as an app would."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from playwright.sync_api import Page

from idp.services.factors.totp import STEP_SECONDS


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
