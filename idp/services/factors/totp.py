"""Authenticator-app codes (TOTP, RFC 6238): six digits, a new one every 30 seconds.

A code is accepted for its own time step and the one before or after it (clocks drift),
and only once: a step whose code was taken is never taken again, nor any step before it.
The secret is sealed at rest (``key_derivation.Sealer``) and shown once, as a QR code
and as text, while the person sets the app up.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, AuthenticatorApp
from ...store import Store
from .. import audit
from ..errors import DomainError, InvalidInput
from ..key_derivation import Sealer

STEP_SECONDS = 30
DIGITS = 6
#: Steps either side of now whose code is still accepted.
WINDOW = 1
#: The name an authenticator app shows beside the account.
ISSUER_NAME = "OneDoor"


class TotpBox(Sealer):
    """Seals authenticator-app secrets with a key of their own."""

    def __init__(self, secret_key: str) -> None:
        super().__init__(secret_key, "totp-secret")


def new_secret() -> str:
    """160 random bits, base32 (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER_NAME
    )


def qr_code(uri: str) -> str:
    """The URI as a QR code: an SVG image as a ``data:`` URL, drawn by the hub."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def grouped(secret: str) -> str:
    """The secret for typing by hand, in groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _step_of(secret: str, code: str, now: datetime) -> int | None:
    """The time step within the window whose code ``code`` is, if any."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _take_step(store: Store, account_id: int, step: int) -> bool:
    """Atomically, for every server process: True for the first taker of a step."""
    ttl = STEP_SECONDS * (2 * WINDOW + 2)
    return store.add(f"totp:used:{account_id}:{step}", b"1", ttl)


def app_of(db: Session, account: Account) -> AuthenticatorApp | None:
    return db.scalar(select(AuthenticatorApp).where(AuthenticatorApp.account_id == account.id))


def check_code(store: Store, box: TotpBox, app: AuthenticatorApp, code: str, now: datetime) -> bool:
    """Whether ``code`` is the app's code for now (±1 step) and not one used before; a
    code accepted here is used up."""
    step = _step_of(box.open(app.secret_sealed), code, now)
    if step is None or step <= app.last_step or not _take_step(store, app.account_id, step):
        return False
    app.last_step = step
    app.last_used_at = now
    return True


def enrol(
    db: Session,
    store: Store,
    box: TotpBox,
    account: Account,
    secret: str,
    code: str,
    now: datetime,
    ip: str,
) -> AuthenticatorApp:
    """Keep the app the person set up, once its first code is right."""
    if app_of(db, account) is not None:
        raise DomainError("已設定驗證器 App；若要更換，請先移除原本的設定")
    step = _step_of(secret, code, now)
    if step is None or not _take_step(store, account.id, step):
        raise InvalidInput("code", "驗證碼不正確，請輸入驗證器 App 目前顯示的 6 位數字")
    app = AuthenticatorApp(
        account_id=account.id, secret_sealed=box.seal(secret), last_step=step, last_used_at=now
    )
    db.add(app)
    audit.record(
        db,
        "second_factor.add",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        kind="totp",
    )
    return app
