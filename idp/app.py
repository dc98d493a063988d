"""The application factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as BaseResponse

from . import logs
from .config import Settings
from .http import errors, notices, observability, static_files, unit_of_work
from .http.access import current_account, may, password_change_first, second_factor_first
from .http.auth_session import signed_in
from .http.context import current_hub
from .http.headers import api_headers
from .http.i18n import current_locale, gettext
from .http.listing import url_with
from .http.naming import FILTERS
from .http.proxies import TrustedProxies
from .http.sessions import StoreSessionInterface
from .http.unit_of_work import db
from .http.values import RowIdConverter
from .hub import Hub
from .models import Account, AccountStatus, ApplicationStatus, RoleChangeKind
from .models.base import TAIPEI
from .oidc import init_oidc
from .services import attachments, permissions, uploads
from .services.audit_log import details as audit_details
from .services.messaging import inbox
from .services.portal import announcements
from .services.sessions import devices
from .services.subsystems.catalogues import Name
from .web import (
    account,
    admin,
    apply,
    bindings,
    bulletins,
    card,
    change_requests,
    factor_signin,
    factors,
    manage,
    operations,
    portal,
    registry,
    review,
    unit_accounts,
    units,
)
from .worker import BackgroundWorker


def content_security_policy(card_agent_url: str) -> str:
    """Scripts talk to the hub and, for card pages, to the card agent on this computer."""
    agent = urlsplit(card_agent_url)
    return (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
        f"connect-src 'self' {agent.scheme}://{agent.netloc}; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


class HubFlask(Flask):
    """Flask, told that every view and hook of the hub is synchronous: Flask would ask
    ``inspect`` whether each is a coroutine at every call, ten times a request."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def create_app(
    settings: Settings | None = None, *, hub: Hub | None = None, start_worker: bool = False
) -> Flask:
    settings = settings or Settings.from_env()
    hub = hub or Hub(settings)
    logs.configure(settings.log_level, settings.log_format)

    app = HubFlask(__name__, instance_path=str(settings.instance_dir()))
    app.url_map.converters["int"] = RowIdConverter
    app.config.update(
        SECRET_KEY=hub.secret_key,
        SESSION_COOKIE_NAME=settings.session_cookie_name,
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session it is kept in
        MAX_CONTENT_LENGTH=1024 * 1024,
        IDP_DEFAULT_LOCALE=settings.default_locale,
        JSON_AS_ASCII=False,
    )
    app.extensions["onedoor"] = hub
    app.session_interface = StoreSessionInterface(hub.store, lambda: hub.policy.current().session)
    csrf = CSRFProtect(app)
    # The CSRF check runs among the page checks, which machine-to-machine requests skip.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_page_checks)
    _init_login(app)
    _init_templates(app, hub)
    app.register_blueprint(portal.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(apply.bp)
    app.register_blueprint(bindings.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(units.bp)
    app.register_blueprint(card.bp)
    app.register_blueprint(factors.bp)
    app.register_blueprint(factor_signin.bp)
    app.register_blueprint(unit_accounts.bp)
    app.register_blueprint(bulletins.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(registry.bp)
    app.register_blueprint(change_requests.bp)
    init_oidc(app, hub, csrf)
    unit_of_work.init_app(app)
    observability.init_app(app)
    static_files.init_app(app)
    errors.init_app(app)
    app.config["CONTENT_SECURITY_POLICY"] = content_security_policy(settings.card_agent_url)
    app.after_request(_security_headers)
    if settings.trusted_proxies:  # outermost: every answer sees the client's address
        app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
            app.wsgi_app, settings.proxy_networks()
        )
    if start_worker:
        worker = BackgroundWorker(hub)
        worker.start()
        app.extensions["onedoor_worker"] = worker
    return app


#: Pages taking a file, and how large (the hub's other requests stay under 1 MB).
UPLOAD_LIMITS = {
    "apply.upload_scan": uploads.SCAN.max_bytes,
    "manage.new_download": uploads.DOCUMENT.max_bytes,
    "manage.replace_download": uploads.DOCUMENT.max_bytes,
    "manage.add_attachment": uploads.DOCUMENT.max_bytes,
    "change_requests.requester_page": attachments.UPLOAD_LIMIT,
    "unit_accounts.request_role_change": attachments.UPLOAD_LIMIT,
}


def _page_checks() -> BaseResponse | None:
    """``before_request``: the upload limit and the unnamed-fields refusal ahead of the
    CSRF check that reads the form, then the password-change and second-factor detours.
    (The token, introspection and revocation endpoints never reach Flask:
    ``idp.oidc.machine``.)"""
    _allow_uploads()
    _refuse_unnamed_fields()
    _refuse_nul()
    csrf: CSRFProtect = current_app.extensions["csrf"]
    csrf.protect(apply_exemptions=True)
    return password_change_first() or second_factor_first()


def _allow_uploads() -> None:
    """An upload may be larger than the hub's usual request limit."""
    limit = UPLOAD_LIMITS.get(request.endpoint or "")
    if limit:
        request.max_content_length = limit + 64 * 1024


def _refuse_unnamed_fields() -> None:
    """A multipart part without a name is not a form a page of the hub sent, and the
    CSRF check cannot read such a form."""
    multipart = request.method == "POST" and request.mimetype == "multipart/form-data"
    if multipart and (None in request.form or None in request.files):
        abort(400)


def _refuse_nul() -> None:
    """No name, code or field of the hub holds a NUL, and PostgreSQL keeps none in text:
    a path with one names nothing (404), a query or form value with one is refused (400)
    before it reaches a query. The authorization endpoint answers such a request itself,
    in the protocol's words (``invalid_request`` on a page)."""
    if request.endpoint == "oidc.authorize":
        return
    if "\x00" in request.path:
        abort(404)
    sent = [request.args] + ([request.form] if request.method == "POST" else [])
    for fields in sent:
        for name, values in fields.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                abort(400)


def _init_login(app: Flask) -> None:
    login = LoginManager(app)
    login.session_protection = None  # server-side sessions, renewed at sign-in
    login.login_view = "portal.signin"

    @login.user_loader
    def load_account(account_id: str) -> Account | None:
        account = db().get(Account, int(account_id))
        if account is None or account.status is not AccountStatus.ACTIVE:
            return None
        return account


def _unread_messages() -> int:
    account = current_account()
    return inbox.unread_count(db(), account) if account is not None else 0


def _init_templates(app: Flask, hub: Hub) -> None:
    app.jinja_env.globals.update(
        _=gettext,
        current_locale=current_locale,
        current_session=signed_in,
        session_policy=lambda: hub.policy.current().session,
        application_statuses=list(ApplicationStatus),
        account_statuses=list(AccountStatus),
        role_change_kinds=list(RoleChangeKind),
        unread_messages=_unread_messages,
        reviews_applications=lambda: may(permissions.may_review),
        is_authority=lambda: may(permissions.is_authority),
        decides_role_changes=lambda: may(permissions.may_decide_role_changes),
        is_security_admin=lambda: may(permissions.is_security_admin),
        publishes_announcements=lambda: may(permissions.may_publish_announcements),
        manages_downloads=lambda: may(permissions.may_manage_downloads),
        manages_subsystems=lambda: may(permissions.may_manage_subsystems),
        current_banners=lambda: hub.banners.current().in_force(),
        announcement_categories=announcements.CATEGORIES,
        subsystem_catalogues=hub.catalogues,
        switch_in_groups=bindings.switch_in_groups,
        url_with=url_with,
        notices=notices.take,
    )

    app.jinja_env.filters.update(
        FILTERS, device=devices.describe, audit_details=audit_details.describe
    )

    @app.template_filter("local")
    def local(name: Name) -> str:
        """A catalogue name in the page's language."""
        return name.in_locale(current_locale())

    @app.template_filter("taipei_time")
    def taipei_time(value: float | datetime | None) -> str:
        if value is None:
            return ""
        moment = (
            datetime.fromtimestamp(value, TAIPEI)
            if isinstance(value, (int, float))
            else value.astimezone(TAIPEI)
        )
        return moment.strftime("%Y/%m/%d %H:%M:%S")


PAGE_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
)
NO_STORE_ENDPOINTS = ("portal.captcha_image", "portal.captcha_audio")


def _security_headers(response: Response) -> Response:
    """Pages get the full set; API answers (JSON from the protocol endpoints, which set
    their own caching headers) only ``nosniff``."""
    headers = response.headers
    for name, value in api_headers(current_hub().settings.issuer_url):
        headers[name] = value
    if response.mimetype == "text/html":
        for name, value in PAGE_HEADERS:
            headers[name] = value
        # Pages are not kept, unless a view said otherwise (下載專區's redirect to a file).
        headers.setdefault("Cache-Control", "no-store")
        headers["Content-Security-Policy"] = current_app.config["CONTENT_SECURITY_POLICY"]
    elif request.endpoint in NO_STORE_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    return response
