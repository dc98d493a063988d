"""The demo as ``make run`` starts it, for tests: a live hub in development mode with the
demo data (``idp demo load``'s ``load_demo``) and the three demo subsystems serving on
127.0.0.1 with the secrets it wrote, as ``clients/demo_rp/launch.py`` starts them."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from werkzeug.serving import make_server

from clients.demo_rp import RelyingParty, create_rp
from idp.demo import demo_clients_file, load_demo

from .hub import LiveHub, free_port, start_live_hub


@dataclass
class Demo:
    live: LiveHub
    #: The demo subsystems' addresses by client id (mch, cancer, cessation).
    urls: dict[str, str]


def three_free_ports() -> int:
    """The first of three free ports in a row (the demo subsystems take them)."""
    for _ in range(50):
        first = free_port()
        sockets = []
        try:
            for port in (first + 1, first + 2):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return first
    raise AssertionError("no three free ports in a row")


def start_demo(settings_for) -> Iterator[Demo]:  # type: ignore[no-untyped-def]
    for live in start_live_hub(settings_for, env="development"):
        first_port = three_free_ports()
        with live.hub.database.unit_of_work() as db:
            load_demo(db, live.hub, "http://127.0.0.1", first_port)
        clients = json.loads(demo_clients_file(live.hub).read_text())
        servers = []
        for client_id, info in clients.items():
            rp = RelyingParty(
                name=info["name"],
                client_id=client_id,
                client_secret=info["client_secret"],
                issuer=live.url,
                base_url=info["url"],
            )
            server = make_server("127.0.0.1", int(info["port"]), create_rp(rp), threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        try:
            yield Demo(live, {cid: info["url"] for cid, info in clients.items()})
        finally:
            for server in servers:
                server.shutdown()
