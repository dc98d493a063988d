"""Discovery and JWKS answered before Flask, from prepared bytes with an ETag: they
change only when keys rotate, and subsystems fetch them often."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import parse_etags

from ..hub import Reloading
from ..services.tokens.signing_keys import KeyRing
from .discovery import JWKS_PATH, WELL_KNOWN_PATH, PreparedDocument

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def answer_document(
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    document: PreparedDocument,
    max_age: int,
) -> Iterable[bytes]:
    """The document, or 304 when the caller holds it already (``If-None-Match``, compared
    weakly as RFC 9110 section 13.1.2 asks), as a plain WSGI answer: these are the
    hub's most frequent requests."""
    headers = [
        ("ETag", document.etag),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Access-Control-Allow-Origin", "*"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    held = environ.get("HTTP_IF_NONE_MATCH")
    if held and parse_etags(held).contains_weak(document.etag.strip('"')):
        start_response("304 Not Modified", headers)
        return []
    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(document.body)))]
    start_response("200 OK", headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [document.body]


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
                return answer_document(environ, start_response, self.discovery, 3600)
            ring = self.keyring.current()
            document = PreparedDocument(ring.jwks_json, ring.etag)
            return answer_document(environ, start_response, document, 300)
        return self.app(environ, start_response)
