"""What every request leaves behind for operators: an ``X-Request-Id`` (taken from the
proxy or made here) that also goes into the request's audit rows and back-channel
logout calls, one log line, and its time in the latency histogram.

The log line names the method, the path without its query string (which may carry a
code or a token), the status and the time taken: never a form value or a header.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from ..services import correlation, metrics
from .context import client_ip

log = logging.getLogger("idp.request")

HEADER = "X-Request-Id"


def _begin() -> None:
    g.request_id = correlation.begin(request.headers.get(HEADER))
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    started: float | None = g.get("started")
    if started is None:
        return response
    response.headers[HEADER] = g.request_id
    finished(
        request.method,
        request.path,
        request.endpoint or "-",
        response.status_code,
        time.perf_counter() - started,
        client_ip(),
    )
    return response


def finished(method: str, path: str, endpoint: str, status: int, seconds: float, ip: str) -> None:
    """A request answered: its time in the histogram, and its log line."""
    metrics.LATENCY.labels(endpoint).observe(seconds)
    if not log.isEnabledFor(logging.INFO):
        return
    log.info(
        "%s %s %d %.1f ms",
        method,
        path,
        status,
        seconds * 1000,
        extra={
            "method": method,
            "path": path,
            "endpoint": endpoint,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "ip": ip,
        },
    )


def _end(_exc: BaseException | None) -> None:
    correlation.end()


def init_app(app: Flask) -> None:
    # First of the before_request hooks, last of the after_request ones.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.teardown_request(_end)
