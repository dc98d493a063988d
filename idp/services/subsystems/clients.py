"""Subsystems registered as OpenID Connect clients.

Client secrets are high-entropy random values, so they are stored as a keyed hash
(HMAC-SHA-256), not a slow password hash: checking one costs microseconds.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Client
from ..errors import InvalidInput
from ..key_derivation import derive_key, keyed_hash
from ..signin.steps import ACR_VALUES

#: Scopes a subsystem may ask for on behalf of a person.
PERSON_SCOPES = ("openid", "profile", "email", "phone", "unit", "subsystem", "offline_access")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
ID_TOKEN_ALGS = ("RS256", "ES256")
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ClientSecrets:
    def __init__(self, hub_secret: str) -> None:
        self._key = derive_key(hub_secret, "client-secret")

    def hash(self, secret: str) -> str:
        return keyed_hash(self._key, secret)

    def check(self, stored_hash: str, secret: str) -> bool:
        if not stored_hash:
            return False
        return hmac.compare_digest(stored_hash, self.hash(secret))


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
    if "authorization_code" in reg.grant_types and not reg.redirect_uris:
        raise InvalidInput("redirect_uris", "授權碼流程至少需要一個 redirect URI")
    for uri in reg.redirect_uris:
        validate_uri(uri, "redirect_uris")
    for uri in reg.post_logout_redirect_uris:
        validate_uri(uri, "post_logout_redirect_uris")
    if reg.backchannel_logout_uri:
        validate_uri(reg.backchannel_logout_uri, "backchannel_logout_uri")
    if reg.initiate_login_uri:
        validate_uri(reg.initiate_login_uri, "initiate_login_uri")
    if reg.min_acr and reg.min_acr not in ACR_VALUES:
        raise InvalidInput("min_acr", "不支援的驗證等級（acr）", acr=reg.min_acr)


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
    )
    db.add(client)
    db.flush()
    return client, secret


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
