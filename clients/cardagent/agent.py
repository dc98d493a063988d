"""The agent's HTTP side: CORS for the allowlisted hub origins only, a Host check
against DNS rebinding, and the challenge check that keeps it from signing anything a
web page chooses."""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from idp.card_challenge_format import TTL_SECONDS, parse_challenge

from . import readers, token
from .token import CardError

log = logging.getLogger("cardagent")

MAX_BODY = 16 * 1024
#: Clock difference between the hub and this computer that is still accepted.
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class AgentConfig:
    module: str
    origins: frozenset[str]
    host: str = "127.0.0.1"
    port: int = 61180


def challenge_problem(challenge: str, origin: str, now: float | None = None) -> str | None:
    """Why this is not a fresh challenge of the hub at ``origin``; None when it is."""
    parts = parse_challenge(challenge)
    if parts is None:
        return "not a hub challenge"
    issuer = urlsplit(parts.issuer)
    if f"{issuer.scheme}://{issuer.netloc}" != origin:
        return "challenge of another site"
    now = time.time() if now is None else now
    if abs(now - parts.issued_at) > TTL_SECONDS + CLOCK_SKEW_SECONDS:
        return "challenge expired"
    return None


class AgentServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        super().__init__((config.host, config.port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: AgentServer
    server_version = "OneDoorCardAgent/1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)  # never bodies: PINs

    # Checks ---------------------------------------------------------------------------

    def _origin(self) -> str | None:
        """The request's origin when it is allowed and the Host is this agent's."""
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return None
        origin = self.headers.get("Origin") or ""
        return origin if origin in self.server.config.origins else None

    def _send(self, status: int, body: dict[str, Any] | None, origin: str | None) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _refuse(self) -> None:
        self._send(403, {"error": "origin", "message": "origin not allowed"}, None)

    # Routes ---------------------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        origin = self._origin()
        if origin is None:
            self._refuse()
            return
        self._send(204, None, origin)

    def do_GET(self) -> None:
        origin = self._origin()
        if origin is None:
            self._refuse()
            return
        if self.path == "/status":
            found = readers.list_readers()
            self._send(
                200,
                {
                    "agent": "onedoor-cardagent",
                    "readers": [{"name": r.name, "card": r.card_present} for r in found],
                },
                origin,
            )
        elif self.path == "/certificates":
            try:
                certs = token.certificates(self.server.config.module)
            except CardError as error:
                self._send(503, {"error": error.code, "message": error.message}, origin)
                return
            listed = [
                {
                    "token": c.token,
                    "token_label": c.token_label,
                    "key_id": c.key_id,
                    "subject": c.subject,
                }
                for c in certs
            ]
            self._send(200, {"certificates": listed}, origin)
        else:
            self._send(404, {"error": "not_found", "message": "not found"}, origin)

    def do_POST(self) -> None:
        origin = self._origin()
        if origin is None:
            self._refuse()
            return
        if self.path != "/sign":
            self._send(404, {"error": "not_found", "message": "not found"}, origin)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._send(400, {"error": "bad_request", "message": "bad request"}, origin)
            return
        try:
            body = json.loads(self.rfile.read(length))
            challenge, pin = str(body["challenge"]), str(body["pin"])
            card, key_id = str(body["token"]), str(body["key_id"])
        except (ValueError, KeyError, TypeError):
            self._send(400, {"error": "bad_request", "message": "bad request"}, origin)
            return
        problem = challenge_problem(challenge, origin)
        if problem is not None:
            self._send(400, {"error": "not_a_challenge", "message": problem}, origin)
            return
        if not pin:
            self._send(400, {"error": "wrong_pin", "message": "PIN required"}, origin)
            return
        try:
            signed = token.sign(self.server.config.module, card, key_id, pin, challenge.encode())
        except CardError as error:
            answer: dict[str, Any] = {"error": error.code, "message": error.message}
            if error.tries_left is not None:
                answer["tries_left"] = error.tries_left
            self._send(409, answer, origin)
            return
        self._send(
            200,
            {
                "certificate": base64.b64encode(signed.certificate).decode(),
                "signature": base64.b64encode(signed.signature).decode(),
                "signature_format": signed.signature_format,
            },
            origin,
        )
