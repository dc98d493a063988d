"""人員帳號管理 for unit admins and the authority: their unit's accounts (add, edit, disable
now or on a day, restore) and role changes (帳號/權限異動, 系統權限申請).

What a manager may see or change is decided by ``services.permissions``; these views pass
the signed-in account along, so an id changed in a URL or form finds nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import unit_admin_required
from ..http.context import client_ip, current_hub
from ..http.unit_of_work import db, kick_worker
from ..models import Account, AccountStatus, ApplicationStatus
from ..services import names, permissions
from ..services.accounts import lifecycle as account_admin
from ..services.accounts.lifecycle import AccountDetails, AccountFilter
from ..services.accounts.national_id import reveal_masked
from ..services.errors import DomainError, FormErrors, InvalidInput, Text
from ..services.factors import manage as second_factors
from ..services.permissions import is_authority
from ..services.reports import dashboard, signin_log
from ..services.reviews import role_changes
from ..services.subsystems.bindings import bindings_of
from .review import reviewer

bp = Blueprint("unit_accounts", __name__, url_prefix="/unit")

DETAIL_FIELDS = ("national_id", *account_admin.EDITABLE)
#: The disabling waiting for its 是否確定.
DISABLE_KEY = "disable_confirm"


def _details() -> AccountDetails:
    form = request.form
    return AccountDetails(**{name: form.get(name, "")[:254] for name in DETAIL_FIELDS})


def _list_page(message: object = None, status: int = 200) -> Response:
    me = reviewer()
    args = request.args
    chosen = args.get("status", "")
    filters = AccountFilter(
        unit_code=args.get("unit_code", "")[:10] if is_authority(me) else "",
        username=args.get("username", "")[:20],
        name=args.get("name", "")[:100],
        status=AccountStatus(chosen) if chosen in set(AccountStatus) else None,
    )
    return Response(
        render_template(
            "unit_accounts/accounts.html",
            rows=account_admin.list_accounts(db(), me, filters),
            filters=args,
            authority=is_authority(me),
            message=message,
        ),
        status=status,
    )


@bp.get("/accounts")
@unit_admin_required
def accounts() -> Response:
    return _list_page()


def _new_page(errors: dict[str, list[Text]], message: object = None, status: int = 200) -> Response:
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return Response(
        render_template(
            "unit_accounts/new_account.html",
            values=values,
            errors=errors,
            message=message,
            authority=is_authority(reviewer()),
        ),
        status=status,
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@unit_admin_required
def new_account() -> BaseResponse:
    me = reviewer()
    if request.method == "GET":
        return _new_page({})
    try:
        account = account_admin.add_account(
            db(),
            current_hub().managing(),
            me,
            username=request.form.get("username", "")[:50],
            details=_details(),
            unit_code=request.form.get("unit_code", "")[:10],
            ip=client_ip(),
        )
    except FormErrors as refused:
        return _new_page(refused.errors, status=400)
    except DomainError as refused:
        return _new_page({}, refused.text, 400)
    return redirect(url_for("unit_accounts.account_detail", account_id=account.id, done="added"))


def _account(me: Account, account_id: int) -> Account:
    return account_admin.account_in_scope(db(), me, account_id)


def _detail_page(
    me: Account,
    account: Account,
    *,
    errors: dict[str, list[Text]] | None = None,
    message: object = None,
    status: int = 200,
    confirm_disable: dict[str, Any] | None = None,
) -> Response:
    hub = current_hub()
    masked_id = reveal_masked(db(), hub.national_ids, account, viewer=me, ip=client_ip())
    values = {name: getattr(account, name) for name in account_admin.EDITABLE}
    if errors:
        values.update({k: v for k, v in request.form.items() if k in account_admin.EDITABLE})
    return Response(
        render_template(
            "unit_accounts/account.html",
            account=account,
            masked_id=masked_id,
            values=values,
            errors=errors or {},
            message=message,
            done=request.args.get("done"),
            may_manage=permissions.may_manage(me, account),
            factors=second_factors.factors_of(db(), hub.policy.current().mfa, account),
            may_reset_factors=permissions.may_reset_second_factors(me, account),
            kind_names=names.SECOND_FACTOR_KIND,
            bindings=bindings_of(db(), account),
            catalogues=hub.catalogues,
            confirm_disable=confirm_disable,
            changes=[
                c
                for c in role_changes.list_role_changes(db(), me, None)
                if c.account_id == account.id
            ],
        ),
        status=status,
    )


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@unit_admin_required
def account_detail(account_id: int) -> BaseResponse:
    me = reviewer()
    account = _account(me, account_id)
    if request.method == "GET":
        pending = session.get(DISABLE_KEY) or {}
        asked = pending.get("account_id") == account.id and request.args.get("confirm") == "disable"
        return _detail_page(me, account, confirm_disable=pending if asked else None)
    try:
        changed = account_admin.edit_account(
            db(), current_hub().managing(), me, account, _details(), ip=client_ip()
        )
    except FormErrors as refused:
        return _detail_page(me, _account(me, account_id), errors=refused.errors, status=400)
    except DomainError as refused:
        return _detail_page(me, _account(me, account_id), message=refused.text, status=400)
    done = "saved" if changed else "unchanged"
    return redirect(url_for("unit_accounts.account_detail", account_id=account.id, done=done))


def _act(account_id: int, action: Any, done: str) -> BaseResponse:
    """Run one change on an account; a refusal is shown on its page, nothing changed."""
    me = reviewer()
    account = _account(me, account_id)
    try:
        action(me, account)
    except DomainError as refused:
        return _detail_page(me, _account(me, account_id), message=refused.text, status=400)
    kick_worker()
    return redirect(url_for("unit_accounts.account_detail", account_id=account_id, done=done))


def _disable_day() -> date | None:
    value = request.form.get("on", "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("on", "日期格式不正確") from None


@bp.post("/accounts/<int:account_id>/disable")
@unit_admin_required
def disable(account_id: int) -> BaseResponse:
    """Two steps, like the review pages, each answered by a redirect: the first asks
    是否確定 on the account's page, the second disables."""
    if request.form.get("confirmed") != "yes":
        account = _account(reviewer(), account_id)
        session[DISABLE_KEY] = {
            "account_id": account.id,
            "on": request.form.get("on", "")[:10],
            "reason": request.form.get("reason", "")[:500],
        }
        return redirect(
            url_for("unit_accounts.account_detail", account_id=account.id, confirm="disable")
        )
    session.pop(DISABLE_KEY, None)

    def action(me: Account, account: Account) -> None:
        account_admin.disable_account(
            db(),
            current_hub().managing(),
            me,
            account,
            on=_disable_day(),
            reason=request.form.get("reason", ""),
            ip=client_ip(),
        )

    return _act(account_id, action, "disabled")


@bp.post("/accounts/<int:account_id>/cancel-disable")
@unit_admin_required
def cancel_disable(account_id: int) -> BaseResponse:
    return _act(
        account_id,
        lambda me, account: account_admin.cancel_scheduled_disable(
            db(), me, account, ip=client_ip()
        ),
        "kept",
    )


@bp.post("/accounts/<int:account_id>/restore")
@unit_admin_required
def restore(account_id: int) -> BaseResponse:
    return _act(
        account_id,
        lambda me, account: account_admin.restore_account(
            db(), me, account, reason=request.form.get("reason", ""), ip=client_ip()
        ),
        "restored",
    )


@bp.post("/accounts/<int:account_id>/second-factors/reset")
@unit_admin_required
def reset_second_factors(account_id: int) -> BaseResponse:
    """重設兩步驟驗證 of a person who lost theirs (audited, mailed)."""
    return _act(
        account_id,
        lambda me, account: second_factors.reset(
            db(),
            current_hub().policy.current().mfa,
            me,
            account,
            reason=request.form.get("reason", "")[:500],
            ip=client_ip(),
        ),
        "factors_reset",
    )


@bp.post("/accounts/<int:account_id>/role-changes")
@unit_admin_required
def request_role_change(account_id: int) -> BaseResponse:
    held = request.form.get("subsystem_account_id", "")

    def action(me: Account, account: Account) -> None:
        role_changes.submit_role_change(
            db(),
            current_hub().catalogues,
            me,
            role_changes.RoleChangeForm(
                kind=request.form.get("kind", ""),
                account_id=account.id,
                subsystem_account_id=int(held) if held.isdigit() else None,
                menu_roles=tuple(request.form.getlist("menu_roles"))[:50],
                reason=request.form.get("reason", ""),
            ),
            ip=client_ip(),
        )

    return _act(account_id, action, "requested")


@bp.get("/role-changes")
@unit_admin_required
def role_change_list() -> Response:
    me = reviewer()
    chosen = request.args.get("status", "")
    status = ApplicationStatus(chosen) if chosen in set(ApplicationStatus) else None
    return Response(
        render_template(
            "unit_accounts/role_changes.html",
            rows=role_changes.list_role_changes(db(), me, status),
            filters=request.args,
            catalogues=current_hub().catalogues,
        )
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/signins")
@unit_admin_required
def signins() -> Response:
    """人員登入紀錄 and 子系統登入查詢 for the accounts the manager may see."""
    me = reviewer()
    args = request.args
    filters = signin_log.SigninFilter(
        since=_day(args.get("from", "")),
        until=_day(args.get("to", "")),
        username=args.get("username", "")[:20],
    )
    return Response(
        render_template(
            "unit_accounts/signins.html",
            hub_signins=signin_log.hub_signins(db(), me, filters),
            subsystem_signins=signin_log.subsystem_signins(db(), me, filters),
            failed_signins=signin_log.failed_signins(db(), me, filters),
            filters=args,
            catalogues=current_hub().catalogues,
        )
    )


@bp.get("/")
@unit_admin_required
def home() -> Response:
    """管理首頁: counts and what waits, within the viewer's scope."""
    return Response(
        render_template("unit_accounts/dashboard.html", board=dashboard.dashboard(db(), reviewer()))
    )
