"""Claims about a person, by scope (OpenID Connect Core section 5.4), shared by the
ID token and the userinfo endpoint.

With the ``subsystem`` scope a subsystem also learns the subsystem account the person
signed in as (帳號簽入): its name, unit, role, duty and menu roles. It learns only about
its own subsystem accounts, and only while they are bound to the person; its
``unit_code`` and ``unit_name`` then name the subsystem account's unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oidc.core import UserInfo
from sqlalchemy.orm import Session

from ..models import Account, SubsystemAccount
from ..services.accounts.contact import confirmed_addresses
from ..services.subsystems.bindings import signed_in_subsystem_account

#: Claims each scope releases; ``unit`` and ``subsystem`` are the hub's own.
SCOPE_CLAIMS = {
    "openid": ("sub",),
    "profile": ("name", "preferred_username", "updated_at"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "unit": ("unit_code", "unit_name", "unit_role"),
    "subsystem": ("subsystem_account", "unit_code", "unit_name", "role", "duty", "menu_roles"),
}


@dataclass(frozen=True)
class Principal:
    """Whom a code or token speaks for: the person, and the subsystem account they
    signed in to this client as."""

    account: Account
    subsystem_account: SubsystemAccount | None = None

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def subject(self) -> str:
        return self.account.subject


def principal_of(
    db: Session, account: Account, client_id: str, subsystem_account_id: int | None
) -> Principal:
    """The person, with the subsystem account only if it is still theirs and the client's."""
    return Principal(
        account, signed_in_subsystem_account(db, account.id, client_id, subsystem_account_id)
    )


def claims_supported() -> list[str]:
    return sorted(
        {claim for claims in SCOPE_CLAIMS.values() for claim in claims}
        | {"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash"}
    )


def user_claims(principal: Principal, scope: str) -> UserInfo:
    account = principal.account
    scopes = set(scope_to_list(scope) or [])
    claims: dict[str, object] = {"sub": account.subject}
    if "profile" in scopes:
        claims.update(
            name=account.name,
            preferred_username=account.username,
            updated_at=int(account.updated_at.timestamp()),
        )
    if "email" in scopes and account.email:
        # True once the person confirmed the address by the link mailed to it.
        claims.update(
            email=account.email,
            email_verified=account.email.strip().lower() in confirmed_addresses(account),
        )
    if "phone" in scopes and account.phone:
        claims.update(phone_number=account.phone, phone_number_verified=False)
    if "unit" in scopes and account.unit is not None:
        claims.update(
            unit_code=account.unit.code, unit_name=account.unit.name, unit_role=account.role.value
        )
    held = principal.subsystem_account
    if "subsystem" in scopes and held is not None:
        claims.update(
            subsystem_account=held.username,
            unit_code=held.unit.code,
            unit_name=held.unit.name,
            role=held.role.value,
            duty=held.duty,
            menu_roles=list(held.menu_roles),
        )
    return UserInfo(claims)
