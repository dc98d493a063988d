"""Demo subsystems (clients/demo_rp) running as live servers beside a live hub."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from werkzeug.serving import make_server

from clients.demo_rp import RelyingParty, create_rp

from .helpers import add_client
from .hub import LiveHub, free_port


@dataclass
class LiveRP:
    rp: RelyingParty
    url: str


def start_rps(live: LiveHub, names: tuple[str, ...]) -> Iterator[list[LiveRP]]:
    servers = []
    rps = []
    for name in names:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        client = add_client(
            live.hub,
            client_id=name,
            name=name,
            redirect_uris=[base + "/callback"],
            post_logout_redirect_uris=[base + "/"],
            backchannel_logout_uri=base + "/backchannel-logout",
            initiate_login_uri=base + "/initiate-login",
        )
        rp = RelyingParty(
            name=name,
            client_id=name,
            client_secret=client.secret or "",
            issuer=live.url,
            base_url=base,
        )
        server = make_server("127.0.0.1", port, create_rp(rp), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        rps.append(LiveRP(rp, base))
    try:
        yield rps
    finally:
        for server in servers:
            server.shutdown()
