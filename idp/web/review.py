"""Reviewers' pages (unit admins and the authority): 帳號申請核定, 業務子系統帳號申請審核 and
帳號/權限異動審核, with their searches, pages, exports and detail pages.

What a reviewer may see or decide is decided by ``services.permissions``; these views only
pass the signed-in account along, so an id changed in a URL or form finds nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http import notices
from ..http.access import (
    authority_required,
    role_change_deciders_required,
    signed_in_account,
    unit_admin_required,
)
from ..http.context import client_ip, current_hub
from ..http.downloads import personal_file
from ..http.listing import day, export, show, wants_export
from ..http.unit_of_work import db, kick_worker
from ..http.values import row_ids, whole_number
from ..hub import Hub
from ..models import Account, AccountRole, ApplicationStatus, RoleChangeKind
from ..services.accounts import privacy
from ..services.accounts.national_id import reveal_masked
from ..services.errors import DomainError, InvalidInput, NotFound, text
from ..services.reports import listings
from ..services.reports.paging import Listing
from ..services.reviews import decisions as reviews
from ..services.reviews import role_changes

bp = Blueprint("review", __name__, url_prefix="/review")

#: The batch waiting for its 是否確定 (a reviewer's browser session holds one at a time).
CONFIRM_KEY = "review_confirm"


def reviewer() -> Account:
    """The signed-in unit admin (the views are ``unit_admin_required``)."""
    return signed_in_account()


ROLE_CHOICES = {role.value for role in AccountRole}


def search_args(hub: Hub) -> dict[str, Any]:
    """A posted search form as the query arguments of its GET: the 身分證 typed becomes
    its keyed hash (``nid``), so the number reaches no URL, history or log."""
    args: dict[str, Any] = {
        k: v.strip()[:254]
        for k, v in request.form.items()
        if k not in ("csrf_token", "national_id") and v.strip()
    }
    national_id = request.form.get("national_id", "").strip()[:20]
    if national_id:
        args["nid"] = hub.national_ids.lookup_hash(national_id)
    return args


def filters_from_request() -> listings.ReviewFilter:
    args = request.args
    status, role = args.get("status", ApplicationStatus.PENDING.value), args.get("role", "")
    return listings.ReviewFilter(
        submitted_from=day(args.get("from", "")),
        submitted_to=day(args.get("to", "")),
        decided_from=day(args.get("decided_from", "")),
        decided_to=day(args.get("decided_to", "")),
        unit_code=args.get("unit_code", "")[:10],
        username=args.get("username", "")[:20],
        name=args.get("name", "")[:100],
        national_id_hash=args.get("nid", "")[:64],
        role=AccountRole(role) if role in ROLE_CHOICES else None,
        status=ApplicationStatus(status) if status in set(ApplicationStatus) else None,
    )


def role_change_filter() -> listings.RoleChangeFilter:
    args = request.args
    status, kind, number = args.get("status", ""), args.get("kind", ""), args.get("number", "")
    return listings.RoleChangeFilter(
        status=ApplicationStatus(status) if status in set(ApplicationStatus) else None,
        kind=RoleChangeKind(kind) if kind in {k.value for k in RoleChangeKind} else None,
        number=whole_number(number, below=10**9),
        submitted_from=day(args.get("from", "")),
        submitted_to=day(args.get("to", "")),
    )


def _ids() -> list[int]:
    return row_ids(request.form.getlist("ids"), limit=500)


def _batch_page(
    kind: str,
    listing: Listing[Any],
    rows: list[Any] | None = None,
    message: object = None,
    status: int = 200,
    confirm: dict[str, Any] | None = None,
) -> Response:
    """A review list: its page, or (``rows``) the rows picked for confirmation."""
    page = show(listing) if rows is None else None
    return Response(
        render_template(
            f"review/{kind}.html",
            listing=listing,
            page=page,
            rows=rows if rows is not None else page.rows if page else [],
            sort=listing.sort_of(request.args.get("sort", "")),
            filters=request.args,
            message=message,
            confirm=confirm,
            catalogues=current_hub().catalogues,
            roles=list(AccountRole),
            statuses=list(ApplicationStatus),
        ),
        status=status,
    )


def _decide(
    kind: str,
    listing: Listing[Any],
    find: Callable[[list[int]], list[Any]],
    decide: Callable[..., list[Any]],
) -> BaseResponse:
    """Two steps, each a POST answered by a redirect: the first checks the selection and
    the reason and asks to confirm (是否確定?) on a page of its own, the second decides and
    lands on the list with what was done. Nothing changes until the confirmation. A posted
    search form comes back as a GET."""
    if request.form.get("search"):
        return redirect(url_for(request.endpoint or "", **search_args(current_hub())))
    ids = _ids()
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        if not ids:
            raise InvalidInput("ids", "請先勾選要審核的申請")
        if request.form.get("confirmed") != "yes":
            find(ids)
            reviews.check_reason(reason, required=not approve, missing="退回時請填寫原因")
            token = secrets.token_urlsafe(12)
            session[CONFIRM_KEY] = {
                "token": token,
                "kind": kind,
                "ids": ids,
                "approve": approve,
                "reason": reason,
            }
            return redirect(url_for(request.endpoint or "", confirm=token))
        decided = decide(ids, approve=approve, reason=reason, ip=client_ip())
    except DomainError as refused:
        return _batch_page(kind, listing, message=refused.text, status=400)
    session.pop(CONFIRM_KEY, None)
    kick_worker()
    notices.tell("已核定 {count} 筆" if approve else "已退回 {count} 筆", count=len(decided))
    return redirect(request.path)


def _listing_or_confirmation(
    kind: str, listing: Listing[Any], find: Callable[[list[int]], list[Any]]
) -> Response:
    """The list (or its export), or — for the token the first step redirected with — what
    was selected, with the question."""
    pending = session.get(CONFIRM_KEY) or {}
    token = request.args.get("confirm", "")
    if token and pending.get("token") == token and pending.get("kind") == kind:
        confirm = {k: pending[k] for k in ("ids", "approve", "reason")}
        return _batch_page(kind, listing, rows=find(confirm["ids"]), confirm=confirm)
    return export(listing) if wants_export() else _batch_page(kind, listing)


@bp.route("/applications", methods=["GET", "POST"])
@unit_admin_required
def applications() -> BaseResponse:
    me = reviewer()
    listing = listings.applications(me, filters_from_request())

    def find(ids: list[int]) -> list[Any]:
        return reviews.applications_in_scope(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("applications", listing, find)
    return _decide(
        "applications",
        listing,
        find,
        lambda ids, **kw: reviews.decide_applications(db(), me, ids, **kw),
    )


@bp.get("/applications/<int:application_id>")
@unit_admin_required
def application_detail(application_id: int) -> BaseResponse:
    me = reviewer()
    (application,) = reviews.applications_in_scope(db(), me, [application_id])
    hub = current_hub()
    masked_id = reveal_masked(
        db(),
        hub.national_ids,
        application.account,
        viewer=me,
        ip=client_ip(),
        application=application.reference,
    )
    return Response(
        render_template(
            "review/application.html",
            application=application,
            masked_id=masked_id,
            catalogues=hub.catalogues,
        )
    )


@bp.get("/applications/<int:application_id>/scan")
@unit_admin_required
def application_scan(application_id: int) -> BaseResponse:
    me = reviewer()
    (application,) = reviews.applications_in_scope(db(), me, [application_id])
    if application.scan is None:
        abort(404)
    return personal_file(application.scan, application.scan_media_type, application.reference)


@bp.route("/subsystem-requests", methods=["GET", "POST"])
@unit_admin_required
def subsystem_requests() -> BaseResponse:
    me = reviewer()
    catalogues = current_hub().catalogues
    listing = listings.subsystem_requests(me, filters_from_request(), catalogues)

    def find(ids: list[int]) -> list[Any]:
        return reviews.requests_in_scope(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("subsystem_requests", listing, find)
    return _decide(
        "subsystem_requests",
        listing,
        find,
        lambda ids, **kw: reviews.decide_requests(db(), catalogues, me, ids, **kw),
    )


@bp.get("/subsystem-requests/<int:request_id>")
@unit_admin_required
def subsystem_request_detail(request_id: int) -> BaseResponse:
    """子系統帳號申請資料: the request, the person (身分證 masked, audited), the decision."""
    me = reviewer()
    (held,) = reviews.requests_in_scope(db(), me, [request_id])
    hub = current_hub()
    masked_id = reveal_masked(
        db(), hub.national_ids, held.account, viewer=me, ip=client_ip(), request=held.id
    )
    return Response(
        render_template(
            "review/subsystem_request.html",
            request_row=held,
            masked_id=masked_id,
            catalogues=hub.catalogues,
        )
    )


@bp.route("/role-changes", methods=["GET", "POST"])
@role_change_deciders_required
def role_change_requests() -> BaseResponse:
    """帳號/權限異動 and 系統權限申請: the tier the routing table names decides."""
    me = reviewer()
    hub = current_hub()
    listing = listings.role_changes(me, role_change_filter())

    def find(ids: list[int]) -> list[Any]:
        return role_changes.changes_to_decide(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("role_changes", listing, find)
    return _decide(
        "role_changes",
        listing,
        find,
        lambda ids, **kw: role_changes.decide_role_changes(
            db(), hub.catalogues, hub.managing(), me, ids, **kw
        ),
    )


@bp.get("/role-changes/<int:change_id>")
@unit_admin_required
def role_change_detail(change_id: int) -> BaseResponse:
    """One 帳號/權限異動 or 系統權限申請: 單號, who asked, who decided and when."""
    change = role_changes.change_in_scope(db(), reviewer(), change_id)
    return Response(
        render_template(
            "review/role_change.html",
            change=change,
            catalogues=current_hub().catalogues,
        )
    )


@bp.get("/role-changes/<int:change_id>/attachments/<int:attachment_id>")
@unit_admin_required
def role_change_attachment(change_id: int, attachment_id: int) -> BaseResponse:
    """A scan sent with a change, for whoever may see the change."""
    scan = role_changes.attachment(db(), reviewer(), change_id, attachment_id)
    return personal_file(scan.data, scan.media_type, f"role-change-{change_id}-{scan.id}")


# 個資權利申請 -----------------------------------------------------------------------------


def _privacy_page(errors: dict[int, Any] | None = None, status: int = 200) -> Response:
    return Response(
        render_template(
            "review/privacy_requests.html",
            requests=privacy.requests_to_decide(db(), reviewer()),
            reference=privacy.reference,
            errors=errors or {},
        ),
        status=status,
    )


@bp.get("/privacy-requests")
@authority_required
def privacy_requests() -> Response:
    """個資權利申請: a person's request to stop processing or to delete; the authority
    allows or refuses it, with a reason."""
    return _privacy_page()


@bp.post("/privacy-requests/<int:request_id>")
@authority_required
def decide_privacy_request(request_id: int) -> BaseResponse:
    decision = request.form.get("decision", "")
    if decision not in ("allow", "refuse"):
        return _privacy_page({request_id: text("請選擇允許或不允許")}, 400)
    try:
        privacy.decide(
            db(),
            current_hub().managing(),
            reviewer(),
            request_id,
            allow=decision == "allow",
            reason=request.form.get("reason", "")[:1000],
            ip=client_ip(),
        )
    except NotFound:
        abort(404)
    except DomainError as refused:
        return _privacy_page({request_id: refused.text}, 400)
    kick_worker()
    notices.tell("已完成審核。")
    return redirect(url_for("review.privacy_requests"))
