"""``make run``: the hub (``idp serve``) and the three demo subsystems, until Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import BaseWSGIServer, make_server

from .app import RelyingParty, create_rp

Served = tuple[RelyingParty, BaseWSGIServer]

HUB_PORT = int(os.environ.get("DEMO_HUB_PORT", "5000"))


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def start_subsystems(issuer: str, instance: Path, host: str = "127.0.0.1") -> list[Served]:
    """The three demo subsystems of ``instance/demo_clients.json``, each serving on its
    port in a thread, until ``shutdown()``."""
    clients = json.loads((instance / "demo_clients.json").read_text())
    servers = []
    for client_id, info in clients.items():
        rp = RelyingParty(
            name=info["name"],
            client_id=client_id,
            client_secret=info["client_secret"],
            issuer=issuer,
            base_url=info["url"],
        )
        server = make_server(host, int(info["port"]), create_rp(rp), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((rp, server))
    return servers


def wait_for_signal() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def main() -> None:
    issuer = os.environ.setdefault("IDP_ISSUER", f"http://127.0.0.1:{HUB_PORT}")
    instance = Path(os.environ.get("IDP_INSTANCE_PATH", "instance"))
    hub = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "idp.cli", "serve", "--port", str(HUB_PORT)]
    )
    try:
        wait_for(issuer + "/.well-known/openid-configuration")
        servers = start_subsystems(issuer, instance)
        print(f"\nOneDoor hub: {issuer}/")
        for rp, _ in servers:
            print(f"  {rp.name}: {rp.base_url}/")
        print("Demo accounts: see above (idp demo load). Ctrl-C stops everything.\n", flush=True)
        wait_for_signal()
        for _, server in servers:
            server.shutdown()
    finally:
        hub.terminate()
        hub.wait(10)


def subsystems_only() -> None:
    """The demo subsystems alone, for a hub running elsewhere (the compose file's
    ``demo`` service): ``python -m clients.demo_rp.launch --subsystems-only``."""
    issuer = os.environ["IDP_ISSUER"]
    instance = Path(os.environ.get("IDP_INSTANCE_PATH", "instance"))
    wait_for(issuer + "/.well-known/openid-configuration", seconds=120)
    servers = start_subsystems(issuer, instance, host="0.0.0.0")  # noqa: S104 - in a container
    for rp, _ in servers:
        print(f"{rp.name}: {rp.base_url}/", flush=True)
    wait_for_signal()
    for _, server in servers:
        server.shutdown()


if __name__ == "__main__":
    if sys.argv[1:] == ["--subsystems-only"]:
        subsystems_only()
    else:
        main()
