"""The unit admin's application form (單位業務管理者帳號申請書) for paper review (紙本審核).

The applicant downloads it filled in, prints it, has it signed and stamped, and uploads
the scan (``uploads.check_scan``); the authority (國健署) reviews it. It follows the
authority's own form (seed 004, 管理者帳號申請、異動表): 申請日期 in 西元, 機構名稱 and
機構代碼, 申請帳號, 申請人姓名, 身分證字號, 聯絡電話, E-mail, then the seal of the unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode

from ...models.base import TAIPEI
from ..errors import text
from ..printed_forms import FAMILY, HEADING, LABEL, LINE, PrintedForm, section, signature_boxes
from ..uploads import MAX_SCAN_BYTES, megabytes

#: A full 身分證 or 居留證 number; the form only ever carries a masked one.
FULL_NATIONAL_ID = re.compile(r"[A-Z][0-9A-D]\d{8}")

AUTHORITY = "衛生福利部國民健康署"
TITLE = "預防保健暨戒菸服務單一入口 單位業務管理者帳號申請書"
UNIT_ADMIN = "單位業務管理者"


@dataclass(frozen=True)
class RequestedRight:
    """One subsystem whose admin rights the applicant asks for, as the form names it."""

    subsystem: str
    duty: str
    menu_roles: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PaperForm:
    """What the printed form shows. ``masked_national_id`` is masked by the caller."""

    reference: str
    applied_at: datetime
    unit_code: str
    unit_name: str
    county: str = ""
    district: str = ""
    account_name: str
    person_name: str
    title: str
    masked_national_id: str
    phone: str
    phone_backup: str = ""
    unit_phone: str = ""
    mobile: str = ""
    email: str
    email_backup: str = ""
    role: str = UNIT_ADMIN
    rights: tuple[RequestedRight, ...] = ()
    consent_version: str
    consented_at: datetime

    def __post_init__(self) -> None:
        if FULL_NATIONAL_ID.search(self.masked_national_id.upper()):
            raise ValueError("masked_national_id holds a full identity number")


def render_application_pdf(form: PaperForm, font_path: Path | None = None) -> bytes:
    """The form as an A4 PDF, embedding only the glyphs it uses."""
    pdf = PrintedForm(
        title=TITLE,
        created_at=form.applied_at,
        footer_line=lambda page: str(
            text("申請單號 {reference}　第 {page} 頁", reference=form.reference, page=page)
        ),
        font_path=font_path,
    )
    pdf.add_page()
    _heading(pdf, form)
    _unit_section(pdf, form)
    _applicant_section(pdf, form)
    _rights_section(pdf, form)
    _declaration(pdf, form)
    _signatures(pdf)
    _upload_instruction(pdf)
    _review_box(pdf)
    return bytes(pdf.output())


def _heading(pdf: FPDF, form: PaperForm) -> None:
    pdf.set_font(FAMILY, size=12)
    pdf.cell(0, 7, AUTHORITY, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=16)
    pdf.cell(0, 11, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)
    applied = form.applied_at.astimezone(TAIPEI)
    half = pdf.epw / 2
    pdf.cell(half, LINE, str(text("申請單號：{reference}", reference=form.reference)))
    pdf.cell(
        half,
        LINE,
        str(
            text(
                "申請日期：西元 {year} 年 {month} 月 {day} 日",
                year=applied.year,
                month=applied.month,
                day=applied.day,
            )
        ),
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _field_table(pdf: FPDF, rows: list[list[tuple[str, str]]]) -> None:
    """Rows of label and value pairs: two pairs to a row, or one spanning the width."""
    with pdf.table(
        col_widths=(22, 38, 22, 38),
        first_row_as_headings=False,
        line_height=LINE,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as table:
        for pairs in rows:
            row = table.row()
            for label, value in pairs:
                row.cell(label, style=LABEL)
                row.cell(value, colspan=3 if len(pairs) == 1 else 1)


def _unit_section(pdf: FPDF, form: PaperForm) -> None:
    section(pdf, "一、申請單位")
    _field_table(
        pdf,
        [
            [("機構代碼", form.unit_code), ("機構名稱", form.unit_name)],
            [("縣市", form.county), ("區域", form.district)],
            [("機構電話", form.unit_phone)],
        ],
    )


def _applicant_section(pdf: FPDF, form: PaperForm) -> None:
    section(pdf, "二、申請人資料")
    _field_table(
        pdf,
        [
            [("申請帳號", form.account_name), ("申請角色別", form.role)],
            [("申請人姓名", form.person_name), ("身分證字號", form.masked_national_id)],
            [("職稱", form.title), ("手機", form.mobile)],
            [("市話", form.phone), ("備用市話", form.phone_backup)],
            [("E-mail 信箱", form.email), ("備用 E-mail", form.email_backup)],
        ],
    )


def _rights_section(pdf: FPDF, form: PaperForm) -> None:
    section(pdf, "三、申請子系統管理權限（由國健署審核）")
    with pdf.table(
        col_widths=(30, 30, 60),
        headings_style=HEADING,
        line_height=LINE,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row(["子系統", "業務權責", "選單角色"])
        for right in form.rights:
            table.row([right.subsystem, right.duty, "、".join(right.menu_roles)])
        if not form.rights:
            table.row().cell("未申請子系統管理權限", colspan=3)


def _declaration(pdf: FPDF, form: PaperForm) -> None:
    section(pdf, "四、聲明事項")
    consented = form.consented_at.astimezone(TAIPEI).strftime("%Y/%m/%d %H:%M")
    declaration = text(
        "本人確認上列資料均屬正確，並已閱讀且同意單一入口之保密切結及個人資料蒐集、"
        "處理及利用告知事項（版本 {version}，同意時間 {consented_at}）。"
        "本帳號僅限本人執行所屬單位業務使用，不得轉借他人；"
        "人員異動或離職時，由單位申請停用。",
        version=form.consent_version,
        consented_at=consented,
    )
    pdf.multi_cell(0, 5.5, str(declaration), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")


def _signatures(pdf: FPDF) -> None:
    signature_boxes(pdf, ["申請人簽章", "單位主管簽章", "機關(構)印信"])


def _upload_instruction(pdf: FPDF) -> None:
    pdf.ln(2)
    instruction = text(
        "請列印本申請書，由申請人及單位主管簽章並加蓋機關(構)印信後，"
        "掃描為 PDF、JPG 或 PNG 檔（{limit_mb} MB 以內），於「申請進度查詢」上傳；"
        "國健署將於 2～3 個工作天內完成審核。",
        limit_mb=megabytes(MAX_SCAN_BYTES),
    )
    pdf.multi_cell(0, 5.5, str(instruction), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")


def _review_box(pdf: FPDF) -> None:
    section(pdf, "以下由國健署填寫")
    _field_table(
        pdf,
        [
            [("審核結果", "□ 核定　□ 退回"), ("審核日期", "")],
            [("審核人員", ""), ("備註", "")],
        ],
    )
