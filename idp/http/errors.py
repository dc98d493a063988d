"""One place that turns a refusal into an answer: the hub's own error page (zh-TW, or
English when chosen, with a way back), or JSON for a caller that asked for JSON.

A domain error that a view does not show on its own page (next to a form field, say)
reaches here: ``NotFound`` answers 404, ``NotAllowed`` 403, ``TooManyAttempts`` 429, any
other refusal 400. HTTP errors (``abort(404)``, a body over the size limit, a CSRF
failure) get the same page. Whatever the answer, the request's unit of work rolls back.

When the database or the short-lived store (Redis) cannot be reached, the answer is 503
"service unavailable" with ``Retry-After``: a page of its own that reads neither, or
JSON. Nothing the request did is kept, and a sign-in whose checks could not run is
refused, never let through.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..services.errors import DomainError, NotAllowed, NotFound, Text, TooManyAttempts
from .i18n import gettext

#: What each HTTP error says to a person.
MESSAGES = {
    400: "無法處理此要求，請回到上一頁重新操作。",
    401: "請先登入。",
    403: "您沒有使用此功能的權限。",
    404: "找不到這個頁面或資料，或您沒有查看的權限。",
    405: "無法處理此要求，請回到上一頁重新操作。",
    413: "送出的資料太大，請縮小檔案或內容後再試一次。",
    429: "嘗試次數過多，請稍後再試。",
    500: "系統發生錯誤，請稍後再試；若持續發生請洽客服。",
}
CSRF_EXPIRED = "表單已逾時，請重新整理頁面後再送出。"
UNAVAILABLE = "系統暫時無法提供服務，請稍後再試。"
#: Seconds a caller is asked to wait before trying again after a 503.
RETRY_AFTER = 5
#: Errors that mean a backing service cannot be reached (not that a request was wrong).
BACKEND_DOWN = (RedisConnectionError, RedisTimeoutError)


def status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, TooManyAttempts):
        return 429
    return 400


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or (request.is_json and best != "text/html")


def error_answer(message: str | Text, status: int) -> Response:
    if wants_json():
        response = jsonify(error=gettext(message), status=status)
    else:
        response = Response(render_template("error.html", message=message), mimetype="text/html")
    response.status_code = status
    return response


def _domain_error(error: DomainError) -> Response:
    return error_answer(error.text, status_of(error))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, CSRFError):
        return error_answer(CSRF_EXPIRED, 400)
    response = error_answer(MESSAGES.get(status, MESSAGES[400]), status)
    for name, value in error.get_headers():
        if name.lower() in ("allow", "retry-after", "www-authenticate"):
            response.headers[name] = value
    return response


def backend_down(error: BaseException | None) -> bool:
    """Whether ``error`` says the database or the store cannot be reached."""
    if isinstance(error, BACKEND_DOWN):
        return True
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or _is_disconnect(error)
    return False


def _is_disconnect(error: DBAPIError) -> bool:
    # psycopg's OperationalError (server gone, refused) and InterfaceError (connection
    # closed); SQLite's OperationalError is a request's own problem, not an outage.
    module = type(error.orig).__module__
    return module.startswith("psycopg") and type(error.orig).__name__ in (
        "OperationalError",
        "InterfaceError",
    )


#: The protocol endpoint a subsystem calls from its server (and Flask answers; the
#: others are ``idp.oidc.machine``): JSON whatever it accepts.
API_PATHS = ("/userinfo",)


def unavailable() -> Response:
    if wants_json() or request.path in API_PATHS:
        response = jsonify(
            error="temporarily_unavailable", error_description=gettext(UNAVAILABLE), status=503
        )
    else:
        # Rendered without Flask's context processors: they would read the browser
        # session, which may be what cannot be reached.
        page = current_app.jinja_env.get_template("unavailable.html")
        response = Response(
            page.render(message=UNAVAILABLE, path=request.path), mimetype="text/html"
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def _server_error(error: InternalServerError) -> Response:
    """An exception no handler took, including one raised while the browser session was
    being opened or saved (before or after the view)."""
    if backend_down(error.original_exception):
        return unavailable()
    return error_answer(MESSAGES[500], 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    for kind in (*BACKEND_DOWN, DBAPIError):
        app.register_error_handler(kind, _backend_error_or_raise)


def _backend_error_or_raise(error: Exception) -> Response:
    if backend_down(error):
        return unavailable()
    raise error
