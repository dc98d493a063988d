"""What operators get from every process: health and readiness, Prometheus metrics for
the allowed addresses or a token, a request id in the log line, the audit rows and the
answer, JSON logs that hold no secret, the per-client limit at the token endpoint, and
static files under versioned URLs."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask
from sqlalchemy import select

from idp.app import create_app
from idp.hub import Hub
from idp.logs import JsonFormatter
from idp.models import AuditEvent
from idp.services import policy

from ..support.helpers import PASSWORD, add_account, add_client, client_sign_in


def test_healthz_and_readyz(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"database": "ok", "migrations": "ok", "store": "ok"}


def test_metrics_only_for_allowed_addresses_or_the_token(settings_for) -> None:  # type: ignore[no-untyped-def]
    from ..support.hub import prepared_hub

    hub = prepared_hub(settings_for(metrics_token="s3cret-token-for-metrics"))
    try:
        client = create_app(hub.settings, hub=hub).test_client()
        assert client.get("/metrics").status_code == 200  # 127.0.0.1 is allowed
        outside = {"REMOTE_ADDR": "192.0.2.7"}
        assert client.get("/metrics", environ_base=outside).status_code == 404
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
        right = {"Authorization": "Bearer s3cret-token-for-metrics"}
        assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200
    finally:
        hub.close()


def metric(body: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search("^" + pattern + "$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_signins_lockouts_tokens_and_latency(app: Flask, hub: Hub) -> None:
    client = app.test_client()
    before = client.get("/metrics").get_data(as_text=True)
    add_account(hub)
    assert client_sign_in(app.test_client(), hub).status_code == 302
    for _ in range(3):
        client_sign_in(app.test_client(), hub, password="Wrong~pass~123", ip="198.51.100.9")
    registered = add_client(hub)
    token = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        auth=(registered.client_id, registered.secret or ""),
    )
    after = client.get("/metrics").get_data(as_text=True)
    success = {"result": "success", "method": "pwd"}
    failure = {"result": "failure", "method": "credentials"}
    assert metric(after, "onedoor_signins_total", **success) == (
        metric(before, "onedoor_signins_total", **success) + 1
    )
    assert metric(after, "onedoor_signins_total", **failure) >= (
        metric(before, "onedoor_signins_total", **failure) + 2
    )
    assert metric(after, "onedoor_lockouts_total") == metric(before, "onedoor_lockouts_total") + 1
    assert token.status_code == 200, token.json
    grant = {"grant": "client_credentials", "client": registered.client_id}
    assert metric(after, "onedoor_tokens_issued_total", **grant) == 1
    assert metric(after, "onedoor_request_seconds_count", endpoint="portal.signin") >= 4
    for gauge in ("onedoor_mail_outbox", "onedoor_backchannel_queue", "onedoor_worker_lag_seconds"):
        assert re.search(f"^{gauge} ", after, re.MULTILINE), gauge


def test_the_client_rate_limit_answers_429_with_retry_after(app: Flask, hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        policy.change_policy(
            db, {"lockout.client_requests_per_minute": 2}, actor="test", reason="測試"
        )
    hub.policy.reload()
    registered = add_client(hub)
    other = add_client(hub)
    client = app.test_client()
    auth = (registered.client_id, registered.secret or "")
    answers = [
        client.post("/introspect", data={"token": "x"}, auth=auth).status_code for _ in range(2)
    ]
    assert 429 not in answers
    limited = client.post("/revoke", data={"token": "x"}, auth=auth)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json["error"] == "slow_down" and limited.json["error_description"]
    assert (
        client.post("/token", data={"grant_type": "client_credentials"}, auth=auth).status_code
        == 429
    )
    # Another client has its own count.
    other_auth = (other.client_id, other.secret or "")
    assert client.post("/introspect", data={"token": "x"}, auth=other_auth).status_code == 200


def test_request_id_goes_to_the_answer_the_log_and_the_audit_rows(
    app: Flask, hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    add_account(hub)
    client = app.test_client()
    page = client.get("/signin", headers={"X-Request-Id": "req-from-proxy-0001"})
    assert page.headers["X-Request-Id"] == "req-from-proxy-0001"
    assert client.get("/signin", headers={"X-Request-Id": "bad id!"}).headers["X-Request-Id"] != (
        "bad id!"
    )
    caplog.set_level(logging.INFO, logger="idp.request")
    from ..support.helpers import page_fields

    fields = page_fields(client.get("/signin").get_data(as_text=True))
    data = {"csrf_token": fields["csrf_token"], "username": "tester01", "password": PASSWORD}
    if "captcha_id" in fields:
        from idp.services.signin import captcha

        data["captcha_id"] = fields["captcha_id"]
        data["captcha_answer"] = captcha.answer_of(hub.store, fields["captcha_id"]) or ""
    response = client.post("/signin", data=data, headers={"X-Request-Id": "req-signin-0002"})
    assert response.status_code == 302
    with hub.database.unit_of_work() as db:
        row = db.scalars(select(AuditEvent).where(AuditEvent.action == "signin.success")).one()
        assert row.details["request_id"] == "req-signin-0002"
    records = [r for r in caplog.records if r.name == "idp.request" and r.path == "/signin"]
    formatter = JsonFormatter()
    lines = []
    for record in records:
        lines.append(formatter.format(record))
    posted = [json.loads(line) for line in lines if '"POST"' in line]
    assert posted and posted[-1]["status"] == 302 and posted[-1]["endpoint"] == "portal.signin"
    everything = "\n".join(lines)
    for secret in (PASSWORD, data.get("captcha_answer") or PASSWORD, fields["csrf_token"]):
        assert secret not in everything


def test_static_files_have_versioned_urls_cached_for_a_year(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', page)
    assert link, "the stylesheet's URL carries its version"
    kept = client.get(link.group(1))
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/style.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/style.css?v=000000000000").headers["Cache-Control"] == "no-cache"
