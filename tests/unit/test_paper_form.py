"""The unit admin's application form for paper review, as a printable PDF."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from idp.services.applications.paper_form import (
    TITLE,
    PaperForm,
    RequestedRight,
    render_application_pdf,
)
from idp.services.printed_forms import find_cjk_font

from ..support.pdf import extracted_text

FULL_ID = "A123456789"
FORM = PaperForm(
    reference="P20260305-0007",
    applied_at=datetime(2026, 3, 4, 18, 30, tzinfo=UTC),
    unit_code="376570300I",
    unit_name="基隆市衛生局",
    county="基隆市",
    district="信義區",
    account_name="keelung01",
    person_name="王小明",
    title="護理師",
    masked_national_id="A12****789",
    phone="02-24230181#123",
    phone_backup="02-24230182",
    unit_phone="02-24230181",
    mobile="0912-345678",
    email="xiaoming.wang@example.org",
    email_backup="wang.backup@example.org",
    rights=(
        RequestedRight(
            subsystem="婦幼健康整合",
            duty="衛生局",
            menu_roles=("衛生局(乙型鏈球菌篩檢)", "衛生局(新生兒篩檢業務)"),
        ),
        RequestedRight(subsystem="戒菸服務", duty="衛生局"),
    ),
    consent_version="2026-01",
    consented_at=datetime(2026, 3, 4, 18, 29, tzinfo=UTC),
)


@pytest.fixture(scope="module")
def document() -> bytes:
    return render_application_pdf(FORM)


def embedded_fonts(document: bytes) -> list[Any]:
    """The CID fonts under each page's Type0 fonts."""
    reader = PdfReader(BytesIO(document))
    fonts = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            for descendant in font.get_object()["/DescendantFonts"]:
                fonts.append(descendant.get_object())
    return fonts


def test_the_form_shows_the_applicant_and_the_unit(document: bytes) -> None:
    content = extracted_text(document)

    for shown in ("王小明", "376570300I", "基隆市衛生局", "keelung01", "A12****789"):
        assert shown in content
    assert "".join(TITLE.split()) in content
    assert "單位業務管理者" in content


def test_the_form_dates_the_application_in_taipei_time(document: bytes) -> None:
    assert "申請日期：西元2026年3月5日" in extracted_text(document)
    assert "2026/03/0502:29" in extracted_text(document)


def test_the_form_lists_the_requested_rights(document: bytes) -> None:
    content = extracted_text(document)

    assert "婦幼健康整合" in content
    assert "衛生局(乙型鏈球菌篩檢)、衛生局(新生兒篩檢業務)" in content
    assert "戒菸服務" in content


def test_the_form_has_places_to_sign_and_stamp(document: bytes) -> None:
    content = extracted_text(document)

    for box in ("申請人簽章", "單位主管簽章", "機關(構)印信"):
        assert box in content
    assert "於「申請進度查詢」上傳" in content


def test_the_form_never_holds_the_full_national_id(document: bytes) -> None:
    assert FULL_ID not in extracted_text(document)
    assert FULL_ID.encode() not in document
    with pytest.raises(ValueError, match="masked"):
        dataclasses.replace(FORM, masked_national_id=FULL_ID)


def test_the_form_is_one_a4_page(document: bytes) -> None:
    reader = PdfReader(BytesIO(document))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_the_font_is_embedded_as_a_subset(document: bytes) -> None:
    fonts = embedded_fonts(document)

    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert "+" in font["/BaseFont"]
    assert len(document) < 300_000


def test_a_form_without_subsystems_says_so() -> None:
    document = render_application_pdf(dataclasses.replace(FORM, rights=()))

    assert "未申請子系統管理權限" in extracted_text(document)


def test_a_missing_font_names_the_package_to_install() -> None:
    with pytest.raises(FileNotFoundError, match="fonts-noto-cjk"):
        find_cjk_font((Path("/nonexistent/NotoSansCJK.ttc"),))
