"""資料異動申請: the requester's form and record (``/account/change-requests``), the
reviewers' queue (``/review/change-requests``, 資料異動審核) and the requests' scans.

What a viewer may see or decide is ``services.permissions``; these views pass the
signed-in account along, so an id changed in a URL or a form finds nothing (404).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..http import notices
from ..http.access import login_required, signed_in_account, unit_admin_required
from ..http.context import client_ip, current_hub
from ..http.downloads import personal_file
from ..http.errors import MESSAGES
from ..http.forms import chosen_files
from ..http.unit_of_work import db, kick_worker
from ..http.values import whole_number
from ..models import Account, ChangeRequestKind
from ..services import attachments
from ..services.errors import DomainError, FormErrors, NotFound, Text, text
from ..services.reviews import change_requests as changes
from ..services.uploads import megabytes

bp = Blueprint("change_requests", __name__)

FIELDS = ("kind", "name", "phone", "email", "content")


def _prefilled(account: Account) -> dict[str, str]:
    """The form as first shown: contact details from the profile, the kind asked for."""
    kind = request.args.get("kind", "")
    return {
        "kind": kind if kind in {k.value for k in ChangeRequestKind} else "",
        "name": account.name,
        "phone": account.phone or account.mobile,
        "email": account.email,
        "content": "",
    }


def _requester_page(
    account: Account,
    values: dict[str, str],
    errors: dict[str, list[Text]] | None = None,
    status: int = 200,
    sent_files: bool = False,
) -> Response:
    return Response(
        render_template(
            "account/change_requests.html",
            values=values,
            errors=errors or {},
            sent_files=sent_files,
            requests=changes.requests_of(db(), account),
            reference=changes.reference,
            kinds=list(ChangeRequestKind),
            max_attachments=attachments.MAX_ATTACHMENTS,
            limit_mb=megabytes(attachments.RULE.max_bytes),
        ),
        status=status,
    )


@bp.route("/account/change-requests", methods=["GET", "POST"])
@login_required
def requester_page() -> BaseResponse:
    """申請資料異動 and 資料異動紀錄 (with 申請進度 and each step's decision)."""
    account = signed_in_account()
    if request.method == "GET":
        return _requester_page(account, _prefilled(account))
    values = {name: request.form.get(name, "")[:4000] for name in FIELDS}
    files = chosen_files()
    form = changes.ChangeForm(**values, attachments=files)
    try:
        made = changes.file_request(
            db(), current_hub().change_chains, account, form, ip=client_ip()
        )
    except FormErrors as refused:
        return _requester_page(account, values, refused.errors, 400, sent_files=bool(files))
    except DomainError as refused:
        return _requester_page(account, values, {"form": [refused.text]}, 400, bool(files))
    kick_worker()
    notices.tell(
        "已送出資料異動申請（{reference}），審核結果會以站內訊息通知您。",
        reference=changes.reference(made),
    )
    return redirect(url_for("change_requests.requester_page"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    """Files past what one request may carry: the form cannot be read, so it is not shown
    again; say what the limit is."""
    limit = text(
        "附件最多 {count} 個，每個不超過 {limit_mb} MB",
        count=attachments.MAX_ATTACHMENTS,
        limit_mb=megabytes(attachments.RULE.max_bytes),
    )
    return Response(render_template("error.html", message=[text(MESSAGES[413]), limit]), status=413)


@bp.get("/account/change-requests/<int:request_id>/attachments/<int:attachment_id>")
@login_required
def attachment(request_id: int, attachment_id: int) -> BaseResponse:
    """A scan: for the requester and whoever may decide or has decided the request."""
    try:
        held, scan = changes.attachment(db(), signed_in_account(), request_id, attachment_id)
    except NotFound:
        abort(404)
    stem = f"{changes.reference(held)}-{scan.id}"
    return personal_file(scan.data, scan.media_type, stem)


def _review_page(errors: dict[int, Any] | None = None, status: int = 200) -> Response:
    me = signed_in_account()
    return Response(
        render_template(
            "review/change_requests.html",
            requests=changes.requests_to_decide(db(), me),
            decided=changes.decided_by(db(), me),
            reference=changes.reference,
            errors=errors or {},
        ),
        status=status,
    )


@bp.get("/review/change-requests")
@unit_admin_required
def review_page() -> Response:
    """資料異動審核: the requests at a step the viewer may decide."""
    return _review_page()


@bp.post("/review/change-requests/<int:request_id>")
@unit_admin_required
def decide(request_id: int) -> BaseResponse:
    decision = request.form.get("decision", "")
    if decision not in ("allow", "refuse"):
        return _review_page({request_id: text("請選擇允許或不允許")}, 400)
    try:
        changes.decide(
            db(),
            signed_in_account(),
            request_id,
            allow=decision == "allow",
            reason=request.form.get("reason", "")[:1000],
            step=whole_number(request.form.get("step", ""), below=100),
            ip=client_ip(),
        )
    except NotFound:
        abort(404)
    except DomainError as refused:
        return _review_page({request_id: refused.text}, 400)
    kick_worker()
    notices.tell("已完成審核。")
    return redirect(url_for("change_requests.review_page"))
