"""The endpoints a subsystem's server calls — token (RFC 6749 section 3.2),
introspection (RFC 7662) and revocation (RFC 7009) — answered before Flask's request
machinery: no page, cookie, browser session or CSRF token applies to them, and building
a Flask request costs more than Authlib's whole work on a client_credentials request.

Authlib still decides every answer (``HubAuthorizationServer``). Around it each request
gets what a page request gets: the application context (``db()``, ``current_hub()``), its
unit of work (kept only when the answer is below 400), an ``X-Request-Id``, a log line
and its time in the latency histogram, and a 503 with ``Retry-After`` when the database
or the store cannot be reached. Before Authlib, the client's rate limit is counted (429
``slow_down``).

Parameters are read from the query string and from an
``application/x-www-form-urlencoded`` body (section 3.2 names no other format); a body
over the hub's request limit is a 413, a parameter holding a NUL a 400.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from authlib.oauth2.rfc6749 import OAuth2Request
from flask import Flask
from werkzeug.datastructures import CombinedMultiDict, EnvironHeaders, MultiDict
from werkzeug.http import HTTP_STATUS_CODES

from ..http import unit_of_work
from ..http.errors import RETRY_AFTER, UNAVAILABLE, backend_down
from ..http.headers import api_headers
from ..http.i18n import gettext, set_locale
from ..http.observability import HEADER, finished
from ..services import correlation, metrics
from ..store.base import OverLimit
from .client_auth import basic_credentials
from .server import HubAuthorizationServer, ParamsPayload

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

#: Path → (Authlib endpoint, the name the latency histogram and the logs know it by).
ENDPOINTS = {
    "/token": ("token", "oidc.token"),
    "/introspect": ("introspection", "oidc.introspect"),
    "/revoke": ("revocation", "oidc.revoke"),
}
FORM = "application/x-www-form-urlencoded"
JSON_HEADERS = (("Content-Type", "application/json"), ("Cache-Control", "no-store"))
#: More parameters than any request of these endpoints has.
MAX_PARAMETERS = 100

log = logging.getLogger("idp.request")


class Refused(Exception):
    """A request refused before Authlib sees it."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class Answer:
    """A JSON answer as a WSGI application: the little of a Response these endpoints use."""

    def __init__(self, status_code: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.status_code, self.body, self.headers = status_code, body, headers

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status = f"{self.status_code} {HTTP_STATUS_CODES.get(self.status_code, '')}"
        start_response(status, [*self.headers, ("Content-Length", str(len(self.body)))])
        return [self.body]


class MachineServer(HubAuthorizationServer):
    """The authorization server behind these endpoints: Authlib's answers as ``Answer``."""

    def handle_response(
        self, status_code: int, payload: Any, headers: list[tuple[str, str]]
    ) -> Answer:
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return Answer(status_code, body.encode(), list(headers))


class RequestHeaders(EnvironHeaders):
    """The request's headers, read from the environment when asked for. True without
    counting them: Authlib tests ``headers or {}``, which would walk the environment."""

    def __bool__(self) -> bool:
        return True


class MachineRequest(OAuth2Request):
    """What Authlib reads of a request: its parameters and its headers."""

    def __init__(
        self, uri: str, environ: Environ, args: MultiDict[str, str], form: MultiDict[str, str]
    ) -> None:
        super().__init__("POST", uri, headers=RequestHeaders(environ))
        self._args, self._form = args, form
        self.payload = ParamsPayload(CombinedMultiDict([args, form]))

    @property
    def args(self) -> MultiDict[str, str]:
        return self._args

    @property
    def form(self) -> MultiDict[str, str]:
        return self._form


def json_response(
    status: int, payload: dict[str, Any], headers: Iterable[tuple[str, str]] = ()
) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Answer(status, body, [*JSON_HEADERS, *headers])


def _parameters(text: str) -> MultiDict[str, str]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_PARAMETERS)
    except ValueError as error:
        raise Refused(400, "invalid_request", "Too many parameters.") from error
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise Refused(400, "invalid_request", "A parameter holds a NUL character.")
    return MultiDict(pairs)


def _form(environ: Environ, limit: int) -> MultiDict[str, str]:
    mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    length_header = environ.get("CONTENT_LENGTH") or ""
    try:
        length = int(length_header) if length_header else None
    except ValueError as error:
        raise Refused(400, "invalid_request", "The Content-Length is not a number.") from error
    if length is not None and (length < 0 or length > limit):
        raise Refused(413, "invalid_request", "The request body is too large.")
    body = environ["wsgi.input"].read(limit + 1 if length is None else length)
    if len(body) > limit:
        raise Refused(413, "invalid_request", "The request body is too large.")
    if mimetype != FORM:
        return MultiDict()
    return _parameters(body.decode("utf-8", "replace"))


def _client_id(request: MachineRequest) -> str:
    """The client the request names (HTTP Basic or the form), before it is
    authenticated: what its rate limit is counted against."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "basic":
        username = basic_credentials(credentials).split(":", 1)[0]
        if username:
            return unquote_plus(username)[:64]
    return request.form.get("client_id", "")[:64]


class MachineEndpoints:
    """WSGI middleware answering ``/token``, ``/introspect`` and ``/revoke``."""

    def __init__(self, app: Flask, server: MachineServer, inner: WSGIApp) -> None:
        self.flask = app
        self.server = server
        self.inner = inner
        self.limit: int = app.config["MAX_CONTENT_LENGTH"]
        self.headers = api_headers(server.hub.settings.issuer_url)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        endpoint = ENDPOINTS.get(environ.get("PATH_INFO", ""))
        if endpoint is None:
            return self.inner(environ, start_response)
        started = time.perf_counter()
        kind, name = endpoint
        with self.flask.app_context():
            request_id = correlation.begin(environ.get("HTTP_X_REQUEST_ID"))
            set_locale(self.flask.config["IDP_DEFAULT_LOCALE"])
            try:
                response = self._answer(environ, kind, name)
            finally:
                correlation.end()
            response.headers.append((HEADER, request_id))
            response.headers.extend(self.headers)
            finished(
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                name,
                response.status_code,
                time.perf_counter() - started,
                environ.get("REMOTE_ADDR", ""),
            )
        return response(environ, start_response)

    def _answer(self, environ: Environ, kind: str, name: str) -> Answer:
        if environ["REQUEST_METHOD"] != "POST":
            return json_response(
                405,
                {"error": "invalid_request", "error_description": "Use POST."},
                [("Allow", "POST")],
            )
        try:
            try:
                response = self._dispatch(environ, kind, name)
            except Refused as refused:
                response = json_response(
                    refused.status,
                    {"error": refused.error, "error_description": refused.description},
                )
            unit_of_work.finish(response.status_code)
            unit_of_work.close(None)
        except Exception as error:
            unit_of_work.close(error)
            if not backend_down(error):
                log.exception("%s failed", name)
                return json_response(500, {"error": "server_error"})
            return json_response(
                503,
                {
                    "error": "temporarily_unavailable",
                    "error_description": gettext(UNAVAILABLE),
                    "status": 503,
                },
                [("Retry-After", str(RETRY_AFTER))],
            )
        return response

    def _dispatch(self, environ: Environ, kind: str, name: str) -> Answer:
        args = (
            _parameters(environ.get("QUERY_STRING", ""))
            if environ.get("QUERY_STRING")
            else MultiDict()
        )
        form = _form(environ, self.limit)
        request = MachineRequest(
            self.server.hub.settings.issuer_url + environ["PATH_INFO"], environ, args, form
        )
        client_id = _client_id(request)
        throttle = self.server.hub.throttle()
        try:
            with throttle.client_requests(client_id) if client_id else nullcontext():
                response = self._run(kind, request)
        except OverLimit:
            metrics.RATE_LIMITED.labels(name, client_id).inc()
            return json_response(
                429,
                {
                    "error": "slow_down",
                    "error_description": "Too many requests from this client; "
                    "try again after Retry-After.",
                },
                [("Retry-After", str(throttle.client_retry_after()))],
            )
        if kind == "token" and response.status_code == 200:
            metrics.token_issued((request.payload.grant_type or "")[:40], client_id)
        return response

    def _run(self, kind: str, request: MachineRequest) -> Answer:
        response: Answer
        if kind == "token":
            response = self.server.create_token_response(request)
        else:
            response = self.server.create_endpoint_response(kind, request)
        return response
