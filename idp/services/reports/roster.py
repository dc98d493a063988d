"""A unit's 授權使用人員一覽表: the people the unit authorises to use the systems, the list
the unit signs, stamps and sends with its 單位切結書 (seed 001, 附件 2-2), pre-filled from
the hub's data as a PDF to print and as an xlsx workbook to edit.

The seed's list has the columns 姓名, 身分證字號, 職稱 and 備註; the hub adds 序號, 所屬部門,
帳號, the person's role in the unit and the subsystem accounts they hold in it (子系統,
業務權責, role and 選單角色, named through ``names``). 身分證字號 is shown masked, as on
every page, and each one shown is audited as viewed. Who is listed: the unit's active
(啟用) accounts. 備註 is left blank, like the boxes to sign and stamp and the date.

The lists are in zh-TW, the language of the seed's form and of the authority they go to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Binding,
    SubsystemAccount,
    Unit,
    utcnow,
)
from ...models.base import TAIPEI
from .. import audit, names
from ..accounts.national_id import NationalIdBox, reveal_masked
from ..errors import NotFound, text
from ..permissions import account_scope, unit_scope
from ..printed_forms import FAMILY, HEADING, LABEL, LINE, PrintedForm, section, signature_boxes
from ..subsystems.catalogues import Catalogues
from .spreadsheets import FORMATS

TITLE = "本單位授權使用人員一覽表"
ATTACHMENT = "單位切結書附件"
HEADINGS = (
    "序號",
    "姓名",
    "身分證字號",
    "職稱",
    "所屬部門",
    "帳號",
    "單位角色",
    "子系統權限",
    "備註",
)
#: Column widths on a landscape A4 page (mm), in the order of ``HEADINGS``.
WIDTHS = (11, 24, 26, 24, 28, 30, 26, 76, 24)
SIGNATURES = ("單位負責人簽章", "單位業務管理者簽章", "單位印信")
MARGIN = 14
#: Unit admins first, then members; each by account name.
ROLE_ORDER = {AccountRole.UNIT_ADMIN: 0, AccountRole.MEMBER: 1}


@dataclass(frozen=True)
class HeldSubsystem:
    """One subsystem account a person holds in the unit, in words."""

    subsystem: str
    account_name: str
    role: str
    duty: str
    menu_roles: tuple[str, ...] = ()

    def __str__(self) -> str:
        held = text(
            "{subsystem}（{account_name}）：{duty}／{role}",
            subsystem=self.subsystem,
            account_name=self.account_name,
            duty=self.duty,
            role=self.role,
        )
        if not self.menu_roles:
            return str(held)
        return str(text("{held}；{menu_roles}", held=held, menu_roles="、".join(self.menu_roles)))


@dataclass(frozen=True)
class RosterEntry:
    number: int
    name: str
    masked_national_id: str
    title: str
    department: str
    account_name: str
    role: str
    subsystems: tuple[HeldSubsystem, ...] = ()

    def cells(self, between: str) -> list[str | int]:
        """The row's cells in the order of ``HEADINGS``; subsystems joined by ``between``."""
        return [
            self.number,
            self.name,
            self.masked_national_id,
            self.title,
            self.department,
            self.account_name,
            self.role,
            between.join(str(held) for held in self.subsystems),
            "",
        ]


@dataclass(frozen=True)
class Roster:
    unit_id: int
    unit_code: str
    unit_name: str
    made_at: datetime
    entries: tuple[RosterEntry, ...]

    @property
    def stem(self) -> str:
        """The file name without its extension: the unit's code and the day made."""
        return f"roster-{self.unit_code}-{self.made_at.astimezone(TAIPEI):%Y%m%d}"


def unit_roster(
    db: Session,
    catalogues: Catalogues,
    national_ids: NationalIdBox,
    viewer: Account,
    unit_id: int,
    *,
    ip: str = "",
) -> Roster:
    """The list of ``unit_id`` for ``viewer``: NotFound when the unit is not one they
    answer for (``permissions.unit_scope``)."""
    unit = db.scalar(unit_scope(viewer).where(Unit.id == unit_id))
    if unit is None:
        raise NotFound("查無此單位，或您沒有管理權限")
    people = sorted(
        db.scalars(
            account_scope(viewer).where(
                Account.unit_id == unit.id, Account.status == AccountStatus.ACTIVE
            )
        ),
        key=lambda person: (ROLE_ORDER.get(person.role, 9), person.username),
    )
    held = _held_subsystems(db, catalogues, unit, [person.id for person in people])
    entries = tuple(
        RosterEntry(
            number=number,
            name=person.name,
            masked_national_id=reveal_masked(
                db, national_ids, person, viewer=viewer, ip=ip, report="unit_roster"
            ),
            title=person.title,
            department=person.department,
            account_name=person.username,
            role=names.name_of(person.role),
            subsystems=tuple(held[person.id]),
        )
        for number, person in enumerate(people, start=1)
    )
    return Roster(unit.id, unit.code, unit.name, utcnow(), entries)


def _held_subsystems(
    db: Session, catalogues: Catalogues, unit: Unit, account_ids: list[int]
) -> dict[int, list[HeldSubsystem]]:
    """The active subsystem accounts of the unit bound to each of these accounts."""
    held: dict[int, list[HeldSubsystem]] = defaultdict(list)
    if not account_ids:
        return held
    rows = db.execute(
        select(Binding.account_id, SubsystemAccount)
        .join(SubsystemAccount, SubsystemAccount.id == Binding.subsystem_account_id)
        .where(
            Binding.account_id.in_(account_ids),
            SubsystemAccount.unit_id == unit.id,
            SubsystemAccount.status == AccountStatus.ACTIVE,
        )
        .order_by(SubsystemAccount.subsystem, SubsystemAccount.username)
    )
    for account_id, sub in rows:
        held[account_id].append(
            HeldSubsystem(
                subsystem=str(names.subsystem(catalogues, sub.subsystem)),
                account_name=sub.username,
                role=names.name_of(sub.role),
                duty=str(names.duty(catalogues, sub.subsystem, sub.duty)),
                menu_roles=tuple(
                    str(names.menu_role(catalogues, sub.subsystem, code)) for code in sub.menu_roles
                ),
            )
        )
    return held


def record_download(
    db: Session, viewer: Account, roster: Roster, file_format: str, *, ip: str = ""
) -> None:
    """The audit row of one list handed out."""
    audit.record(
        db,
        "report.unit_roster",
        actor=viewer.username,
        actor_account_id=viewer.id,
        target=roster.unit_code,
        ip=ip,
        format=file_format,
        people=len(roster.entries),
    )


# xlsx -----------------------------------------------------------------------------------


def render_roster_xlsx(roster: Roster) -> bytes:
    """One sheet: the heading row, then one row per person."""
    rows = [entry.cells("\n") for entry in roster.entries]
    return b"".join(FORMATS["xlsx"].write(HEADINGS, rows, TITLE))


# PDF ------------------------------------------------------------------------------------


def render_roster_pdf(roster: Roster, font_path: Path | None = None) -> bytes:
    """The list on landscape A4 pages, headings repeated on each, then the boxes to sign
    and stamp and the date, left blank."""
    pdf = PrintedForm(
        title=TITLE,
        created_at=roster.made_at,
        footer_line=lambda page: str(
            text(
                "{unit_code} {unit_name} 授權使用人員一覽表　第 {page} 頁",
                unit_code=roster.unit_code,
                unit_name=roster.unit_name,
                page=page,
            )
        ),
        orientation="L",
        margin=MARGIN,
        font_path=font_path,
    )
    pdf.add_page()
    _heading(pdf, roster)
    _people(pdf, roster)
    _undertaking(pdf)
    signature_boxes(pdf, SIGNATURES)
    pdf.ln(3)
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, LINE, "日期：中華民國　　　年　　　月　　　日", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, roster: Roster) -> None:
    pdf.set_font(FAMILY, size=10)
    pdf.cell(0, 6, ATTACHMENT, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 11, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    made = roster.made_at.astimezone(TAIPEI)
    with pdf.table(
        col_widths=(24, 40, 24, 90, 24, 40),
        first_row_as_headings=False,
        line_height=LINE,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as table:
        row = table.row()
        for label, value in (
            ("單位代碼", roster.unit_code),
            ("單位名稱", roster.unit_name),
            ("製表日期", f"{made:%Y/%m/%d}"),
        ):
            row.cell(label, style=LABEL)
            row.cell(value)


def _people(pdf: FPDF, roster: Roster) -> None:
    section(
        pdf,
        str(text("授權使用人員（啟用中的帳號，共 {count} 人）", count=len(roster.entries))),
    )
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=WIDTHS,
        headings_style=HEADING,
        line_height=5.5,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row(list(HEADINGS))
        for entry in roster.entries:
            table.row([str(cell) for cell in entry.cells("\n")])
        if not roster.entries:
            table.row().cell("本單位目前沒有啟用中的帳號", colspan=len(HEADINGS))


def _undertaking(pdf: FPDF) -> None:
    pdf.ln(2)
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(
        0,
        5.5,
        "本單位確認上列人員為授權使用人員。授權使用人員之帳號僅限於其本人於業務範圍內使用，"
        "不得轉讓予他人使用；人員離職或異動時，本單位將通知停用其帳號。",
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )
