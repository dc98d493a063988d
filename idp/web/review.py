"""Reviewers' pages (unit admins and the authority): 帳號申請核定 and 業務子系統帳號申請審核.

What a reviewer may see or decide is decided by ``services.permissions``; these views only
pass the signed-in account along, so an id changed in a URL or form finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import authority_required, signed_in_account, unit_admin_required
from ..http.context import client_ip, current_hub
from ..http.unit_of_work import db, kick_worker
from ..models import Account, Application, ApplicationStatus
from ..services.accounts.national_id import reveal_masked
from ..services.applications.submission import STATUS_NAMES
from ..services.errors import DomainError, text
from ..services.reviews import decisions as reviews
from ..services.reviews import role_changes

bp = Blueprint("review", __name__, url_prefix="/review")


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
        status=ApplicationStatus(status) if status in STATUS_NAMES else None,
    )


def _ids() -> list[int]:
    return [int(v) for v in request.form.getlist("ids") if v.isdigit()][:500]


def _batch_page(
    kind: str,
    rows: list[Any],
    message: object = None,
    status: int = 200,
    done: bool = False,
    confirm: dict[str, Any] | None = None,
    **extra: Any,
) -> Response:
    return Response(
        render_template(
            f"review/{kind}.html",
            rows=rows,
            filters=request.values,
            message=message,
            done=done,
            confirm=confirm,
            catalogues=current_hub().catalogues,
            **extra,
        ),
        status=status,
    )


def _decide(
    kind: str,
    find: Callable[[list[int]], list[Any]],
    decide: Callable[..., list[Any]],
    listing: Callable[[], list[Any]],
    **extra: Any,
) -> Response:
    """Two steps: the first POST shows what was selected and asks to confirm (是否確定?),
    the second decides. Nothing changes until the confirmation."""
    ids = _ids()
    approve = request.form.get("decision") == "approve"
    reason = request.form.get("reason", "")
    try:
        selected = find(ids)
        if request.form.get("confirmed") != "yes":
            confirm = {"ids": ids, "approve": approve, "reason": reason}
            return _batch_page(kind, selected, confirm=confirm, **extra)
        decided = decide(ids, approve=approve, reason=reason, ip=client_ip())
    except DomainError as refused:
        return _batch_page(kind, listing(), message=refused.text, status=400, **extra)
    kick_worker()
    done = "已核定 {count} 筆" if approve else "已退回 {count} 筆"
    return _batch_page(kind, listing(), message=text(done, count=len(decided)), done=True, **extra)


@bp.route("/applications", methods=["GET", "POST"])
@unit_admin_required
def applications() -> BaseResponse:
    me = reviewer()

    def listing() -> list[Application]:
        return reviews.list_applications(db(), me, filters_from_request())

    if request.method == "GET":
        return _batch_page("applications", listing())
    return _decide(
        "applications",
        lambda ids: reviews.applications_in_scope(db(), me, ids),
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

    if request.method == "GET":
        return _batch_page("subsystem_requests", listing())
    return _decide(
        "subsystem_requests",
        lambda ids: reviews.requests_in_scope(db(), me, ids),
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

    if request.method == "GET":
        return _batch_page("role_changes", listing(), kinds=role_changes.KIND_NAMES)
    return _decide(
        "role_changes",
        lambda ids: role_changes.changes_to_decide(db(), me, ids),
        lambda ids, **kw: role_changes.decide_role_changes(
            db(), hub.catalogues, hub.managing(), me, ids, **kw
        ),
        listing,
        kinds=role_changes.KIND_NAMES,
    )
