"""Public pages: home, sign-in (服務登入), sign-out, 忘記密碼, captcha, language."""

from __future__ import annotations

import time
from collections.abc import Mapping

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session, interaction
from ..http.access import signed_in_account
from ..http.context import client_ip, current_hub
from ..http.forms import (
    REQUIRED,
    ConfirmForm,
    ForgotPasswordForm,
    ResetPasswordForm,
    SignInForm,
    form_problems,
)
from ..http.i18n import COOKIE, LOCALES, current_locale, gettext, pick_locale, set_locale
from ..http.local_urls import local_path
from ..http.signin_page import finish_sign_in, new_captcha, own_captcha, render_signin
from ..http.unit_of_work import db, kick_worker
from ..models import Account
from ..services import permissions
from ..services.errors import InvalidInput, Text, text
from ..services.messaging import inbox
from ..services.reports import dashboard
from ..services.sessions import hub_sessions
from ..services.signin import captcha, credentials
from ..services.signin.lockout import SigninFailed
from ..services.signin.password_rules import PersonalData, evaluate, rules_text
from ..services.signin.steps import (
    SigninAttempt,
    password_flow,
    sign_in,
)
from .bindings import switch_in_groups
from .bulletins import announcement_page

bp = Blueprint("portal", __name__)


@bp.get("/")
def home() -> Response:
    """Before sign-in: 服務登入 beside the public announcements. After: the launcher (帳號簽入
    per subsystem), 管理者訊息 for admins, unread 站內訊息 and the person's announcements."""
    current = auth_session.signed_in()
    if current is None or not current_user.is_authenticated:
        return render_signin(SignInForm(), home_announcements=announcement_page(10))
    hub = current_hub()
    account = signed_in_account()
    return Response(
        render_template(
            "portal/home.html",
            current=current,
            account=account,
            previous_signin_at=session.get("previous_signin_at"),
            change_due=credentials.change_due_soon(hub.policy.current().password, account),
            form=ConfirmForm(),
            launcher=switch_in_groups(),
            work=dashboard.pending_work(db(), account) if permissions.may_review(account) else None,
            unread=inbox.unread(db(), account),
            unread_total=inbox.unread_count(db(), account),
            bulletins=announcement_page(10),
        )
    )


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> BaseResponse:
    form = SignInForm()
    pending = interaction.find(form.rid.data or request.args.get("rid", ""))
    if pending is not None:
        locale = pick_locale(pending.ui_locales)
        if locale:
            set_locale(locale)
    form.rid.data = pending.rid if pending else ""
    required = pending.required_acr if pending else None
    if request.method == "GET":
        if pending is not None:
            form.username.data = pending.login_hint
        return render_signin(form, required_acr=required)
    if not form.validate_on_submit():
        message = "表單已逾時，請重新送出" if "csrf_token" in form.errors else "請填寫帳號與密碼"
        return render_signin(form, message, status=400, required_acr=required)
    hub = current_hub()
    attempt = SigninAttempt(
        username=form.username.data or "",
        password=form.password.data or "",
        captcha_id=own_captcha(form.captcha_id.data or ""),
        captcha_answer=form.captcha_answer.data or "",
        ip=client_ip(),
    )
    policy = hub.policy.current()
    try:
        authn = sign_in(
            db(),
            password_flow(
                db(), hub.store, hub.passwords, policy, hub.throttle(), hub.settings.captcha
            ),
            attempt,
        )
    except SigninFailed as failure:
        status = 429 if failure.reason == "address_limited" else 401
        return render_signin(
            form, failure.message, status, message_params=failure.params, required_acr=required
        )
    return finish_sign_in(authn, form.rid.data or "")


@bp.route("/signout", methods=["GET", "POST"])
def signout() -> BaseResponse:
    form = ConfirmForm()
    if request.method == "GET":
        if auth_session.signed_in() is None:
            return redirect(url_for("portal.home"))
        return Response(
            render_template(
                "portal/confirm_signout.html", form=form, action=url_for("portal.signout")
            )
        )
    if not form.validate_on_submit():
        abort(400)
    auth_session.end("signout")
    return redirect(url_for("portal.signed_out"))


@bp.get("/signed-out")
def signed_out() -> Response:
    """Where a sign-out lands (POST/redirect/GET): reloading it signs nobody out again."""
    return Response(render_template("portal/signed_out.html"))


@bp.post("/session/keepalive")
def keepalive() -> Response:
    """The idle warning's 繼續使用: one request, which renews the idle timer."""
    if auth_session.signed_in() is None:
        return jsonify(signed_in=False)
    session["_last_seen"] = time.time()
    return jsonify(signed_in=True)


# 忘記密碼 -------------------------------------------------------------------------------


def _forgot_page(
    form: ForgotPasswordForm,
    errors: Mapping[str, Text] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    form.captcha_answer.data = ""
    return Response(
        render_template(
            "portal/forgot_password.html",
            form=form,
            values={"username": form.username.data or "", "email": form.email.data or ""},
            errors={name: [problem] for name, problem in (errors or {}).items()},
            message=message,
            sent=request.method == "GET" and bool(request.args.get("sent")),
            captcha_id=new_captcha(),
        ),
        status=status,
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> BaseResponse:
    form = ForgotPasswordForm()
    if request.method == "GET":
        return _forgot_page(form)
    if not form.validate_on_submit():
        return _forgot_page(form, form_problems(form), status=400)
    hub = current_hub()
    ip = client_ip()
    if not hub.throttle().allow("forgot_password", ip):
        return _forgot_page(form, message="嘗試次數過多，請稍後再試", status=429)
    username = (form.username.data or "").strip()
    email = (form.email.data or "").strip()
    answer = (form.captcha_answer.data or "").strip()
    missing = {
        name: text(REQUIRED)
        for name, value in (("username", username), ("email", email), ("captcha_answer", answer))
        if not value and (name != "captcha_answer" or hub.settings.captcha)
    }
    if missing:
        return _forgot_page(form, missing, status=400)
    challenge_id = own_captcha(form.captcha_id.data or "")
    if hub.settings.captcha and not captcha.check(hub.store, challenge_id, answer):
        return _forgot_page(form, {"captcha_answer": text("驗證碼錯誤，請重新輸入")}, status=400)
    credentials.request_reset(db(), username=username, email=email, ip=ip)
    return redirect(url_for("portal.forgot_password", sent=1))


@bp.route(credentials.RESET_PATH + "<token>", methods=["GET", "POST"])
def reset_password(token: str) -> BaseResponse:
    hub = current_hub()
    reset = credentials.find_reset(db(), token)
    if reset is None:
        return Response(
            render_template("error.html", message="此連結已失效或已使用過，請重新申請忘記密碼。"),
            status=400,
        )
    policy = hub.policy.current()
    form = ResetPasswordForm()
    errors: dict[str, str | list[Text]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors.update({name: [problem] for name, problem in form_problems(form).items()})
        else:
            try:
                account = credentials.complete_reset(
                    db(),
                    hub.passwords,
                    policy.password,
                    reset,
                    new=form.new_password.data or "",
                    confirm=form.confirm.data or "",
                    ip=client_ip(),
                )
            except InvalidInput as error:
                errors[error.field] = error.texts
            else:
                hub.throttle().unlock(account.id)
                hub_sessions.shut_out(db(), hub.revocation, account.id, "password_reset")
                kick_worker()
                return redirect(url_for("portal.password_reset_done"))
    form.new_password.data = form.confirm.data = ""
    owner = db().get(Account, reset.account_id)
    return Response(
        render_template(
            "portal/reset_password.html",
            form=form,
            errors=errors,
            token=token,
            rules=rules_text(policy.password),
            username=owner.username if owner else "",
        ),
        status=400 if errors else 200,
    )


@bp.get("/password/reset-done")
def password_reset_done() -> Response:
    return Response(render_template("portal/password_reset_done.html"))


@bp.post("/password/strength")
def password_strength() -> Response:
    """The strength meter's verdict, from the same rules the server enforces."""
    hub = current_hub()
    policy = hub.policy.current().password
    password = request.form.get("password", "")[: policy.max_length + 1]
    if auth_session.signed_in() is not None and current_user.is_authenticated:
        personal = credentials.personal_data(current_user)
    else:
        personal = PersonalData(
            username=request.form.get("username", "")[:50],
            name=request.form.get("name", "")[:100],
            national_id=request.form.get("national_id", "")[:20],
            phones=tuple(p[:40] for p in request.form.getlist("phone")),
            emails=tuple(e[:254] for e in request.form.getlist("email")),
        )
        reset = credentials.find_reset(db(), request.form.get("reset_token", ""))
        account = db().get(Account, reset.account_id) if reset else None
        if account is not None:
            personal = credentials.personal_data(account)
    verdict = evaluate(policy, password, personal)
    return jsonify(
        score=verdict.score,
        level=verdict.level,
        level_text=gettext(verdict.level_text),
        ok=verdict.ok,
        problems=[gettext(p) for p in verdict.problems],
    )


# Captcha and language ------------------------------------------------------------------


@bp.get("/captcha/new")
def captcha_new() -> Response:
    hub = current_hub()
    if not hub.throttle().allow("captcha", client_ip()):
        abort(429)
    challenge_id = new_captcha()
    if challenge_id is None:
        abort(404)
    return jsonify(
        id=challenge_id,
        image=url_for("portal.captcha_image", challenge_id=challenge_id),
        audio=url_for("portal.captcha_audio", challenge_id=challenge_id),
    )


def _captcha_answer(challenge_id: str) -> str:
    answer = captcha.answer_of(current_hub().store, own_captcha(challenge_id))
    if answer is None:
        abort(404)
    return answer


@bp.get("/captcha/<challenge_id>.png")
def captcha_image(challenge_id: str) -> Response:
    return Response(captcha.render_image(_captcha_answer(challenge_id)), mimetype="image/png")


@bp.get("/captcha/<challenge_id>.wav")
def captcha_audio(challenge_id: str) -> Response:
    audio = captcha.render_audio(_captcha_answer(challenge_id), current_locale())
    return Response(audio, mimetype="audio/wav")


@bp.get("/lang/<locale>")
def choose_language(locale: str) -> BaseResponse:
    if locale not in LOCALES:
        abort(404)
    response = redirect(local_path(request.args.get("next")))
    response.set_cookie(
        COOKIE,
        locale,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_hub().settings.cookie_secure,
    )
    return response
