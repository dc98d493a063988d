"""Running the portal (admins): 公告設定 — announcements with their audience, window, order
and files — and 下載專區's files with their versions.

Who may do what is ``services.permissions``; every change is audited by the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import announcements_required, downloads_required, signed_in_account
from ..http.context import client_ip, current_hub
from ..http.unit_of_work import db
from ..http.values import taipei_time, whole_number
from ..models import Announcement, DownloadFile
from ..models.base import TAIPEI
from ..services import uploads
from ..services.errors import FormErrors, Text
from ..services.portal import announcements, downloads
from ..services.reports.paging import paged
from .bulletins import page_number

bp = Blueprint("manage", __name__, url_prefix="/manage")


def local_time(value: str) -> datetime | None:
    """A ``datetime-local`` field, read as Taiwan time."""
    return taipei_time(value)


def _form() -> announcements.AnnouncementForm:
    form = request.form
    order = whole_number(form.get("sort_order", "100"), below=10**5)
    return announcements.AnnouncementForm(
        title=form.get("title", "")[:300],
        body=form.get("body", ""),
        category=form.get("category", ""),
        subsystem=form.get("subsystem", ""),
        starts_at=local_time(form.get("starts_at", "")),
        ends_at=local_time(form.get("ends_at", "")),
        audience_roles=tuple(form.getlist("audience_roles"))[:5],
        audience_duties=tuple(form.getlist("audience_duties"))[:100],
        sort_order=-1 if order is None else order,
        pinned=form.get("pinned") == "yes",
        published=form.get("published") == "yes",
    )


# 公告設定 -------------------------------------------------------------------------------


@bp.get("/announcements")
@announcements_required
def announcement_list() -> Response:
    args = request.args
    subsystem = args.get("subsystem")
    filters = announcements.Filters(
        category=args.get("category", "")[:20],
        subsystem=subsystem[:40] if subsystem is not None and subsystem != "all" else None,
        keyword=args.get("keyword", "")[:100],
    )
    query = announcements.managed(signed_in_account(), filters, args.get("current") == "1")
    return Response(
        render_template(
            "manage/announcements.html",
            page=paged(db(), query, page_number(), 20),
            filters=args,
            categories=announcements.CATEGORIES,
            catalogues=current_hub().catalogues,
        )
    )


def _editor_page(
    announcement: Announcement | None,
    errors: dict[str, list[Text]] | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    values: dict[str, Any] = {}
    if errors:
        values = {
            k: request.form.getlist(k) if k.startswith("audience") else v
            for k, v in request.form.items()
        }
    elif announcement is not None:
        values = {
            "title": announcement.title,
            "body": announcement.body,
            "category": announcement.category,
            "subsystem": announcement.subsystem,
            "starts_at": _field_time(announcement.starts_at),
            "ends_at": _field_time(announcement.ends_at),
            "audience_roles": announcements.split(announcement.audience_roles),
            "audience_duties": announcements.split(announcement.audience_duties),
            "sort_order": announcement.sort_order,
            "pinned": "yes" if announcement.pinned else "",
            "published": "yes" if announcement.published else "",
        }
    return Response(
        render_template(
            "manage/announcement.html",
            announcement=announcement,
            values=values,
            errors=errors or {},
            done=done or request.args.get("done"),
            categories=announcements.CATEGORIES,
            catalogues=current_hub().catalogues,
            upload_hint=uploads.DOCUMENT,
        ),
        status=status,
    )


def _field_time(value: datetime | None) -> str:
    return value.astimezone(TAIPEI).strftime("%Y-%m-%dT%H:%M") if value else ""


@bp.route("/announcements/new", methods=["GET", "POST"])
@announcements_required
def new_announcement() -> BaseResponse:
    if request.method == "GET":
        return _editor_page(None)
    try:
        created = announcements.save(
            db(), current_hub().catalogues, signed_in_account(), _form(), ip=client_ip()
        )
    except FormErrors as refused:
        return _editor_page(None, refused.errors, 400)
    return redirect(url_for("manage.edit_announcement", announcement_id=created.id, done="saved"))


@bp.route("/announcements/<int:announcement_id>", methods=["GET", "POST"])
@announcements_required
def edit_announcement(announcement_id: int) -> BaseResponse:
    me = signed_in_account()
    announcement = announcements.editable(db(), me, announcement_id)
    if request.method == "GET":
        return _editor_page(announcement)
    try:
        announcements.save(
            db(), current_hub().catalogues, me, _form(), announcement, ip=client_ip()
        )
    except FormErrors as refused:
        return _editor_page(announcement, refused.errors, 400)
    return redirect(
        url_for("manage.edit_announcement", announcement_id=announcement_id, done="saved")
    )


@bp.post("/announcements/<int:announcement_id>/delete")
@announcements_required
def delete_announcement(announcement_id: int) -> BaseResponse:
    me = signed_in_account()
    announcements.delete(db(), me, announcements.editable(db(), me, announcement_id), client_ip())
    return redirect(url_for("manage.announcement_list", done="deleted"))


@bp.post("/announcements/<int:announcement_id>/attachments")
@announcements_required
def add_attachment(announcement_id: int) -> BaseResponse:
    me = signed_in_account()
    announcement = announcements.editable(db(), me, announcement_id)
    upload = request.files.get("file")
    try:
        announcements.attach(
            db(),
            me,
            announcement,
            upload.read() if upload else b"",
            (upload.filename or "") if upload else "",
            client_ip(),
        )
    except FormErrors as refused:
        return _editor_page(announcement, refused.errors, 400)
    return redirect(
        url_for("manage.edit_announcement", announcement_id=announcement_id, done="attached")
    )


@bp.post("/announcements/<int:announcement_id>/attachments/<int:attachment_id>/delete")
@announcements_required
def remove_attachment(announcement_id: int, attachment_id: int) -> BaseResponse:
    me = signed_in_account()
    announcement = announcements.editable(db(), me, announcement_id)
    announcements.detach(db(), me, announcement, attachment_id, client_ip())
    return redirect(
        url_for("manage.edit_announcement", announcement_id=announcement_id, done="detached")
    )


# 下載專區 -------------------------------------------------------------------------------


def _downloads_page(errors: dict[str, list[Text]] | None = None, status: int = 200) -> Response:
    query = downloads.listed(downloads.Filters())
    return Response(
        render_template(
            "manage/downloads.html",
            page=paged(db(), query, page_number(), 20),
            errors=errors or {},
            values=request.form if errors else {},
            done=request.args.get("done"),
            categories=downloads.CATEGORIES,
            catalogues=current_hub().catalogues,
            upload_hint=uploads.DOCUMENT,
        ),
        status=status,
    )


def _upload() -> downloads.Upload:
    form = request.form
    file = request.files.get("file")
    return downloads.Upload(
        title=form.get("title", "")[:300],
        subsystem=form.get("subsystem", ""),
        category=form.get("category", ""),
        version=form.get("version", "")[:60],
        filename=(file.filename or "") if file else "",
        data=file.read() if file else b"",
    )


@bp.get("/downloads")
@downloads_required
def download_list() -> Response:
    return _downloads_page()


@bp.post("/downloads")
@downloads_required
def new_download() -> BaseResponse:
    try:
        downloads.publish(
            db(), current_hub().catalogues, signed_in_account(), _upload(), client_ip()
        )
    except FormErrors as refused:
        return _downloads_page(refused.errors, 400)
    return redirect(url_for("manage.download_list", done="published"))


def _managed_file(file_id: int) -> DownloadFile:
    return downloads.shown_file(db(), file_id)


@bp.post("/downloads/<int:file_id>/replace")
@downloads_required
def replace_download(file_id: int) -> BaseResponse:
    try:
        downloads.replace(
            db(),
            current_hub().catalogues,
            signed_in_account(),
            _managed_file(file_id),
            _upload(),
            client_ip(),
        )
    except FormErrors as refused:
        return _downloads_page(refused.errors, 400)
    return redirect(url_for("manage.download_list", done="replaced"))


@bp.post("/downloads/<int:file_id>/remove")
@downloads_required
def remove_download(file_id: int) -> BaseResponse:
    downloads.take_down(db(), signed_in_account(), _managed_file(file_id), client_ip())
    return redirect(url_for("manage.download_list", done="removed"))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error: RequestEntityTooLarge) -> Response:
    return Response(
        render_template("error.html", message=uploads.DOCUMENT.too_large().texts), status=413
    )
