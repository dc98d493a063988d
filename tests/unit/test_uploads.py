"""The uploaded scan of the signed application form: its content decides its type."""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from io import BytesIO

import pytest
from PIL import Image

from idp.services.errors import InvalidInput
from idp.services.uploads import (
    DOCUMENT,
    DOCX,
    MAX_UNPACKED_BYTES,
    ODT,
    Accepted,
    check_file,
    check_scan,
)

from ..support.files import make_docx, make_image, make_odt, make_package, make_pdf

HINT = "請上傳 PDF/JPG/PNG 檔，大小不超過 5 MB"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def refusal(data: bytes, filename: str, **options: int) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_scan(data, filename, **options)
    assert caught.value.field == "scan"
    return caught.value


@pytest.mark.parametrize(
    "filename,image_format,media_type,extension",
    [
        ("scan.pdf", None, "application/pdf", "pdf"),
        ("申請書.PDF", None, "application/pdf", "pdf"),
        ("scan.jpg", "JPEG", "image/jpeg", "jpg"),
        ("scan.JPEG", "JPEG", "image/jpeg", "jpg"),
        ("掃描.png", "PNG", "image/png", "png"),
    ],
)
def test_accepts_each_type(
    filename: str, image_format: str | None, media_type: str, extension: str
) -> None:
    data = make_pdf() if image_format is None else make_image(image_format)

    scan = check_scan(data, filename)

    digest = hashlib.sha256(data).hexdigest()
    assert scan == Accepted(
        media_type=media_type,  # type: ignore[arg-type]
        size=len(data),
        sha256=digest,
        stored_name=digest + "." + extension,
        extension=extension,
    )


def test_the_stored_name_owes_nothing_to_the_given_name() -> None:
    scan = check_scan(make_pdf(), "C:\\Users\\王\\..\\..\\<script>.pdf")

    assert scan.stored_name == scan.sha256 + ".pdf"


def test_every_refusal_says_what_is_allowed() -> None:
    error = refusal(b"", "scan.pdf")

    assert [str(t) for t in error.texts] == ["檔案是空的，請重新選擇檔案", HINT]


def test_refuses_a_file_over_the_limit() -> None:
    data = make_pdf()
    exact = check_scan(data, "scan.pdf", max_bytes=len(data))
    assert exact.size == len(data)

    error = refusal(b"%PDF-1.4\n" + b"0" * 1024 * 1024, "scan.pdf", max_bytes=1024 * 1024)

    assert [str(t) for t in error.texts] == [
        "檔案大小超過 1 MB",
        "請上傳 PDF/JPG/PNG 檔，大小不超過 1 MB",
    ]


@pytest.mark.parametrize(
    "data,filename",
    [
        (b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", "scan.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200), "scan.pdf"),
        (b"PK\x03\x04" + bytes(100), "scan.pdf"),
    ],
    ids=["html", "exe", "zip"],
)
def test_refuses_other_content_named_as_pdf(data: bytes, filename: str) -> None:
    assert str(refusal(data, filename).texts[0]) == "不接受此檔案類型"


@pytest.mark.parametrize("filename", ["scan.gif", "scan.png"])
def test_refuses_a_gif_whatever_its_name(filename: str) -> None:
    assert str(refusal(make_image("GIF"), filename).texts[0]) == "不接受此檔案類型"


@pytest.mark.parametrize(
    "image_format,filename,kind",
    [
        (None, "scan.png", "PDF"),
        ("PNG", "scan.pdf", "PNG"),
        ("JPEG", "scan.png", "JPG"),
        ("PNG", "scan.jpg", "PNG"),
        ("PNG", "scan.exe", "PNG"),
        ("PNG", "scan", "PNG"),
        ("PNG", ".png", "PNG"),
    ],
)
def test_refuses_a_name_that_contradicts_the_content(
    image_format: str | None, filename: str, kind: str
) -> None:
    data = make_pdf() if image_format is None else make_image(image_format)

    error = refusal(data, filename)

    assert str(error.texts[0]) == "副檔名與檔案內容不符：檔案內容是 " + kind
    assert str(error.texts[1]) == HINT


@pytest.mark.parametrize(
    "data",
    [
        make_pdf()[:-200],
        b"%PDF-1.7\n%%EOF\n",
        b"%PDF-x\nstartxref\n0\n%%EOF\n",
    ],
    ids=["truncated", "no-trailer", "bad-header"],
)
def test_refuses_a_broken_pdf(data: bytes) -> None:
    assert str(refusal(data, "scan.pdf").texts[0]) == "PDF 檔案不完整或已損毀，請重新掃描後上傳"


@pytest.mark.parametrize(
    "image_format,filename,data",
    [
        ("JPEG", "scan.jpg", make_image("JPEG")[:-1500]),
        ("PNG", "scan.png", make_image("PNG")[:-1500]),
        ("JPEG", "scan.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000)),
        ("PNG", "scan.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2000)),
    ],
    ids=["truncated-jpeg", "truncated-png", "garbage-jpeg", "garbage-png"],
)
def test_refuses_a_broken_image(image_format: str, filename: str, data: bytes) -> None:
    assert str(refusal(data, filename).texts[0]) == "圖片檔案不完整或已損毀，請重新掃描後上傳"


def test_refuses_an_image_of_too_many_pixels() -> None:
    out = BytesIO()
    Image.new("1", (8000, 5001)).save(out, format="PNG")

    error = refusal(out.getvalue(), "scan.png")

    assert str(error.texts[0]) == "圖片尺寸 8000 × 5001 像素過大，請以 300 dpi 重新掃描"


def test_refuses_a_decompression_bomb() -> None:
    error = refusal(png_header_only(100_000, 100_000), "scan.png")

    assert str(error.texts[0]) == "圖片尺寸過大，請以 300 dpi 重新掃描"


def test_accepts_a_scan_as_large_as_a4_at_600_dpi() -> None:
    out = BytesIO()
    Image.new("1", (4961, 7016), 1).save(out, format="PNG")

    assert check_scan(out.getvalue(), "scan.png").media_type == "image/png"


# Documents for 下載專區 and announcements ------------------------------------------------


def test_documents_are_told_by_their_content() -> None:
    assert check_file(make_odt(), "表.odt", DOCUMENT).media_type == ODT
    assert check_file(make_docx(), "form.DOCX", DOCUMENT).media_type == DOCX
    assert check_file(make_pdf(), "manual.pdf", DOCUMENT).extension == "pdf"


def test_a_document_is_refused_where_only_scans_are_taken() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_scan(make_odt(), "scan.odt")
    assert str(refused.value.texts[0]) == "不接受此檔案類型"


def test_a_package_that_is_no_known_document_is_refused() -> None:
    plain_zip = make_package({"readme.txt": b"hello"})
    wrong_type = make_package(
        {"mimetype": b"application/vnd.oasis.opendocument.graphics", "x": b"1"},
        stored_first="mimetype",
    )
    for data in (plain_zip, wrong_type, b"PK\x03\x04 not a zip at all"):
        with pytest.raises(InvalidInput) as refused:
            check_file(data, "file.odt", DOCUMENT)
        assert str(refused.value.texts[0]) == "不接受此檔案類型"


def test_a_package_promising_too_much_unpacked_is_refused() -> None:
    bomb = BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr("word/document.xml", b"\0" * (MAX_UNPACKED_BYTES + 1))
    with pytest.raises(InvalidInput):
        check_file(bomb.getvalue(), "form.docx", DOCUMENT)


def test_a_document_named_as_another_kind_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file(make_docx(), "form.odt", DOCUMENT)
    assert str(refused.value.texts[0]) == "副檔名與檔案內容不符：檔案內容是 DOCX"
    assert str(refused.value.texts[1]) == (
        "請上傳 PDF/JPG/PNG/ODT/ODS/DOCX/XLSX 檔，大小不超過 20 MB"
    )
