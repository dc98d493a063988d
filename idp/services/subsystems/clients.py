"""Subsystems registered as OpenID Connect clients.

Client secrets are high-entropy random values, so they are stored as a keyed hash
(HMAC-SHA-256), not a slow password hash: checking one costs microseconds.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Client, utcnow
from .. import audit
from ..errors import FormErrors, InvalidInput, NotFound, Text, text
from ..key_derivation import derive_key, keyed_hash
from ..signin.steps import ACR_VALUES
from ..tokens.revocation import Revocation

#: Scopes a subsystem may ask for on behalf of a person.
PERSON_SCOPES = ("openid", "profile", "email", "phone", "unit", "subsystem", "offline_access")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
ID_TOKEN_ALGS = ("RS256", "ES256")
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
#: A scope token (RFC 6749 section 3.3).
SCOPE_PATTERN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,64}$")
#: The longest grace period an old secret may be given at a rotation.
MAX_SECRET_GRACE = timedelta(days=30)


class ClientSecrets:
    def __init__(self, hub_secret: str) -> None:
        self._key = derive_key(hub_secret, "client-secret")

    def hash(self, secret: str) -> str:
        return keyed_hash(self._key, secret)

    def check(self, stored_hash: str, secret: str) -> bool:
        if not stored_hash:
            return False
        return hmac.compare_digest(stored_hash, self.hash(secret))

    def check_either(
        self, stored_hash: str, previous_hash: str, previous_until: datetime | None, secret: str
    ) -> bool:
        """The current secret, or the one a rotation replaced while its grace lasts."""
        if self.check(stored_hash, secret):
            return True
        return (
            previous_until is not None
            and utcnow() < previous_until
            and self.check(previous_hash, secret)
        )


@dataclass(frozen=True)
class Actor:
    """Who changes the registry, as the audit log names them: ``cli``, or an account."""

    name: str
    account_id: int | None = None
    ip: str = ""

    def audit_fields(self) -> dict[str, Any]:
        return {"actor": self.name, "actor_account_id": self.account_id, "ip": self.ip}


@dataclass
class ClientRegistration:
    name: str
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    backchannel_logout_uri: str = ""
    #: OpenID Connect Core section 4: where the hub starts a sign-in chosen at the hub.
    initiate_login_uri: str = ""
    grant_types: list[str] = field(default_factory=lambda: ["authorization_code"])
    scope: str = " ".join(PERSON_SCOPES)
    token_endpoint_auth_method: str = "client_secret_basic"
    first_party: bool = True
    id_token_signed_response_alg: str = "RS256"
    client_id: str | None = None
    #: The weakest ``acr`` accepted (step-up below it); empty: any.
    min_acr: str = ""
    contact: str = ""


@dataclass
class ClientSettings:
    """What the authority may change of a registered subsystem."""

    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    backchannel_logout_uri: str
    initiate_login_uri: str
    min_acr: str
    scope: str
    contact: str

    @classmethod
    def of(cls, client: Client) -> ClientSettings:
        return cls(
            redirect_uris=list(client.redirect_uris),
            post_logout_redirect_uris=list(client.post_logout_redirect_uris),
            backchannel_logout_uri=client.backchannel_logout_uri,
            initiate_login_uri=client.initiate_login_uri,
            min_acr=client.min_acr,
            scope=client.scope,
            contact=client.contact,
        )


def validate_uri(uri: str, field_name: str) -> str:
    """Absolute http(s) URL without a fragment; plain http only for loopback hosts."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(field_name, "網址須為完整的 http(s) 網址", uri=uri)
    if parts.fragment:
        raise InvalidInput(field_name, "網址不可含有 # 片段", uri=uri)
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInput(field_name, "非本機網址必須使用 https", uri=uri)
    return uri


def _settings_problems(reg: ClientRegistration) -> dict[str, list[Text]]:
    """What is wrong with the settings the authority may change later, by field."""
    problems: dict[str, list[Text]] = {}

    def check(name: str, value: str) -> None:
        try:
            validate_uri(value, name)
        except InvalidInput as refused:
            problems.setdefault(name, []).append(refused.text)

    if "authorization_code" in reg.grant_types and not reg.redirect_uris:
        problems["redirect_uris"] = [text("授權碼流程至少需要一個 redirect URI")]
    for uri in reg.redirect_uris:
        check("redirect_uris", uri)
    for uri in reg.post_logout_redirect_uris:
        check("post_logout_redirect_uris", uri)
    if reg.backchannel_logout_uri:
        check("backchannel_logout_uri", reg.backchannel_logout_uri)
    if reg.initiate_login_uri:
        check("initiate_login_uri", reg.initiate_login_uri)
    if reg.min_acr and reg.min_acr not in ACR_VALUES:
        problems["min_acr"] = [text("不支援的驗證等級（acr）")]
    words = reg.scope.split()
    bad = [w for w in words if not SCOPE_PATTERN.fullmatch(w)]
    if not words:
        problems["scope"] = [text("請至少允許一個 scope")]
    elif bad:
        problems["scope"] = [text("scope 格式不正確：{scopes}", scopes=" ".join(bad))]
    if len(reg.contact) > 300:
        problems["contact"] = [text("不可超過 {max} 字", max=300)]
    return problems


def _validate(reg: ClientRegistration) -> None:
    if not reg.name.strip():
        raise InvalidInput("name", "請輸入名稱")
    if reg.client_id is not None and not CLIENT_ID_PATTERN.fullmatch(reg.client_id):
        raise InvalidInput("client_id", "client_id 只能使用英數字與 . _ -，長度 3 至 64")
    unknown = set(reg.grant_types) - set(GRANT_TYPES)
    if unknown or not reg.grant_types:
        raise InvalidInput("grant_types", "不支援的授權類型", grant_types=sorted(unknown))
    if reg.token_endpoint_auth_method not in AUTH_METHODS:
        raise InvalidInput("token_endpoint_auth_method", "不支援的用戶端驗證方式")
    if reg.id_token_signed_response_alg not in ID_TOKEN_ALGS:
        raise InvalidInput("id_token_signed_response_alg", "不支援的簽章演算法")
    public = reg.token_endpoint_auth_method == "none"
    if public and "client_credentials" in reg.grant_types:
        raise InvalidInput("grant_types", "公開用戶端不可使用 client_credentials")
    for name, texts in _settings_problems(reg).items():
        raise InvalidInput(name, texts=texts)


def register_client(
    db: Session, client_secrets: ClientSecrets, reg: ClientRegistration
) -> tuple[Client, str | None]:
    """Create the client; returns it with its secret (shown once, stored only hashed)."""
    _validate(reg)
    client_id = reg.client_id or secrets.token_urlsafe(16)
    if find_client(db, client_id) is not None:
        raise InvalidInput("client_id", "此 client_id 已被使用")
    secret = None
    if reg.token_endpoint_auth_method != "none":
        secret = secrets.token_urlsafe(32)
    client = Client(
        client_id=client_id,
        name=reg.name.strip(),
        secret_hash=client_secrets.hash(secret) if secret else "",
        token_endpoint_auth_method=reg.token_endpoint_auth_method,
        redirect_uris=list(reg.redirect_uris),
        post_logout_redirect_uris=list(reg.post_logout_redirect_uris),
        backchannel_logout_uri=reg.backchannel_logout_uri,
        initiate_login_uri=reg.initiate_login_uri,
        grant_types=list(reg.grant_types),
        scope=reg.scope,
        first_party=reg.first_party,
        id_token_signed_response_alg=reg.id_token_signed_response_alg,
        min_acr=reg.min_acr,
        contact=reg.contact.strip(),
    )
    db.add(client)
    db.flush()
    return client, secret


def record_registration(db: Session, client: Client, *, by: Actor) -> None:
    audit.record(
        db,
        "client.create",
        target=client.client_id,
        name=client.name,
        redirect_uris=client.redirect_uris,
        **by.audit_fields(),
    )


def reset_secret(db: Session, client_secrets: ClientSecrets, client: Client) -> str:
    secret = secrets.token_urlsafe(32)
    client.secret_hash = client_secrets.hash(secret)
    return secret


def find_client(db: Session, client_id: str) -> Client | None:
    return db.scalar(select(Client).where(Client.client_id == client_id))


def list_clients(db: Session) -> list[Client]:
    return list(db.scalars(select(Client).order_by(Client.client_id)))


def require_acr(db: Session, client_id: str, acr: str) -> Client:
    """Set the weakest ``acr`` a subsystem accepts (empty: any)."""
    client = find_client(db, client_id)
    if client is None:
        raise InvalidInput("client_id", "查無此子系統")
    if acr and acr not in ACR_VALUES:
        raise InvalidInput("min_acr", "不支援的驗證等級（acr）", acr=acr)
    client.min_acr = acr
    return client


def registered(db: Session, client_id: str) -> Client:
    client = find_client(db, client_id)
    if client is None:
        raise NotFound("查無此子系統")
    return client


def edit_client(db: Session, client_id: str, settings: ClientSettings, *, by: Actor) -> list[str]:
    """Change a subsystem's settings; returns the names of the fields changed (audited
    with their old and new values). Every refused field is reported at once."""
    client = registered(db, client_id)
    settings.backchannel_logout_uri = settings.backchannel_logout_uri.strip()
    settings.initiate_login_uri = settings.initiate_login_uri.strip()
    settings.scope = " ".join(settings.scope.split())
    settings.contact = settings.contact.strip()
    reg = ClientRegistration(
        name=client.name,
        redirect_uris=settings.redirect_uris,
        post_logout_redirect_uris=settings.post_logout_redirect_uris,
        backchannel_logout_uri=settings.backchannel_logout_uri,
        initiate_login_uri=settings.initiate_login_uri,
        grant_types=list(client.grant_types),
        scope=settings.scope,
        token_endpoint_auth_method=client.token_endpoint_auth_method,
        min_acr=settings.min_acr,
        contact=settings.contact,
    )
    problems = _settings_problems(reg)
    if problems:
        raise FormErrors(problems)
    before = ClientSettings.of(client)
    changed = {
        f.name: (getattr(before, f.name), getattr(settings, f.name))
        for f in fields(ClientSettings)
        if getattr(before, f.name) != getattr(settings, f.name)
    }
    for name, (_old, new) in changed.items():
        setattr(client, name, list(new) if isinstance(new, list) else new)
    if changed:
        audit.record(
            db,
            "client.edit",
            target=client_id,
            changes={name: {"from": old, "to": new} for name, (old, new) in changed.items()},
            **by.audit_fields(),
        )
    return list(changed)


def disable_client(db: Session, revocation: Revocation, client_id: str, *, by: Actor) -> Client:
    """Refuse the subsystem at every endpoint (``invalid_client``) and revoke every grant
    made to it, so its access and refresh tokens stop working at once."""
    client = registered(db, client_id)
    if client.disabled_at is not None:
        raise InvalidInput("client_id", "此子系統已停用")
    client.disabled_at = utcnow()
    revoked = revocation.client(db, client_id, "client_disabled")
    audit.record(
        db, "client.disable", target=client_id, grants_revoked=revoked, **by.audit_fields()
    )
    return client


def enable_client(db: Session, client_id: str, *, by: Actor) -> Client:
    """Accept the subsystem again; the grants revoked when it was disabled stay revoked."""
    client = registered(db, client_id)
    if client.disabled_at is None:
        raise InvalidInput("client_id", "此子系統已在使用中")
    client.disabled_at = None
    audit.record(db, "client.enable", target=client_id, **by.audit_fields())
    return client


def rotate_secret(
    db: Session,
    client_secrets: ClientSecrets,
    client_id: str,
    grace: timedelta,
    *,
    by: Actor,
) -> str:
    """A new secret (returned once, stored hashed); the old one keeps working for
    ``grace`` (zero: not at all), replacing any older secret still in its grace."""
    client = registered(db, client_id)
    if client.token_endpoint_auth_method == "none":
        raise InvalidInput("client_id", "公開用戶端沒有密鑰")
    if grace < timedelta(0) or grace > MAX_SECRET_GRACE:
        raise InvalidInput("grace", "寬限期須介於 0 至 {days} 天", days=MAX_SECRET_GRACE.days)
    secret = secrets.token_urlsafe(32)
    until = utcnow() + grace
    client.previous_secret_hash = client.secret_hash if grace else ""
    client.previous_secret_until = until if grace else None
    client.secret_hash = client_secrets.hash(secret)
    audit.record(
        db,
        "client.rotate_secret",
        target=client_id,
        grace_until=until.isoformat() if grace else "",
        **by.audit_fields(),
    )
    return secret
