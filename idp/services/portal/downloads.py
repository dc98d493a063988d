"""下載專區: the forms and manuals everyone may download, by subsystem and category.

The authority publishes them (``permissions.may_manage_downloads``); a file is checked
like every upload, replacing it adds a version and keeps the earlier ones, and taking
it down hides it. Files here are public and cached by browsers and proxies, so nothing
personal belongs here: a title or file name that holds a 身分證 is refused. Every
change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ...models import Account, DownloadFile, DownloadVersion, utcnow
from .. import audit, uploads
from ..accounts.national_id import PATTERN as NATIONAL_ID
from ..errors import FormErrors, InvalidInput, NotAllowed, NotFound, Text, text
from ..permissions import may_manage_downloads
from ..subsystems.catalogues import Catalogues
from .announcements import safe_filename

#: 所屬分類 as people read them.
CATEGORIES = {
    "form": "表格範例",
    "manual": "操作手冊",
    "training": "教育訓練資料",
    "other": "其他",
}


@dataclass(frozen=True)
class Filters:
    subsystem: str | None = None
    category: str = ""
    keyword: str = ""


@dataclass(frozen=True)
class Upload:
    title: str
    subsystem: str
    category: str
    version: str
    filename: str
    data: bytes


def _problems(catalogues: Catalogues, upload: Upload, new: bool) -> dict[str, list[Text]]:
    problems: dict[str, list[Text]] = {}
    if new:
        if not upload.title.strip() or len(upload.title.strip()) > 200:
            problems["title"] = [text("請輸入標題（200 字以內）")]
        if upload.subsystem and upload.subsystem not in catalogues:
            problems["subsystem"] = [text("請選擇系統")]
        if upload.category not in CATEGORIES:
            problems["category"] = [text("請選擇分類")]
    if not upload.version.strip() or len(upload.version.strip()) > 40:
        problems["version"] = [text("請輸入版本（40 字以內）")]
    if NATIONAL_ID.search(upload.title.upper()) or NATIONAL_ID.search(upload.filename.upper()):
        problems["file"] = [text("下載專區是公開的，標題與檔名不可含個人資料")]
    return problems


def _accept(catalogues: Catalogues, manager: Account, upload: Upload, new: bool) -> DownloadVersion:
    if not may_manage_downloads(manager):
        raise NotAllowed("您沒有管理下載專區的權限")
    problems = _problems(catalogues, upload, new)
    try:
        accepted = uploads.check_file(upload.data, upload.filename, uploads.DOCUMENT)
    except InvalidInput as refused:
        problems.setdefault("file", []).extend(refused.texts)
    if problems:
        raise FormErrors(problems)
    return DownloadVersion(
        version=upload.version.strip(),
        filename=safe_filename(upload.filename, accepted.extension),
        media_type=accepted.media_type,
        size=accepted.size,
        sha256=accepted.sha256,
        content=upload.data,
        uploaded_by_id=manager.id,
    )


def _audit(
    db: Session, action: str, manager: Account, file: DownloadFile, ip: str, **details: object
) -> None:
    audit.record(
        db,
        action,
        actor=manager.username,
        actor_account_id=manager.id,
        target=f"download:{file.id}",
        ip=ip,
        title=file.title,
        **details,
    )


def publish(
    db: Session, catalogues: Catalogues, manager: Account, upload: Upload, ip: str = ""
) -> DownloadFile:
    version = _accept(catalogues, manager, upload, new=True)
    file = DownloadFile(
        title=upload.title.strip(), subsystem=upload.subsystem, category=upload.category
    )
    file.versions.append(version)
    db.add(file)
    db.flush()
    _audit(
        db, "download.publish", manager, file, ip, version=version.version, sha256=version.sha256
    )
    return file


def replace(
    db: Session,
    catalogues: Catalogues,
    manager: Account,
    file: DownloadFile,
    upload: Upload,
    ip: str = "",
) -> DownloadVersion:
    """A new version of the file; the earlier ones stay in its history."""
    version = _accept(catalogues, manager, upload, new=False)
    file.versions.append(version)
    file.updated_at = utcnow()
    db.flush()
    _audit(
        db, "download.replace", manager, file, ip, version=version.version, sha256=version.sha256
    )
    return version


def take_down(db: Session, manager: Account, file: DownloadFile, ip: str = "") -> None:
    if not may_manage_downloads(manager):
        raise NotAllowed("您沒有管理下載專區的權限")
    file.removed_at = utcnow()
    _audit(db, "download.remove", manager, file, ip)


def listed(filters: Filters) -> Select[DownloadFile]:
    """下載專區's list: files not taken down, the latest changed first."""
    query = select(DownloadFile).where(DownloadFile.removed_at.is_(None))
    if filters.subsystem is not None:
        query = query.where(DownloadFile.subsystem == filters.subsystem)
    if filters.category:
        query = query.where(DownloadFile.category == filters.category)
    if filters.keyword.strip():
        query = query.where(DownloadFile.title.contains(filters.keyword.strip()[:100]))
    return query.order_by(DownloadFile.updated_at.desc(), DownloadFile.id.desc())


def shown_file(db: Session, file_id: int) -> DownloadFile:
    file = db.get(DownloadFile, file_id)
    if file is None or file.removed_at is not None:
        raise NotFound("查無此檔案")
    return file


def latest(db: Session, file: DownloadFile) -> DownloadVersion:
    newest = db.scalar(
        select(func.max(DownloadVersion.id)).where(DownloadVersion.file_id == file.id)
    )
    return version_of(db, file, newest or 0)


def version_of(db: Session, file: DownloadFile, version_id: int) -> DownloadVersion:
    version = db.get(DownloadVersion, version_id)
    if version is None or version.file_id != file.id:
        raise NotFound("查無此檔案")
    return version
