"""Self-service (帳號服務): change password, profile, own sessions, own data."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session, interaction, notices
from ..http.access import login_required
from ..http.context import client_ip, current_hub
from ..http.downloads import personal_file
from ..http.forms import (
    ChangePasswordForm,
    ConfirmForm,
    PrivacyRequestForm,
    ProfileForm,
    form_problems,
)
from ..http.unit_of_work import db, kick_worker
from ..models import Account, PrivacyRequestKind
from ..services import audit
from ..services.accounts import privacy, profile
from ..services.accounts.contact import confirmed_addresses
from ..services.errors import DomainError, InvalidInput, Text, text
from ..services.messaging import inbox
from ..services.sessions import hub_sessions
from ..services.signin import credentials, lockout
from ..services.signin.password_rules import rules_text

bp = Blueprint("account", __name__, url_prefix="/account")


def _account() -> Account:
    account: Account = current_user._get_current_object()
    return account


#: Field name → what is wrong with it (a zh-TW text, or the domain's texts).
Errors = dict[str, "str | Text | list[Text]"]


def _password_page(form: ChangePasswordForm, errors: Errors, status: int = 200) -> Response:
    policy = current_hub().policy.current().password
    for field in (form.current_password, form.new_password, form.confirm):
        field.data = ""
    return Response(
        render_template(
            "account/password.html",
            form=form,
            errors=errors,
            rules=rules_text(policy),
            forced=auth_session.password_change_required(),
        ),
        status=status,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> BaseResponse:
    form = ChangePasswordForm()
    if request.method == "GET":
        form.rid.data = request.args.get("rid", "")
        return _password_page(form, {})
    if not form.validate_on_submit():
        return _password_page(form, dict(form_problems(form)), 400)
    hub = current_hub()
    account = _account()
    try:
        credentials.change_password(
            db(),
            hub.passwords,
            hub.policy.current(),
            hub.throttle(),
            account,
            current=form.current_password.data or "",
            new=form.new_password.data or "",
            confirm=form.confirm.data or "",
            ip=client_ip(),
        )
    except InvalidInput as error:
        return _password_page(form, {error.field: error.texts}, 400)
    current = auth_session.signed_in()
    if form.end_other_sessions.data and current is not None:
        ended = hub_sessions.sign_out_other_devices(
            db(), hub.revocation, account.id, current.sid, "password_changed"
        )
        if ended:
            kick_worker()
    auth_session.password_changed()
    resumed = interaction.resume(form.rid.data or "") if form.rid.data else None
    return resumed or redirect(url_for("account.password_changed"))


@bp.get("/password/changed")
@login_required
def password_changed() -> Response:
    return Response(render_template("account/password_changed.html"))


@bp.route("/sessions", methods=["GET"])
@login_required
def sessions() -> Response:
    current = auth_session.signed_in()
    assert current is not None
    rows = hub_sessions.active_sessions(db(), _account().id)
    return Response(
        render_template(
            "account/sessions.html", sessions=rows, current_sid=current.sid, form=ConfirmForm()
        )
    )


@bp.post("/sessions/<sid>/end")
@login_required
def end_session(sid: str) -> BaseResponse:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    hub = current_hub()
    current = auth_session.signed_in()
    assert current is not None
    if not sid.isascii() or not sid.isprintable():  # not a session id the hub made
        abort(404)
    hub_session = hub_sessions.find_session(db(), sid)
    if hub_session is None or hub_session.account_id != current.account_id:
        abort(404)
    if sid == current.sid:
        auth_session.end("signout")
        return redirect(url_for("portal.home"))
    hub_sessions.end_session(db(), hub.revocation, hub_session, "ended_by_owner")
    notices.tell("已登出該裝置。")
    audit.record(
        db(),
        "session.end",
        actor=current.username,
        actor_account_id=current.account_id,
        target=sid,
        ip=client_ip(),
    )
    kick_worker()
    return redirect(url_for("account.sessions"))


def _profile_page(form: ProfileForm, errors: Errors, status: int = 200) -> Response:
    account = _account()
    return Response(
        render_template(
            "account/profile.html",
            form=form,
            errors=errors,
            account=account,
            unit_admins=profile.unit_admins(db(), account),
            pending=profile.pending_addresses(db(), account),
            confirmed=confirmed_addresses(account),
        ),
        status=status,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit_profile() -> BaseResponse:
    account = _account()
    form = ProfileForm(obj=account) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        return _profile_page(form, {})
    if not form.validate_on_submit():
        return _profile_page(form, dict(form_problems(form)), status=400)
    changes = {name: (getattr(form, name).data or "").strip() for name in profile.EDITABLE}
    hub = current_hub()
    try:
        outcome = profile.update_profile(
            db(),
            partial(
                lockout.recheck_password,
                db(),
                hub.passwords,
                hub.policy.current(),
                hub.throttle(),
                account,
                ip=client_ip(),
            ),
            account,
            changes,
            current_password=(form.current_password.data or "")[:1024],
            issuer=hub.settings.issuer_url,
            link_minutes=hub.policy.current().password.reset_link_minutes,
            ip=client_ip(),
        )
    except profile.ProfileErrors as problems:
        return _profile_page(form, dict(problems.errors), status=400)
    if outcome.pending or outcome.changed:
        kick_worker()
    notices.tell("已儲存。")
    return redirect(url_for("account.edit_profile"))


@bp.get(profile.CONFIRM_PATH.removeprefix("/account") + "<token>")
@login_required
def confirm_email(token: str) -> Response:
    """A confirmation link, followed by the person signed in (an admin who set the
    address cannot confirm it for them)."""
    account = _account()
    field = profile.confirm_email(db(), token, account, ip=client_ip())
    if field is None:
        raise DomainError("此連結已失效、已使用過，或不是寄給目前登入的帳號。")
    kick_worker()
    return Response(render_template("account/email_confirmed.html", email=getattr(account, field)))


@bp.get("/data.json")
@login_required
def my_data() -> Response:
    """個人資料保護法: everything the hub holds about the person, in one file."""
    account = _account()
    data: dict[str, Any] = profile.export(db(), account)
    audit.record(
        db(),
        "personal_data.export",
        actor=account.username,
        actor_account_id=account.id,
        ip=client_ip(),
    )
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return personal_file(body, "application/json", f"onedoor-{account.username}")


def _privacy_page(form: PrivacyRequestForm, errors: Errors, status: int = 200) -> Response:
    form.current_password.data = ""
    return Response(
        render_template(
            "account/privacy.html",
            form=form,
            errors=errors,
            requests=privacy.requests_of(db(), _account()),
            reference=privacy.reference,
            kinds=list(PrivacyRequestKind),
        ),
        status=status,
    )


@bp.route("/privacy", methods=["GET", "POST"])
@login_required
def privacy_requests() -> BaseResponse:
    """個資權利: ask the hub to stop processing one's data or to delete it (the
    authority decides), after giving the password again."""
    form = PrivacyRequestForm()
    if request.method == "GET":
        return _privacy_page(form, {})
    if not form.validate_on_submit():
        return _privacy_page(form, dict(form_problems(form)), 400)
    hub = current_hub()
    account = _account()
    password = form.current_password.data or ""
    policy, throttle = hub.policy.current(), hub.throttle()
    problem = (
        lockout.recheck_password(
            db(), hub.passwords, policy, throttle, account, password, client_ip()
        )
        if password
        else text("請輸入目前的密碼")
    )
    if problem is not None:
        return _privacy_page(form, {"current_password": problem}, 400)
    try:
        privacy.file_request(
            db(), account, form.kind.data or "", form.reason.data or "", ip=client_ip()
        )
    except DomainError as refused:
        return _privacy_page(form, {"form": refused.text}, 400)
    notices.tell("已送出申請，審核結果會以站內訊息及電子郵件通知您。")
    return redirect(url_for("account.privacy_requests"))


@bp.get("/inbox")
@login_required
def inbox_page() -> Response:
    """站內訊息: newest first; opening the page marks them read."""
    account = _account()
    messages = inbox.messages(db(), account)
    unread = {m.id for m in messages if m.read_at is None}
    inbox.mark_read(db(), account)
    return Response(render_template("account/inbox.html", messages=messages, unread=unread))
