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
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "-"
    metrics.LATENCY.labels(endpoint).observe(seconds)
    response.headers[HEADER] = g.request_id
    if log.isEnabledFor(logging.INFO):  # the line's fields only when it is written
        _log(response, endpoint, seconds)
    return response


def _log(response: Response, endpoint: str, seconds: float) -> None:
    log.info(
        "%s %s %d %.1f ms",
        request.method,
        request.path,
        response.status_code,
        seconds * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "ip": client_ip(),
        },
    )


def _end(_exc: BaseException | None) -> None:
    correlation.end()


def init_app(app: Flask) -> None:
    # First of the before_request hooks, last of the after_request ones.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.teardown_request(_end)
