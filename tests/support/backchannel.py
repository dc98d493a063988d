"""A subsystem's back-channel logout endpoint on 127.0.0.1, recording every call."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from .hub import free_port


@dataclass
class Call:
    logout_token: str
    request_id: str


@dataclass
class BackchannelReceiver:
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}/backchannel-logout"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        self.calls.append(
            Call(request.form.get("logout_token", ""), request.headers.get("X-Request-Id", ""))
        )
        return Response(status=200)(environ, start_response)

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
