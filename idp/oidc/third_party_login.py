"""OpenID Connect Core 1.0 section 4, Initiating Login from a Third Party.

For 帳號簽入 the hub is the third party: it sends the browser to the subsystem's
registered ``initiate_login_uri`` with ``iss`` (this hub), ``login_hint`` (the chosen
binding's public id) and ``target_link_uri`` (the subsystem's own start page). The
subsystem checks ``iss``, then starts an ordinary authorization request carrying the
``login_hint``; the authorization endpoint decides whose binding that is
(``subsystem_login``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri

from ..models import Binding, Client


def target_link_uri(client: Client) -> str:
    """The subsystem's start page: the root of its ``initiate_login_uri``'s origin."""
    parts = urlsplit(client.initiate_login_uri)
    return f"{parts.scheme}://{parts.netloc}/"


def initiate_login_url(client: Client, issuer: str, binding: Binding) -> str | None:
    """Where to send the browser to sign in to ``client`` as ``binding``; None when the
    client registered no ``initiate_login_uri``."""
    if not client.initiate_login_uri:
        return None
    return add_params_to_uri(
        client.initiate_login_uri,
        [
            ("iss", issuer),
            ("login_hint", binding.public_id),
            ("target_link_uri", target_link_uri(client)),
        ],
    )
