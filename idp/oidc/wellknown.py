"""Discovery and JWKS answered before Flask, from prepared bytes with an ETag: they
change only when keys rotate, and subsystems fetch them often."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from ..hub import Reloading
from ..services.tokens.signing_keys import KeyRing
from .discovery import JWKS_PATH, WELL_KNOWN_PATH, PreparedDocument

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def document_response(request: Request, document: PreparedDocument, max_age: int) -> Response:
    if request.if_none_match.contains(document.etag.strip('"')):
        response = Response(status=304)
    else:
        response = Response(document.body, mimetype="application/json")
    response.headers["ETag"] = document.etag
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class PublishedDocuments:
    """WSGI middleware serving ``/.well-known/openid-configuration`` and ``/jwks``."""

    def __init__(
        self, app: WSGIApp, discovery: PreparedDocument, keyring: Reloading[KeyRing]
    ) -> None:
        self.app = app
        self.discovery = discovery
        self.keyring = keyring

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and path in (
            WELL_KNOWN_PATH,
            JWKS_PATH,
        ):
            if path == WELL_KNOWN_PATH:
                document, max_age = self.discovery, 3600
            else:
                ring = self.keyring.current()
                document, max_age = PreparedDocument(ring.jwks_json, ring.etag), 300
            response = document_response(Request(environ), document, max_age)
            return response(environ, start_response)
        return self.app(environ, start_response)
