"""Passkeys and security keys (WebAuthn Level 2, with the ``webauthn`` library).

The relying party is the hub itself: its id is the issuer's host name and the only origin
accepted is the issuer's, so a credential made or used on any other site (a look-alike
page relaying the ceremony) is refused. Attestation is not asked for (``none``); a passkey
signing in without the password must have verified its user (PIN or biometric).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ...models import Account, Passkey
from .. import audit
from ..errors import DomainError, InvalidInput

#: The name the browser shows for the hub when it asks about a passkey.
RP_NAME = "OneDoor"
MAX_PER_ACCOUNT = 10
NAME_LENGTH = 50
CEREMONY_TIMEOUT_MS = 120_000
TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str

    @classmethod
    def of_issuer(cls, issuer: str) -> RelyingParty:
        """The issuer's host is the relying-party id, its origin the one origin accepted."""
        parts = urlsplit(issuer)
        return cls(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")

    @property
    def usable(self) -> bool:
        """Browsers take a host name as relying-party id, never an IP address: a hub
        reached at ``http://127.0.0.1`` offers no passkeys (use ``localhost``)."""
        try:
            ipaddress.ip_address(self.id)
        except ValueError:
            return bool(self.id)
        return False


class PasskeyRefused(DomainError):
    def __init__(self, reason: str, message: str = "通行密鑰驗證失敗，請重新操作") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Ceremony:
    """Options for the browser (JSON) and the challenge to check the answer against."""

    options: str
    challenge: bytes


def passkeys_of(db: Session, account: Account) -> list[Passkey]:
    return list(
        db.scalars(
            select(Passkey).where(Passkey.account_id == account.id).order_by(Passkey.created_at)
        )
    )


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id),
        transports=[AuthenticatorTransport(t) for t in passkey.transports if t in TRANSPORTS],
    )


def registration(rp: RelyingParty, account: Account, held: list[Passkey]) -> Ceremony:
    """Options for adding a passkey; the person's own are excluded (one authenticator,
    one credential). A discoverable credential is preferred, so that it can sign in alone."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_id=account.subject.encode(),
        user_name=account.username,
        user_display_name=account.name or account.username,
        timeout=CEREMONY_TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(p) for p in held],
    )
    return Ceremony(options_to_json(options), options.challenge)


def add_passkey(
    db: Session,
    rp: RelyingParty,
    account: Account,
    credential: Mapping[str, Any],
    challenge: bytes,
    name: str,
    ip: str,
) -> Passkey:
    """Keep a new passkey once the browser's answer checks out for this hub."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise InvalidInput("name", "請為通行密鑰取一個名稱（最多 {length} 字）", length=NAME_LENGTH)
    count = db.scalar(select(func.count(Passkey.id)).where(Passkey.account_id == account.id))
    if (count or 0) >= MAX_PER_ACCOUNT:
        raise DomainError("通行密鑰最多 {count} 個，請先移除不用的", count=MAX_PER_ACCOUNT)
    if not challenge:
        raise PasskeyRefused("challenge")
    try:
        verified = verify_registration_response(
            credential=json.loads(json.dumps(credential)),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused("registration") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        raise DomainError("此通行密鑰已註冊")
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, Mapping) else None
    passkey = Passkey(
        account_id=account.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name,
        synced=verified.credential_device_type is CredentialDeviceType.MULTI_DEVICE,
        transports=[t for t in transports or [] if t in TRANSPORTS],
    )
    db.add(passkey)
    db.flush()
    audit.record(
        db,
        "second_factor.add",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        kind="passkey",
        passkey=passkey.id,
    )
    return passkey


def authentication(rp: RelyingParty, held: list[Passkey] | None) -> Ceremony:
    """Options for signing in: with the person's passkeys after their password
    (``held``), or with any discoverable passkey of this hub, its user verified (None)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=[_descriptor(p) for p in held] if held is not None else [],
        user_verification=(
            UserVerificationRequirement.PREFERRED
            if held is not None
            else UserVerificationRequirement.REQUIRED
        ),
    )
    return Ceremony(options_to_json(options), options.challenge)


@dataclass(frozen=True)
class PasskeyUse:
    passkey: Passkey
    user_verified: bool

    @property
    def methods(self) -> list[str]:
        """RFC 8176: a key synced by its provider is a software-secured key (``swk``), one
        bound to its device a hardware-secured key (``hwk``); the user's presence was
        tested (``user``), and verified by the authenticator's PIN or biometric (``pin``)."""
        methods = ["swk" if self.passkey.synced else "hwk", "user"]
        return [*methods, "pin"] if self.user_verified else methods


def use_passkey(
    db: Session,
    rp: RelyingParty,
    credential: Mapping[str, Any],
    challenge: bytes,
    *,
    account: Account | None,
    require_user_verification: bool,
    now: datetime,
) -> PasskeyUse:
    """Check a passkey's answer to this browser session's challenge: it must be one of
    ``account``'s passkeys (any of the hub's when None), signed for this hub's origin."""
    credential_id = credential.get("id")
    passkey = (
        db.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
        if isinstance(credential_id, str) and challenge
        else None
    )
    if passkey is None or (account is not None and passkey.account_id != account.id):
        raise PasskeyRefused("unknown")
    try:
        verified = verify_authentication_response(
            credential=json.loads(json.dumps(credential)),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=require_user_verification,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused("assertion") from exc
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    return PasskeyUse(passkey, verified.user_verified)
