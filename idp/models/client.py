"""Subsystems (子系統) registered as OpenID Connect clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: HMAC-SHA-256 of the secret under a key derived from the hub secret; empty for
    #: public clients (``token_endpoint_auth_method`` ``none``).
    secret_hash: Mapped[str] = mapped_column(String(128), default="")
    #: The secret replaced by the last rotation, accepted until ``previous_secret_until``
    #: (the grace period the authority gave); empty when there is none.
    previous_secret_hash: Mapped[str] = mapped_column(String(128), default="", server_default="")
    previous_secret_until: Mapped[datetime | None] = mapped_column(default=None)
    token_endpoint_auth_method: Mapped[str] = mapped_column(
        String(32), default="client_secret_basic"
    )
    redirect_uris: Mapped[list[str]] = mapped_column(default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(default=list)
    backchannel_logout_uri: Mapped[str] = mapped_column(String(500), default="")
    #: Where the hub starts a sign-in the person chose at the hub (帳號簽入; OpenID Connect
    #: Core section 4); empty when the subsystem takes no third-party-initiated login.
    initiate_login_uri: Mapped[str] = mapped_column(String(500), default="", server_default="")
    grant_types: Mapped[list[str]] = mapped_column(default=list)
    #: Space-separated scopes the client may ask for.
    scope: Mapped[str] = mapped_column(String(500), default="")
    #: First-party subsystems skip the consent page unless ``prompt=consent`` asks for it.
    first_party: Mapped[bool] = mapped_column(default=True)
    id_token_signed_response_alg: Mapped[str] = mapped_column(String(10), default="RS256")
    #: The weakest ``acr`` the subsystem accepts; a weaker session must step up (sign in
    #: with a card) before a code is issued. Empty: any.
    min_acr: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: Who runs the subsystem (name, telephone, mail), free text for the authority.
    contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
