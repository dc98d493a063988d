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
from werkzeug.serving import make_server

from .app import RelyingParty, create_rp

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


def main() -> None:
    issuer = os.environ.setdefault("IDP_ISSUER", f"http://127.0.0.1:{HUB_PORT}")
    instance = Path(os.environ.get("IDP_INSTANCE_PATH", "instance"))
    clients = json.loads((instance / "demo_clients.json").read_text())
    hub = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "idp.cli", "serve", "--port", str(HUB_PORT)]
    )
    try:
        wait_for(issuer + "/.well-known/openid-configuration")
        servers = []
        for client_id, info in clients.items():
            rp = RelyingParty(
                name=info["name"],
                client_id=client_id,
                client_secret=info["client_secret"],
                issuer=issuer,
                base_url=info["url"],
            )
            server = make_server("127.0.0.1", int(info["port"]), create_rp(rp), threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append((rp, server))
        print(f"\nOneDoor hub: {issuer}/")
        for rp, _ in servers:
            print(f"  {rp.name}: {rp.base_url}/")
        print("Demo accounts: see above (idp demo load). Ctrl-C stops everything.\n", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
        for _, server in servers:
            server.shutdown()
    finally:
        hub.terminate()
        hub.wait(10)


if __name__ == "__main__":
    main()
