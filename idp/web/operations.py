"""For the load balancer and the monitoring: ``/healthz`` (the process answers),
``/readyz`` (the database and the store answer and the schema is current) and
``/metrics`` (Prometheus), the last only for the configured addresses or a bearer token.
"""

from __future__ import annotations

import hmac
import logging
from ipaddress import ip_address

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, abort, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from ..http.context import client_ip, current_hub
from ..http.unit_of_work import db
from ..migrate import alembic_config
from ..services import metrics

bp = Blueprint("operations", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


def _schema_head() -> str | None:
    engine = current_hub().database.engine
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


@bp.get("/readyz")
def readyz() -> Response:
    """200 when this process can serve: 503 naming what is wrong otherwise."""
    hub = current_hub()
    checks: dict[str, str] = {}
    try:
        with hub.database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
        head = _schema_head()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == head else f"at {current}, expected {head}"
    except Exception as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        checks["database"] = "unreachable"
    try:
        checks["store"] = "ok" if hub.store.ping() else "unreachable"
    except Exception as exc:
        log.warning("readiness: store unreachable (%s)", type(exc).__name__)
        checks["store"] = "unreachable"
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ready" if ready else "not ready", checks=checks)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_read_metrics() -> bool:
    settings = current_hub().settings
    token = settings.metrics_token
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ip_address(client_ip())
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_networks())


@bp.get("/metrics")
def prometheus() -> Response:
    if not _may_read_metrics():
        abort(404)
    metrics.read_queues(db())
    response = Response(generate_latest(metrics.REGISTRY), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
