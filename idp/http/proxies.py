"""Which reverse proxies may say who the client is.

``X-Forwarded-For`` (and ``-Proto``, ``-Host``) are honoured only on a request whose peer
is one of the configured proxy addresses (``IDP_TRUSTED_PROXIES``); from anyone else they
are ignored, so a client cannot choose the address its failures are counted under. The
client is the last address in ``X-Forwarded-For`` that is not itself a trusted proxy.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class TrustedProxies:
    """WSGI middleware: the client's address, scheme and host as the trusted proxies
    give them."""

    def __init__(self, app: WSGIApplication, networks: Iterable[IPv4Network | IPv6Network]) -> None:
        self.app = app
        self.networks = tuple(networks)

    def trusted(self, address: str) -> bool:
        try:
            ip = ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str) -> str:
        """The client's address: ``peer``, or when it is a trusted proxy the last address
        in ``forwarded_for`` not itself trusted (a malformed one ends the walk)."""
        client = peer
        if not self.trusted(peer):
            return client
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            try:
                ip_address(hop)
            except ValueError:
                break
            client = hop
            if not self.trusted(hop):
                break
        return client

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if self.trusted(peer):
            environ["REMOTE_ADDR"] = self.client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[-1].strip()
            if host:
                environ["HTTP_HOST"] = host
        return self.app(environ, start_response)
