"""公告事項 and 公告設定: who sees an announcement, in which order, and who may write one.

An announcement is shown while it is published and inside its window, pinned ones
first, then by its order (排序, smaller first), then newest first. The authority's
announcements without an audience are public (shown before sign-in too); one with an
audience (roles, duties) is shown to the signed-in people it names; one written by a
衛生局 or a unit's admins goes to that unit — and, for a 衛生局, to the units it
oversees. A pinned 系統維護 announcement is the banner on every page while it is current.
Who may write and edit is ``permissions.may_publish_announcements`` /
``may_edit_announcement``; every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy import ColumnElement, Select, and_, event, false, or_, select
from sqlalchemy.orm import Session, object_session

from ...models import (
    Account,
    AccountStatus,
    Announcement,
    AnnouncementAttachment,
    Binding,
    SubsystemAccount,
    utcnow,
)
from .. import audit, uploads
from ..errors import FormErrors, InvalidInput, NotAllowed, NotFound, Text, text
from ..permissions import (
    announcement_scope,
    is_authority,
    may_edit_announcement,
    may_publish_announcements,
)
from ..subsystems.catalogues import Catalogues
from .rich_text import MAX_LENGTH, sanitise

#: 分類 as people read them.
CATEGORIES = {
    "notice": "公告",
    "maintenance": "系統維護",
    "training": "教育訓練",
    "event": "活動",
}
ROLES = ("unit_admin", "member")
MAX_ATTACHMENTS = 10
#: 系統維護 banners shown at once.
MAX_BANNERS = 3
_SHOWN_ORDER = (
    Announcement.pinned.desc(),
    Announcement.sort_order,
    Announcement.starts_at.desc(),
    Announcement.id.desc(),
)
_CHANGED = "announcements_changed"


@dataclass(frozen=True)
class AnnouncementForm:
    title: str
    body: str
    category: str
    subsystem: str
    starts_at: datetime | None
    ends_at: datetime | None = None
    audience_roles: tuple[str, ...] = ()
    #: ``subsystem:duty`` codes.
    audience_duties: tuple[str, ...] = ()
    sort_order: int = 100
    pinned: bool = False
    published: bool = False


@dataclass(frozen=True)
class Filters:
    """公告事項's search: 分類 and 系統 as chosen, a keyword in the title."""

    category: str = ""
    subsystem: str | None = None
    keyword: str = ""


def _joined(codes: Iterable[str]) -> str:
    codes = sorted(set(codes))
    return "," + ",".join(codes) + "," if codes else ""


def split(joined: str) -> list[str]:
    return [code for code in joined.split(",") if code]


def _check(catalogues: Catalogues, form: AnnouncementForm) -> dict[str, list[Text]]:
    problems: dict[str, list[Text]] = {}

    def add(field: str, message: str, **params: object) -> None:
        problems.setdefault(field, []).append(text(message, **params))

    if not form.title.strip():
        add("title", "請輸入標題")
    elif len(form.title.strip()) > 200:
        add("title", "標題不可超過 {limit} 字", limit=200)
    if len(form.body) > MAX_LENGTH:
        add("body", "內容不可超過 {limit} 字", limit=MAX_LENGTH)
    if form.category not in CATEGORIES:
        add("category", "請選擇分類")
    if form.subsystem and form.subsystem not in catalogues:
        add("subsystem", "請選擇系統")
    if any(role not in ROLES for role in form.audience_roles):
        add("audience_roles", "請選擇對象角色")
    for code in form.audience_duties:
        subsystem, _, duty = code.partition(":")
        if subsystem not in catalogues or catalogues[subsystem].duty(duty) is None:
            add("audience_duties", "請選擇對象業務權責")
            break
    if form.starts_at is None:
        add("starts_at", "請輸入刊登開始時間")
    elif form.ends_at is not None and form.ends_at <= form.starts_at:
        add("ends_at", "刊登結束時間須晚於開始時間")
    if not 0 <= form.sort_order <= 9999:
        add("sort_order", "排序須為 0 至 9999")
    return problems


def save(
    db: Session,
    catalogues: Catalogues,
    editor: Account,
    form: AnnouncementForm,
    announcement: Announcement | None = None,
    ip: str = "",
) -> Announcement:
    """Create (``announcement`` None) or change an announcement; ``FormErrors`` lists every
    problem."""
    if not may_publish_announcements(editor):
        raise NotAllowed("您沒有公告設定的權限")
    if announcement is not None and not may_edit_announcement(editor, announcement):
        raise NotFound("查無此公告，或您沒有修改的權限")
    problems = _check(catalogues, form)
    if problems:
        raise FormErrors(problems)
    assert form.starts_at is not None
    creating = announcement is None
    if announcement is None:
        announcement = Announcement(
            author_id=editor.id, unit_id=None if is_authority(editor) else editor.unit_id
        )
        db.add(announcement)
    announcement.title = form.title.strip()
    announcement.body = sanitise(form.body)
    announcement.category = form.category
    announcement.subsystem = form.subsystem
    announcement.audience_roles = _joined(form.audience_roles)
    announcement.audience_duties = _joined(form.audience_duties)
    announcement.public = (
        announcement.unit_id is None and not form.audience_roles and not form.audience_duties
    )
    announcement.starts_at = form.starts_at
    announcement.ends_at = form.ends_at
    announcement.sort_order = form.sort_order
    announcement.pinned = form.pinned
    announcement.published = form.published
    announcement.updated_at = utcnow()
    db.flush()
    _audit(
        db, "announcement.create" if creating else "announcement.update", editor, announcement, ip
    )
    return announcement


def _audit(db: Session, action: str, editor: Account, announcement: Announcement, ip: str) -> None:
    audit.record(
        db,
        action,
        actor=editor.username,
        actor_account_id=editor.id,
        target=f"announcement:{announcement.id}",
        ip=ip,
        title=announcement.title,
        published=announcement.published,
    )


def editable(db: Session, editor: Account, announcement_id: int) -> Announcement:
    found = db.scalar(announcement_scope(editor).where(Announcement.id == announcement_id))
    if found is None:
        raise NotFound("查無此公告，或您沒有修改的權限")
    return found


def delete(db: Session, editor: Account, announcement: Announcement, ip: str = "") -> None:
    if not may_edit_announcement(editor, announcement):
        raise NotFound("查無此公告，或您沒有修改的權限")
    _audit(db, "announcement.delete", editor, announcement, ip)
    db.delete(announcement)


def attach(
    db: Session,
    editor: Account,
    announcement: Announcement,
    data: bytes,
    filename: str,
    ip: str = "",
) -> AnnouncementAttachment:
    """A file for the announcement, checked like every upload."""
    if not may_edit_announcement(editor, announcement):
        raise NotFound("查無此公告，或您沒有修改的權限")
    if len(announcement.attachments) >= MAX_ATTACHMENTS:
        raise FormErrors({"file": [text("附件最多 {limit} 個", limit=MAX_ATTACHMENTS)]})
    try:
        accepted = uploads.check_file(data, filename, uploads.DOCUMENT)
    except InvalidInput as refused:
        raise FormErrors({"file": refused.texts}) from None
    attachment = AnnouncementAttachment(
        filename=safe_filename(filename, accepted.extension),
        media_type=accepted.media_type,
        size=accepted.size,
        sha256=accepted.sha256,
        content=data,
    )
    announcement.attachments.append(attachment)
    db.flush()
    _audit(db, "announcement.attach", editor, announcement, ip)
    return attachment


def detach(
    db: Session, editor: Account, announcement: Announcement, attachment_id: int, ip: str = ""
) -> None:
    attachment = next((a for a in announcement.attachments if a.id == attachment_id), None)
    if attachment is None or not may_edit_announcement(editor, announcement):
        raise NotFound("查無此附件")
    announcement.attachments.remove(attachment)
    _audit(db, "announcement.detach", editor, announcement, ip)


def safe_filename(filename: str, extension: str) -> str:
    """The name shown and offered on download: the given name's last part, without
    characters that mean something in a header or a path, and the content's extension."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rpartition(".")[0] or base
    cleaned = "".join(c for c in stem if c.isprintable() and c not in '"/\\:;*?<>|').strip()
    return (cleaned[:150] or "file") + "." + extension


# Who sees what --------------------------------------------------------------------------


def current(now: datetime | None = None) -> Select[Announcement]:
    """Published and inside the window, in the order people see them."""
    now = now or utcnow()
    return (
        select(Announcement)
        .where(
            Announcement.published.is_(True),
            Announcement.starts_at <= now,
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        )
        .order_by(*_SHOWN_ORDER)
    )


@dataclass(frozen=True)
class Reader:
    """Who reads: their account (None before sign-in), and the duties and subsystems of
    their active subsystem accounts."""

    account: Account | None
    duties: tuple[str, ...] = ()
    subsystems: tuple[str, ...] = ()


def reader(db: Session, account: Account | None) -> Reader:
    if account is None:
        return Reader(None)
    held = db.execute(
        select(SubsystemAccount.subsystem, SubsystemAccount.duty)
        .join(Binding, Binding.subsystem_account_id == SubsystemAccount.id)
        .where(Binding.account_id == account.id, SubsystemAccount.status == AccountStatus.ACTIVE)
    ).all()
    return Reader(
        account,
        tuple(sorted({f"{s}:{d}" for s, d in held})),
        tuple(sorted({s for s, _ in held})),
    )


def _meant_for(who: Reader) -> ColumnElement[bool]:
    """Public announcements are for everyone; the others for the signed-in people of the
    units, roles, duties and subsystems they name."""
    account = who.account
    if account is None:
        return Announcement.public.is_(True)
    units = [account.unit_id]
    if account.unit is not None and account.unit.bureau_id is not None:
        units.append(account.unit.bureau_id)
    duty_matches = [Announcement.audience_duties.contains(f",{d},") for d in who.duties]
    return or_(
        Announcement.public.is_(True),
        and_(
            or_(Announcement.unit_id.is_(None), Announcement.unit_id.in_(units)),
            or_(
                Announcement.audience_roles == "",
                Announcement.audience_roles.contains(f",{account.role.value},"),
            ),
            or_(Announcement.audience_duties == "", *duty_matches),
            or_(Announcement.subsystem == "", Announcement.subsystem.in_(who.subsystems or ("",))),
        ),
    )


def visible(
    who: Reader, filters: Filters = Filters(), now: datetime | None = None
) -> Select[Announcement]:
    query = current(now).where(_meant_for(who))
    if filters.category:
        query = query.where(Announcement.category == filters.category)
    if filters.subsystem is not None:
        query = query.where(Announcement.subsystem == filters.subsystem)
    if filters.keyword.strip():
        query = query.where(Announcement.title.contains(filters.keyword.strip()[:100]))
    return query


def readable(db: Session, who: Reader, announcement_id: int) -> Announcement:
    found = db.scalar(visible(who).where(Announcement.id == announcement_id))
    if found is None:
        raise NotFound("查無此公告")
    return found


@dataclass(frozen=True)
class Banner:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True)
class Banners:
    """The public pinned 系統維護 notices in force or still to come, in the order people
    see them: read once and kept by each process (``Hub.banners``), which picks the ones
    in force at each page."""

    scheduled: tuple[Banner, ...]

    def in_force(self, now: datetime | None = None) -> list[Banner]:
        now = now or utcnow()
        shown = (
            banner
            for banner in self.scheduled
            if banner.starts_at <= now and (banner.ends_at is None or banner.ends_at > now)
        )
        return list(islice(shown, MAX_BANNERS))


def scheduled_banners(db: Session) -> Banners:
    now = utcnow()
    rows = db.execute(
        select(Announcement.id, Announcement.title, Announcement.starts_at, Announcement.ends_at)
        .where(
            Announcement.published.is_(True),
            Announcement.public.is_(True),
            Announcement.pinned.is_(True),
            Announcement.category == "maintenance",
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        )
        .order_by(*_SHOWN_ORDER)
    )
    return Banners(tuple(Banner(*row) for row in rows))


def changed_in(db: Session) -> bool:
    """Whether ``db`` wrote an announcement since this was last asked (the kept
    ``Banners`` are then read again once its transaction commits)."""
    return bool(db.info.pop(_CHANGED, False))


@event.listens_for(Announcement, "after_insert")
@event.listens_for(Announcement, "after_update")
@event.listens_for(Announcement, "after_delete")
def _note_change(_mapper: object, _connection: object, announcement: Announcement) -> None:
    db = object_session(announcement)
    if db is not None:
        db.info[_CHANGED] = True


def managed(editor: Account, filters: Filters, in_window_only: bool) -> Select[Announcement]:
    """公告設定's list: what the editor may change, newest first."""
    query = (
        announcement_scope(editor)
        if may_publish_announcements(editor)
        else select(Announcement).where(false())
    )
    if in_window_only:
        now = utcnow()
        query = query.where(
            Announcement.starts_at <= now,
            or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
        )
    if filters.category:
        query = query.where(Announcement.category == filters.category)
    if filters.subsystem is not None:
        query = query.where(Announcement.subsystem == filters.subsystem)
    if filters.keyword.strip():
        query = query.where(Announcement.title.contains(filters.keyword.strip()[:100]))
    return query.order_by(Announcement.updated_at.desc(), Announcement.id.desc())
