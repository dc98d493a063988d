"""OpenID Connect Back-Channel Logout 1.0: logout tokens, and posting them to
subsystems from the outbox."""

from __future__ import annotations

import time
from typing import Any

import requests
from joserfc import jwt
from sqlalchemy.orm import Session

from ..hub import Hub
from ..models import Client, LogoutDelivery
from ..services.subsystems.clients import find_client

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TTL = 120


def logout_token(hub: Hub, client: Client, delivery: LogoutDelivery) -> str:
    """Section 2.4: iss, aud, iat, exp, jti, events, sub and sid; never a nonce."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": hub.settings.issuer_url,
        "aud": client.client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_TTL,
        "jti": delivery.jti,
        "events": {EVENT: {}},
        "sub": delivery.subject,
        "sid": delivery.sid,
    }
    key = hub.keyring.current().signer(client.id_token_signed_response_alg)
    header = {"alg": client.id_token_signed_response_alg, "kid": key.kid, "typ": "logout+jwt"}
    return jwt.encode(header, claims, key)


class LogoutSender:
    """Posts one logout token (section 2.5); anything but 200/204 is a failure."""

    def __init__(self, hub: Hub, db: Session) -> None:
        self.hub = hub
        self.db = db
        self.http = requests.Session()

    def __call__(self, delivery: LogoutDelivery) -> None:
        client = find_client(self.db, delivery.client_id)
        if client is None or client.disabled_at is not None:
            raise LookupError("client no longer registered")
        response = self.http.post(
            delivery.uri,
            data={"logout_token": logout_token(self.hub, client, delivery)},
            headers={"X-Request-Id": delivery.request_id} if delivery.request_id else {},
            timeout=self.hub.settings.backchannel_timeout_seconds,
            allow_redirects=False,
        )
        if response.status_code not in (200, 204):
            raise RuntimeError(f"HTTP {response.status_code}")
