"""人員帳號管理 for unit admins and the authority: their unit's accounts (add, edit, disable
now or on a day, restore), the unit's 授權使用人員一覽表 as PDF and xlsx, and role changes
(帳號/權限異動, 系統權限申請).

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
from ..http.downloads import personal_file
from ..http.forms import chosen_files
from ..http.listing import day, export, show, wants_export
from ..http.unit_of_work import db, kick_worker
from ..http.values import calendar_day, whole_number
from ..models import Account, AccountRole, AccountStatus, ApplicationStatus, RoleChangeKind, Unit
from ..services import attachments, names, permissions
from ..services.accounts import lifecycle as account_admin
from ..services.accounts.lifecycle import AccountDetails
from ..services.accounts.national_id import reveal_masked
from ..services.errors import DomainError, FormErrors, InvalidInput, Text
from ..services.factors import manage as second_factors
from ..services.permissions import is_authority
from ..services.reports import dashboard, listings, roster, signin_logs
from ..services.reports.paging import Cursor
from ..services.reports.spreadsheets import FORMATS
from ..services.reviews import role_changes
from ..services.signin import credentials
from ..services.subsystems import rights
from ..services.subsystems.bindings import bindings_of
from ..services.uploads import megabytes
from .review import reviewer, role_change_filter, search_args

bp = Blueprint("unit_accounts", __name__, url_prefix="/unit")

#: The disabling waiting for its 是否確定.
DISABLE_KEY = "disable_confirm"

DETAIL_FIELDS = ("national_id", *account_admin.EDITABLE)


def _details() -> AccountDetails:
    form = request.form
    return AccountDetails(**{name: form.get(name, "")[:254] for name in DETAIL_FIELDS})


def _account_filter() -> listings.AccountFilter:
    args = request.args
    role, status = args.get("role", ""), args.get("status", "")
    return listings.AccountFilter(
        unit_code=args.get("unit_code", "")[:10],
        unit_name=args.get("unit_name", "")[:100],
        username=args.get("username", "")[:20],
        name=args.get("name", "")[:100],
        email=args.get("email", "")[:254],
        national_id_hash=args.get("nid", "")[:64],
        role=AccountRole(role) if role in set(AccountRole) else None,
        subsystem=args.get("subsystem", "")[:40],
        status=AccountStatus(status) if status in set(AccountStatus) else None,
    )


@bp.route("/accounts", methods=["GET", "POST"])
@unit_admin_required
def accounts() -> BaseResponse:
    """人員帳號管理: the search form posts (a 身分證 typed there must not reach a URL or a
    log), and comes back as a GET whose 身分證 is its keyed hash."""
    if request.method == "POST":
        return redirect(url_for("unit_accounts.accounts", **search_args(current_hub())))
    listing = listings.accounts(reviewer(), _account_filter())
    if wants_export():
        return export(listing)
    return Response(
        render_template(
            "unit_accounts/accounts.html",
            listing=listing,
            page=show(listing),
            sort=listing.sort_of(request.args.get("sort", "")),
            filters=request.args,
            roles=list(AccountRole),
            statuses=list(AccountStatus),
            catalogues=current_hub().catalogues,
            roster_unit=_roster_unit(reviewer()),
            authority=is_authority(reviewer()),
        )
    )


def _roster_unit(me: Account) -> Unit | None:
    """The unit whose 授權使用人員一覽表 the page offers: a unit admin's own; for the
    authority, the unit whose code the search names."""
    if not is_authority(me):
        return me.unit
    code = request.args.get("unit_code", "").strip()[:10]
    if not code:
        return None
    return db().scalar(permissions.unit_scope(me).where(Unit.code == code))


def _roster(unit_id: int, file_format: str) -> roster.Roster:
    """The unit's list for the signed-in manager (404 outside their scope), audited."""
    me, hub = reviewer(), current_hub()
    made = roster.unit_roster(db(), hub.catalogues, hub.national_ids, me, unit_id, ip=client_ip())
    roster.record_download(db(), me, made, file_format, ip=client_ip())
    return made


@bp.get("/units/<int:unit_id>/roster.pdf")
@unit_admin_required
def roster_pdf(unit_id: int) -> Response:
    """授權使用人員一覽表 to print, sign and stamp (附件 of the 單位切結書)."""
    made = _roster(unit_id, "pdf")
    return personal_file(roster.render_roster_pdf(made), "application/pdf", made.stem)


@bp.get("/units/<int:unit_id>/roster.xlsx")
@unit_admin_required
def roster_xlsx(unit_id: int) -> Response:
    """授權使用人員一覽表 as a workbook."""
    made = _roster(unit_id, "xlsx")
    return personal_file(roster.render_roster_xlsx(made), FORMATS["xlsx"].media_type, made.stem)


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
            max_attachments=attachments.MAX_ATTACHMENTS,
            attachment_mb=megabytes(attachments.RULE.max_bytes),
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
    if changed:
        kick_worker()
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
    day = calendar_day(value)
    if day is None:
        raise InvalidInput("on", "日期格式不正確")
    return day


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


@bp.post("/accounts/<int:account_id>/password-reset")
@unit_admin_required
def send_password_reset(account_id: int) -> BaseResponse:
    """重設密碼: a link to the person's own confirmed address, never one typed here."""
    hub = current_hub()
    return _act(
        account_id,
        lambda me, account: credentials.send_reset_link(
            db(), hub.policy.current().password, hub.settings.issuer_url, me, account, client_ip()
        ),
        "reset_sent",
    )


@bp.post("/accounts/<int:account_id>/role-changes")
@unit_admin_required
def request_role_change(account_id: int) -> BaseResponse:
    held = request.form.get("subsystem_account_id", "")

    def action(me: Account, account: Account) -> None:
        hub = current_hub()
        role_changes.submit_role_change(
            db(),
            hub.catalogues,
            hub.review_routes,
            me,
            role_changes.RoleChangeForm(
                kind=request.form.get("kind", ""),
                account_id=account.id,
                subsystem_account_id=whole_number(held),
                menu_roles=tuple(request.form.getlist("menu_roles"))[:50],
                reason=request.form.get("reason", ""),
                attachments=chosen_files(),
            ),
            ip=client_ip(),
        )

    return _act(account_id, action, "requested")


# 權限管理 of one subsystem account -------------------------------------------------------


def _rights_form() -> rights.RightsForm:
    form = request.form
    return rights.RightsForm(
        role=form.get("role", ""),
        duty=form.get("duty", "")[:40],
        menu_roles=tuple(form.getlist("menu_roles"))[:50],
        status=form.get("status", ""),
        reason=form.get("reason", "")[:500],
    )


def _rights_page(
    found: rights.Held, form: rights.RightsForm | None = None, message: object = None
) -> Response:
    held = found.subsystem_account
    unit = held.unit
    subsystem = current_hub().catalogues[held.subsystem]
    shown = form or rights.RightsForm(
        held.role.value, held.duty, tuple(held.menu_roles), held.status.value
    )
    return Response(
        render_template(
            "unit_accounts/rights.html",
            found=found,
            held=held,
            subsystem=subsystem,
            duties=subsystem.duties_for(unit.kind) if unit else (),
            form=shown,
            statuses=rights.SETTABLE_STATUSES,
            roles=(AccountRole.MEMBER, AccountRole.UNIT_ADMIN),
            may_change=permissions.may_manage(reviewer(), found.owner)
            and held.role is AccountRole.MEMBER,
            message=message,
            done=request.args.get("done"),
        ),
        status=400 if message else 200,
    )


@bp.route("/accounts/<int:account_id>/subsystem-accounts/<int:held_id>", methods=["GET", "POST"])
@unit_admin_required
def subsystem_rights(account_id: int, held_id: int) -> BaseResponse:
    """子系統帳號權限管理: role, duty, menu roles and status, within what the unit decides."""
    hub = current_hub()
    me = reviewer()
    found = rights.held_in_scope(db(), hub.catalogues, me, account_id, held_id)
    if request.method == "GET":
        return _rights_page(found)
    form = _rights_form()
    try:
        outcome = rights.change_rights(
            db(), hub.catalogues, hub.review_routes, me, found, form, ip=client_ip()
        )
    except DomainError as refused:
        db().rollback()  # what was set before the refusal is not shown as if it were kept
        again = rights.held_in_scope(db(), hub.catalogues, me, account_id, held_id)
        return _rights_page(again, form, message=refused.text)
    kick_worker()
    done = "requested" if outcome.requests else "saved" if outcome.changed else "unchanged"
    return redirect(
        url_for("unit_accounts.subsystem_rights", account_id=account_id, held_id=held_id, done=done)
    )


@bp.get("/role-changes")
@unit_admin_required
def role_change_list() -> Response:
    """帳號/權限異動 and 系統權限申請 of the manager's unit (the authority: every unit)."""
    listing = listings.role_changes(reviewer(), role_change_filter())
    if wants_export():
        return export(listing)
    return Response(
        render_template(
            "unit_accounts/role_changes.html",
            listing=listing,
            page=show(listing),
            sort=listing.sort_of(request.args.get("sort", "")),
            rows=None,
            statuses=[s for s in ApplicationStatus if s is not ApplicationStatus.WAITING],
            kinds=list(RoleChangeKind),
            filters=request.args,
            catalogues=current_hub().catalogues,
        )
    )


def _signin_filter() -> signin_logs.SigninFilter:
    args = request.args
    return signin_logs.SigninFilter(
        since=day(args.get("from", "")),
        until=day(args.get("to", "")),
        username=args.get("username", "")[:20],
        unit_code=args.get("unit_code", "")[:10],
    )


@bp.get("/signins")
@unit_admin_required
def signins() -> Response:
    """人員登入紀錄, for the accounts the manager may see."""
    listing = signin_logs.hub_signins(reviewer(), _signin_filter())
    return export(listing) if wants_export() else _signins_page(listing, "hub")


@bp.get("/failed-signins")
@unit_admin_required
def failed_signins() -> Response:
    """登入失敗紀錄: refused sign-ins of the accounts the manager may see, and why."""
    listing = signin_logs.failed_signins(reviewer(), _signin_filter())
    return export(listing) if wants_export() else _signins_page(listing, "failed")


@bp.get("/subsystem-signins")
@unit_admin_required
def subsystem_signins() -> Response:
    """子系統登入查詢: sign-ins into subsystems as which subsystem account."""
    listing = signin_logs.subsystem_signins(reviewer(), _signin_filter(), current_hub().catalogues)
    return export(listing) if wants_export() else _signins_page(listing, "subsystem")


def _signins_page(listing: Any, kind: str) -> Response:
    """One of the three sign-in logs; 人員登入紀錄 shows the latest refusals beside it."""
    failures = (
        signin_logs.failed_signins(reviewer(), _signin_filter()).page(db(), Cursor(), 20, "")
        if kind == "hub"
        else None
    )
    return Response(
        render_template(
            "unit_accounts/signins.html",
            listing=listing,
            kind=kind,
            failures=failures,
            page=show(listing),
            sort=listing.sort_of(request.args.get("sort", "")),
            filters=request.args,
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
