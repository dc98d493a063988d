"""The token, introspection and revocation endpoints, answered before Flask
(``idp.oidc.machine``): JSON refusals for what is not a protocol request, and the
request id, headers and log line every answer of the hub carries."""

from __future__ import annotations

import base64
import logging

import pytest
from flask import Flask

from idp.hub import Hub

from ..support.helpers import add_client

PATHS = ["/token", "/introspect", "/revoke"]


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.mark.parametrize("path", PATHS)
def test_only_post_is_answered(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", PATHS)
def test_a_body_over_the_limit_is_a_413(app: Flask, path: str) -> None:
    response = app.test_client().post(
        path,
        data="token=" + "x" * (1024 * 1024 + 10),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", PATHS)
def test_a_parameter_with_a_nul_is_refused(app: Flask, hub: Hub, path: str) -> None:
    client = add_client(hub, grant_types=["client_credentials"])
    response = app.test_client().post(
        path,
        data={"grant_type": "client_credentials", "token": "a\x00b"},
        headers=basic(client.client_id, client.secret or ""),
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"


def test_parameters_come_only_from_a_form_body(app: Flask, hub: Hub) -> None:
    """RFC 6749 section 3.2: the parameters are form-encoded; a JSON or multipart body
    carries none, so the request is refused by the protocol, not by a crash."""
    client = add_client(hub, grant_types=["client_credentials"])
    auth = basic(client.client_id, client.secret or "")
    http = app.test_client()
    as_json = http.post("/token", json={"grant_type": "client_credentials"}, headers=auth)
    assert as_json.status_code == 400
    assert as_json.get_json()["error"] == "unsupported_grant_type"
    multipart = http.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 400
    form = http.post("/token", data={"grant_type": "client_credentials"}, headers=auth)
    assert form.status_code == 200 and form.get_json()["token_type"] == "Bearer"


def test_every_answer_carries_the_request_id_headers_and_a_log_line(
    app: Flask, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    client = add_client(hub, grant_types=["client_credentials"])
    caplog.set_level(logging.INFO, logger="idp.request")
    response = app.test_client().post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={
            "X-Request-Id": "req-machine-0001",
            **basic(client.client_id, client.secret or ""),
        },
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "req-machine-0001"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    line = next(r for r in caplog.records if r.name == "idp.request")
    assert line.getMessage().startswith("POST /token 200")
    assert line.__dict__["endpoint"] == "oidc.token"
    assert client.secret and client.secret not in caplog.text
