"""Reviewers' pages (unit admins and the authority): 帳號申請核定 and 業務子系統帳號申請審核.

What a reviewer may see or decide is decided by ``services.permissions``; these views only
pass the signed-in account along, so an id changed in a URL or form finds nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http import notices
from ..http.access import authority_required, signed_in_account, unit_admin_required
from ..http.context import client_ip, current_hub
from ..http.unit_of_work import db, kick_worker
from ..models import Account, Application, ApplicationStatus
from ..services.accounts.national_id import reveal_masked
from ..services.errors import DomainError, InvalidInput
from ..services.reviews import decisions as reviews
from ..services.reviews import role_changes

bp = Blueprint("review", __name__, url_prefix="/review")

#: The batch waiting for its 是否確定 (a reviewer's browser session holds one at a time).
CONFIRM_KEY = "review_confirm"


def reviewer() -> Account:
    """The signed-in unit admin (the views are ``unit_admin_required``)."""
    return signed_in_account()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from_request() -> reviews.ReviewFilter:
    args = request.values
    status = args.get("status", ApplicationStatus.PENDING.value)
    return reviews.ReviewFilter(
        submitted_from=_date(args.get("from", "")),
        submitted_to=_date(args.get("to", "")),
        unit_code=args.get("unit_code", "")[:10],
        username=args.get("username", "")[:20],
        name=args.get("name", "")[:100],
        status=ApplicationStatus(status) if status in set(ApplicationStatus) else None,
    )


def _ids() -> list[int]:
    return [int(v) for v in request.form.getlist("ids") if v.isdigit()][:500]


def _batch_page(
    kind: str,
    rows: list[Any],
    message: object = None,
    status: int = 200,
    confirm: dict[str, Any] | None = None,
) -> Response:
    return Response(
        render_template(
            f"review/{kind}.html",
            rows=rows,
            filters=request.values,
            message=message,
            confirm=confirm,
            catalogues=current_hub().catalogues,
        ),
        status=status,
    )


def _decide(
    kind: str,
    find: Callable[[list[int]], list[Any]],
    decide: Callable[..., list[Any]],
    listing: Callable[[], list[Any]],
) -> BaseResponse:
    """Two steps, each a POST answered by a redirect: the first checks the selection and
    the reason and asks to confirm (是否確定?) on a page of its own, the second decides and
    lands on the list with what was done. Nothing changes until the confirmation."""
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
        return _batch_page(kind, listing(), message=refused.text, status=400)
    session.pop(CONFIRM_KEY, None)
    kick_worker()
    notices.tell("已核定 {count} 筆" if approve else "已退回 {count} 筆", count=len(decided))
    return redirect(request.path)


def _listing_or_confirmation(
    kind: str, find: Callable[[list[int]], list[Any]], listing: Callable[[], list[Any]]
) -> Response:
    """The list, or — for the token the first step redirected with — what was selected,
    with the question."""
    pending = session.get(CONFIRM_KEY) or {}
    token = request.args.get("confirm", "")
    if token and pending.get("token") == token and pending.get("kind") == kind:
        confirm = {k: pending[k] for k in ("ids", "approve", "reason")}
        return _batch_page(kind, find(confirm["ids"]), confirm=confirm)
    return _batch_page(kind, listing())


@bp.route("/applications", methods=["GET", "POST"])
@unit_admin_required
def applications() -> BaseResponse:
    me = reviewer()

    def listing() -> list[Application]:
        return reviews.list_applications(db(), me, filters_from_request())

    def find(ids: list[int]) -> list[Application]:
        return reviews.applications_in_scope(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("applications", find, listing)
    return _decide(
        "applications",
        find,
        lambda ids, **kw: reviews.decide_applications(db(), me, ids, **kw),
        listing,
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
    return Response(
        application.scan,
        mimetype=application.scan_media_type,
        headers={"Content-Disposition": f'attachment; filename="{application.reference}"'},
    )


@bp.route("/subsystem-requests", methods=["GET", "POST"])
@unit_admin_required
def subsystem_requests() -> BaseResponse:
    me = reviewer()
    catalogues = current_hub().catalogues

    def listing() -> list[Any]:
        return reviews.list_requests(db(), me, filters_from_request())

    def find(ids: list[int]) -> list[Any]:
        return reviews.requests_in_scope(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("subsystem_requests", find, listing)
    return _decide(
        "subsystem_requests",
        find,
        lambda ids, **kw: reviews.decide_requests(db(), catalogues, me, ids, **kw),
        listing,
    )


@bp.route("/role-changes", methods=["GET", "POST"])
@authority_required
def role_change_requests() -> BaseResponse:
    """帳號/權限異動 and 系統權限申請: the authority decides."""
    me = reviewer()
    hub = current_hub()
    status = filters_from_request().status

    def listing() -> list[Any]:
        return role_changes.list_role_changes(db(), me, status)

    def find(ids: list[int]) -> list[Any]:
        return role_changes.changes_to_decide(db(), me, ids)

    if request.method == "GET":
        return _listing_or_confirmation("role_changes", find, listing)
    return _decide(
        "role_changes",
        find,
        lambda ids, **kw: role_changes.decide_role_changes(
            db(), hub.catalogues, hub.managing(), me, ids, **kw
        ),
        listing,
    )
