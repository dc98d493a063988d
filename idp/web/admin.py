"""Administration for security admins: the security policy, locked accounts and
sessions, the audit log (稽核紀錄), and (in development) the mail outbox."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session, notices
from ..http.access import audit_reader_required, security_admin_required
from ..http.context import client_ip, current_hub
from ..http.forms import ConfirmForm
from ..http.listing import day, export, show, wants_export
from ..http.unit_of_work import after_commit, db, kick_worker
from ..models import Account
from ..services import audit, names, policy
from ..services.errors import Text, text
from ..services.messaging import mail
from ..services.reports import listings
from ..services.sessions import hub_sessions

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _as_text(value: Any) -> str:
    """A policy value as the form sends it back."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _submitted(name: str) -> str | None:
    """A field as posted: a many-choice field's ticked boxes joined by commas (its hidden
    empty entry tells "none ticked" from "not on the form", None)."""
    if policy.subset_choices(name):
        ticked = request.form.getlist(name)
        return ",".join(v for v in ticked if v) if ticked else None
    return request.form.get(name, "")


def _actor() -> Account:
    account: Account = current_user._get_current_object()
    return account


@bp.get("/")
@security_admin_required
def index() -> Response:
    return Response(
        render_template("admin/index.html", development=current_hub().settings.development)
    )


def _policy_page(
    problems: list[Text],
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    current = policy.current_policy(db())
    shown = dict(current.flat())
    shown.update(values or {})
    return Response(
        render_template(
            "admin/policy.html",
            current=current,
            values=shown,
            sections=names.POLICY_SECTION,
            choices=names.POLICY_CHOICE,
            subsets={name: policy.subset_choices(name) for name in shown},
            kinds=names.SECOND_FACTOR_KIND,
            problems=problems,
            history=policy.history(db())[:20],
            form=ConfirmForm(),
        ),
        status=status,
    )


@bp.route("/policy", methods=["GET", "POST"])
@security_admin_required
def edit_policy() -> BaseResponse:
    if request.method == "GET":
        return _policy_page([])
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _policy_page([text("表單已逾時，請重新送出")], 400)
    current = policy.current_policy(db()).flat()
    preset = request.form.get("preset")
    if preset:
        changes = policy.preset_changes(preset)
    else:
        submitted = {name: _submitted(name) for name in current}
        changes = {
            name: value
            for name, value in submitted.items()
            if value is not None and value != _as_text(current[name])
        }
    account = _actor()
    try:
        policy.change_policy(
            db(),
            changes,
            actor=account.username,
            actor_account_id=account.id,
            reason=request.form.get("reason", ""),
            ip=client_ip(),
            expire_passwords=request.form.get("expire_passwords") == "yes",
        )
    except policy.PolicyError as error:
        return _policy_page(error.problems, 400, values=None if preset else changes)
    after_commit(current_hub().policy.reload)
    notices.tell("已儲存為新版本。")
    return redirect(url_for("admin.edit_policy"))


@bp.get("/accounts")
@security_admin_required
def accounts() -> Response:
    """帳號鎖定與登入狀態: accounts found by part of their username or name, in pages."""
    query = request.args.get("q", "").strip()[:100]
    searched = len(query) >= listings.MIN_CONTAINS
    listing = listings.account_search(query)
    page = show(listing) if searched else None
    throttle = current_hub().throttle()
    return Response(
        render_template(
            "admin/accounts.html",
            query=query,
            too_short=listings.too_short(query),
            minimum=listings.MIN_CONTAINS,
            listing=listing,
            page=page,
            sort=listing.sort_of(request.args.get("sort", "")),
            locked={a.id for a in page.rows if throttle.locked(a.id)} if page else set(),
        ),
        status=400 if listings.too_short(query) else 200,
    )


def _account_or_404(account_id: int) -> Account:
    account = db().get(Account, account_id)
    if account is None:
        abort(404)
    return account


@bp.get("/accounts/<int:account_id>")
@security_admin_required
def account_detail(account_id: int) -> Response:
    account = _account_or_404(account_id)
    throttle = current_hub().throttle()
    return Response(
        render_template(
            "admin/account.html",
            account=account,
            locked=throttle.locked(account.id),
            sessions=hub_sessions.active_sessions(db(), account.id),
            form=ConfirmForm(),
            done=request.args.get("done"),
        )
    )


@bp.post("/accounts/<int:account_id>/unlock")
@security_admin_required
def unlock(account_id: int) -> BaseResponse:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    account = _account_or_404(account_id)
    hub = current_hub()
    hub.throttle().unlock(account.id)
    actor = _actor()
    audit.record(
        db(),
        "account.unlock",
        actor=actor.username,
        actor_account_id=actor.id,
        target=account.username,
        ip=client_ip(),
    )
    return redirect(url_for("admin.account_detail", account_id=account.id, done="unlocked"))


@bp.post("/accounts/<int:account_id>/end-sessions")
@security_admin_required
def end_sessions(account_id: int) -> BaseResponse:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    account = _account_or_404(account_id)
    hub = current_hub()
    current = auth_session.signed_in()
    hub_sessions.end_account_sessions(
        db(),
        hub.revocation,
        account.id,
        "ended_by_admin",
        keep_sid=current.sid if current else None,
    )
    actor = _actor()
    audit.record(
        db(),
        "session.end_all",
        actor=actor.username,
        actor_account_id=actor.id,
        target=account.username,
        ip=client_ip(),
    )
    kick_worker()
    return redirect(url_for("admin.account_detail", account_id=account.id, done="ended"))


@bp.get("/audit")
@audit_reader_required
def audit_log() -> Response:
    """稽核紀錄: search by actor, target, event, address and dates; pages; exports."""
    args = request.args
    filters = listings.AuditFilter(
        actor=args.get("actor", "")[:100],
        target=args.get("target", "")[:200],
        action=args.get("action", "")[:50],
        ip=args.get("ip", "")[:64],
        since=day(args.get("from", "")),
        until=day(args.get("to", "")),
    )
    listing = listings.audit_log(_actor(), filters)
    if wants_export():
        return export(listing)
    return Response(
        render_template(
            "admin/audit.html",
            listing=listing,
            page=show(listing),
            sort=listing.sort_of(args.get("sort", "")),
            filters=args,
        )
    )


@bp.get("/outbox")
@security_admin_required
def outbox() -> Response:
    """Development only: the mail the hub would send, for trying flows without SMTP."""
    if not current_hub().settings.development:
        abort(404)
    return Response(render_template("admin/outbox.html", messages=mail.outbox(db())))
