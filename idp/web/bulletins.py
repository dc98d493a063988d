"""What the portal tells everyone (before or after sign-in): 公告事項 with their files,
下載專區, 常見問題, 新手上路, 相關連結, 聯絡我們 (客服 and 諮詢窗口) and 網站導覽.

下載專區's files are public: a version never changes, so its address is cached for a
year; the file's own address names its latest version and is cached briefly.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import current_account
from ..http.context import current_hub
from ..http.unit_of_work import db
from ..http.values import whole_number
from ..models import Announcement, AnnouncementAttachment, DownloadVersion
from ..services.errors import NotFound
from ..services.portal import announcements, downloads
from ..services.reports.paging import Page, paged

bp = Blueprint("bulletins", __name__)

#: A version of a 下載專區 file never changes once published.
YEAR = 365 * 24 * 3600
LATEST_SECONDS = 300


def page_number() -> int:
    return whole_number(request.args.get("page"), below=10**8) or 1


def _subsystem_filter() -> str | None:
    """The 系統 chosen: a subsystem's code, "" for the hub itself, None for all."""
    value = request.args.get("subsystem")
    return value[:40] if value is not None and value != "all" else None


def reader() -> announcements.Reader:
    return announcements.reader(db(), current_account())


def announcement_page(size: int = 20) -> Page[Announcement]:
    """The announcements this reader may see, filtered as asked, one page of them."""
    filters = announcements.Filters(
        category=request.args.get("category", "")[:20],
        subsystem=_subsystem_filter(),
        keyword=request.args.get("keyword", "")[:100],
    )
    return paged(db(), announcements.visible(reader(), filters), page_number(), size)


@bp.get("/announcements")
def announcement_list() -> Response:
    """公告事項: by 分類 and 系統, with a keyword in the title."""
    return Response(
        render_template(
            "bulletins/announcements.html",
            page=announcement_page(),
            filters=request.args,
            categories=announcements.CATEGORIES,
            catalogues=current_hub().catalogues,
        )
    )


@bp.get("/announcements/<int:announcement_id>")
def announcement(announcement_id: int) -> Response:
    shown = announcements.readable(db(), reader(), announcement_id)
    return Response(
        render_template(
            "bulletins/announcement.html",
            announcement=shown,
            categories=announcements.CATEGORIES,
            catalogues=current_hub().catalogues,
        )
    )


def _file(content: bytes, media_type: str, filename: str, cache: str) -> Response:
    return Response(
        content,
        mimetype=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": cache,
        },
    )


@bp.get("/announcements/<int:announcement_id>/files/<int:attachment_id>")
def attachment(announcement_id: int, attachment_id: int) -> Response:
    shown = announcements.readable(db(), reader(), announcement_id)
    found = db().get(AnnouncementAttachment, attachment_id)
    if found is None or found.announcement_id != shown.id:
        raise NotFound("查無此附件")
    cache = "public, max-age=3600" if shown.public else "private, no-store"
    return _file(found.content, found.media_type, found.filename, cache)


@bp.get("/downloads")
def download_list() -> Response:
    """下載專區: files by 系統 and 分類, with a keyword in the title."""
    filters = downloads.Filters(
        subsystem=_subsystem_filter(),
        category=request.args.get("category", "")[:20],
        keyword=request.args.get("keyword", "")[:100],
    )
    return Response(
        render_template(
            "bulletins/downloads.html",
            page=paged(db(), downloads.listed(filters), page_number(), 20),
            filters=request.args,
            categories=downloads.CATEGORIES,
            catalogues=current_hub().catalogues,
        )
    )


def version_url(version: DownloadVersion) -> str:
    return url_for(
        "bulletins.download_version",
        file_id=version.file_id,
        version_id=version.id,
        filename=version.filename,
    )


@bp.get("/downloads/<int:file_id>")
def download(file_id: int) -> BaseResponse:
    """The file's latest version."""
    file = downloads.shown_file(db(), file_id)
    response = redirect(version_url(downloads.latest(db(), file)))
    response.headers["Cache-Control"] = f"public, max-age={LATEST_SECONDS}"
    return response


@bp.get("/downloads/<int:file_id>/<int:version_id>/<path:filename>")
def download_version(file_id: int, version_id: int, filename: str) -> BaseResponse:
    version = downloads.version_of(db(), downloads.shown_file(db(), file_id), version_id)
    response = _file(
        version.content, version.media_type, version.filename, f"public, max-age={YEAR}, immutable"
    )
    response.set_etag(version.sha256)
    return response.make_conditional(request)


@bp.get("/help/faq")
def faq() -> Response:
    return Response(render_template("bulletins/faq.html"))


@bp.get("/help/guide")
def guide() -> Response:
    return Response(render_template("bulletins/guide.html"))


@bp.get("/help/links")
def links() -> Response:
    return Response(render_template("bulletins/links.html"))


@bp.get("/contact")
def contact() -> Response:
    return Response(render_template("bulletins/contact.html", catalogues=current_hub().catalogues))


@bp.get("/sitemap")
def sitemap() -> Response:
    return Response(render_template("bulletins/sitemap.html"))
