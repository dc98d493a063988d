"""子系統介接設定 (the authority): the subsystems registered as OpenID Connect clients —
registering one, changing its addresses, minimum sign-in level, scopes and contact,
disabling and enabling it, and rotating its secret (shown once).

Who may do this is ``services.permissions``; the services audit every change. A change
reaches this server process at once and the others within ``CLIENT_CACHE_SECONDS``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http import notices
from ..http.access import signed_in_account, subsystems_required
from ..http.context import client_ip, current_hub
from ..http.unit_of_work import after_commit, db
from ..models import Client
from ..oidc.server import HubAuthorizationServer
from ..services.errors import FormErrors, InvalidInput, Text
from ..services.signin.steps import ACR_VALUES
from ..services.subsystems import clients

bp = Blueprint("registry", __name__, url_prefix="/manage/subsystems")

#: Grace periods offered for the old secret at a rotation, in hours.
GRACE_HOURS = (0, 1, 24, 72, 168, 720)


def _by() -> clients.Actor:
    account = signed_in_account()
    return clients.Actor(account.username, account.id, client_ip())


def _forget_cached_clients() -> None:
    server: HubAuthorizationServer = current_app.extensions["onedoor_oidc"]
    server.clients.forget()


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def _posted_settings() -> clients.ClientSettings:
    form = request.form
    return clients.ClientSettings(
        redirect_uris=_lines("redirect_uris")[:20],
        post_logout_redirect_uris=_lines("post_logout_redirect_uris")[:20],
        backchannel_logout_uri=form.get("backchannel_logout_uri", "")[:500],
        initiate_login_uri=form.get("initiate_login_uri", "")[:500],
        min_acr=form.get("min_acr", ""),
        scope=form.get("scope", "")[:500],
        contact=form.get("contact", "")[:301],
    )


def _secret_page(client: Client, secret: str, status: int = 200) -> Response:
    response = Response(
        render_template("registry/secret.html", client=client, secret=secret), status=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@subsystems_required
def client_list() -> Response:
    return Response(render_template("registry/clients.html", clients=clients.list_clients(db())))


def _new_page(errors: dict[str, list[Text]] | None = None, status: int = 200) -> Response:
    values = dict(request.form) if errors else {"scope": " ".join(clients.PERSON_SCOPES)}
    return Response(
        render_template(
            "registry/new.html", values=values, errors=errors or {}, acr_values=ACR_VALUES
        ),
        status=status,
    )


@bp.route("/new", methods=["GET", "POST"])
@subsystems_required
def new_client() -> BaseResponse:
    if request.method == "GET":
        return _new_page()
    form = request.form
    settings = _posted_settings()
    public = form.get("public") == "yes"
    registration = clients.ClientRegistration(
        name=form.get("name", "")[:100],
        client_id=form.get("client_id", "").strip()[:65] or None,
        redirect_uris=settings.redirect_uris,
        post_logout_redirect_uris=settings.post_logout_redirect_uris,
        backchannel_logout_uri=settings.backchannel_logout_uri.strip(),
        initiate_login_uri=settings.initiate_login_uri.strip(),
        grant_types=["authorization_code", "refresh_token"],
        scope=" ".join(settings.scope.split()),
        token_endpoint_auth_method="none" if public else "client_secret_basic",
        min_acr=settings.min_acr,
        contact=settings.contact.strip(),
    )
    try:
        client, secret = clients.register_client(db(), current_hub().client_secrets, registration)
    except InvalidInput as refused:
        return _new_page({refused.field: refused.texts}, 400)
    by = _by()
    clients.record_registration(db(), client, by=by)
    if secret is None:
        notices.tell("子系統已註冊。")
        return redirect(url_for("registry.edit_client", client_id=client.client_id))
    return _secret_page(client, secret)


def _edit_page(
    client: Client, errors: dict[str, list[Text]] | None = None, status: int = 200
) -> Response:
    if errors:
        values = dict(request.form)
    else:
        settings = clients.ClientSettings.of(client)
        values = {
            "redirect_uris": "\n".join(settings.redirect_uris),
            "post_logout_redirect_uris": "\n".join(settings.post_logout_redirect_uris),
            "backchannel_logout_uri": settings.backchannel_logout_uri,
            "initiate_login_uri": settings.initiate_login_uri,
            "min_acr": settings.min_acr,
            "scope": settings.scope,
            "contact": settings.contact,
        }
    return Response(
        render_template(
            "registry/client.html",
            client=client,
            values=values,
            errors=errors or {},
            acr_values=ACR_VALUES,
            grace_hours=GRACE_HOURS,
        ),
        status=status,
    )


@bp.route("/<client_id>", methods=["GET", "POST"])
@subsystems_required
def edit_client(client_id: str) -> BaseResponse:
    client = clients.registered(db(), client_id)
    if request.method == "GET":
        return _edit_page(client)
    try:
        changed = clients.edit_client(db(), client_id, _posted_settings(), by=_by())
    except FormErrors as refused:
        return _edit_page(client, refused.errors, 400)
    after_commit(_forget_cached_clients)
    notices.tell("設定已儲存。" if changed else "設定沒有變更。")
    return redirect(url_for("registry.edit_client", client_id=client_id))


@bp.post("/<client_id>/disable")
@subsystems_required
def disable_client(client_id: str) -> BaseResponse:
    clients.disable_client(db(), current_hub().revocation, client_id, by=_by())
    after_commit(_forget_cached_clients)
    notices.tell("子系統已停用，發給它的權杖已全部失效。")
    return redirect(url_for("registry.edit_client", client_id=client_id))


@bp.post("/<client_id>/enable")
@subsystems_required
def enable_client(client_id: str) -> BaseResponse:
    clients.enable_client(db(), client_id, by=_by())
    after_commit(_forget_cached_clients)
    notices.tell("子系統已重新啟用。")
    return redirect(url_for("registry.edit_client", client_id=client_id))


@bp.post("/<client_id>/secret")
@subsystems_required
def rotate_secret(client_id: str) -> Response:
    hours = request.form.get("grace_hours", "")
    if not hours.isdigit() or int(hours) not in GRACE_HOURS:
        raise InvalidInput("grace_hours", "請選擇舊密鑰的寬限期")
    secret = clients.rotate_secret(
        db(), current_hub().client_secrets, client_id, timedelta(hours=int(hours)), by=_by()
    )
    after_commit(_forget_cached_clients)
    return _secret_page(clients.registered(db(), client_id), secret)
