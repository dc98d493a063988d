"""Claims about a person, by scope (OpenID Connect Core section 5.4), shared by the
ID token and the userinfo endpoint."""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core import UserInfo

from ..models import Account

#: Claims each scope releases; ``unit`` is the hub's own.
SCOPE_CLAIMS = {
    "openid": ("sub",),
    "profile": ("name", "preferred_username", "updated_at"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "unit": ("unit_code", "unit_name", "unit_role"),
}


def claims_supported() -> list[str]:
    return sorted(
        {claim for claims in SCOPE_CLAIMS.values() for claim in claims}
        | {"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash"}
    )


def user_claims(account: Account, scope: str) -> UserInfo:
    scopes = set(scope_to_list(scope) or [])
    claims: dict[str, object] = {"sub": account.subject}
    if "profile" in scopes:
        claims.update(
            name=account.name,
            preferred_username=account.username,
            updated_at=int(account.updated_at.timestamp()),
        )
    if "email" in scopes and account.email:
        # The hub does not verify addresses yet; say so rather than imply it.
        claims.update(email=account.email, email_verified=False)
    if "phone" in scopes and account.phone:
        claims.update(phone_number=account.phone, phone_number_verified=False)
    if "unit" in scopes and account.unit is not None:
        claims.update(
            unit_code=account.unit.code, unit_name=account.unit.name, unit_role=account.role.value
        )
    return UserInfo(claims)
