"""Checking an uploaded file: the scan of a signed, stamped application form (紙本審核),
an announcement's attachment, a form or manual for 下載專區.

What a file is comes from its bytes, never from its name or the browser's Content-Type:
the first bytes say PDF, JPEG, PNG or a ZIP package (an OpenDocument or Office Open XML
document, told apart by the names inside), the file must really be one (a PDF ends with
its cross-reference trailer, an image decodes, a package lists what its kind holds and
unpacks to a sane size), and its name may not claim another type. Each use says which
kinds it takes.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Final, Literal

from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput, Text, text

ODT: Final = "application/vnd.oasis.opendocument.text"
ODS: Final = "application/vnd.oasis.opendocument.spreadsheet"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MediaType = Literal[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]
SCAN_TYPES: tuple[MediaType, ...] = ("application/pdf", "image/jpeg", "image/png")
#: What 下載專區 and announcements take: scans, and documents people fill in.
DOCUMENT_TYPES: tuple[MediaType, ...] = (*SCAN_TYPES, ODT, ODS, DOCX, XLSX)

MAX_SCAN_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
#: A document package unpacking to more than this is no form but a bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: An A4 page scanned at 600 dpi is about 35 million pixels; more is no scan but a bomb.
MAX_SCAN_PIXELS = 40_000_000

SIGNATURES: tuple[tuple[bytes, MediaType], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS: dict[MediaType, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    ODT: ("odt",),
    ODS: ("ods",),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
}
KIND_NAMES: dict[MediaType, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    ODT: "ODT",
    ODS: "ODS",
    DOCX: "DOCX",
    XLSX: "XLSX",
}
#: The part an Office Open XML package of each kind holds.
OOXML_PARTS: dict[MediaType, str] = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
ZIP_SIGNATURE = b"PK\x03\x04"
#: Phones save some photos as MPO: a JPEG with more pictures after the first.
PIL_FORMATS: dict[MediaType, tuple[str, ...]] = {
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
}

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
#: Writers may put a little after ``%%EOF`` (line ends, padding); a trailer is never far.
PDF_TAIL_BYTES = 2048

ALLOWED_HINT = "請上傳 {kinds} 檔，大小不超過 {limit_mb} MB"


@dataclass(frozen=True)
class Accepted:
    """What a check lets in: its type as its content shows, and a name safe to store it under."""

    media_type: MediaType
    size: int
    sha256: str
    stored_name: str
    #: The extension the file's content calls for.
    extension: str


@dataclass(frozen=True)
class Rule:
    """What one use of uploads takes: kinds, size, and the form field refusals name."""

    accepted: tuple[MediaType, ...]
    max_bytes: int
    field: str

    def refused(self, reason: Text) -> InvalidInput:
        kinds = "/".join(KIND_NAMES[kind] for kind in self.accepted)
        hint = text(ALLOWED_HINT, kinds=kinds, limit_mb=megabytes(self.max_bytes))
        return InvalidInput(self.field, texts=[reason, hint])

    def too_large(self) -> InvalidInput:
        """The refusal of a file over the limit, also for one the web server stopped reading."""
        return self.refused(text("檔案大小超過 {limit_mb} MB", limit_mb=megabytes(self.max_bytes)))


SCAN = Rule(SCAN_TYPES, MAX_SCAN_BYTES, "scan")
DOCUMENT = Rule(DOCUMENT_TYPES, MAX_DOCUMENT_BYTES, "file")


def check_scan(data: bytes, filename: str, max_bytes: int = MAX_SCAN_BYTES) -> Accepted:
    """The scan as accepted, or ``InvalidInput("scan", …)`` saying why not and what is allowed."""
    return check_file(data, filename, Rule(SCAN_TYPES, max_bytes, "scan"))


def check_file(data: bytes, filename: str, rule: Rule) -> Accepted:
    """The file as accepted under ``rule``, or ``InvalidInput`` saying why not and what is
    allowed."""
    if not data:
        raise rule.refused(text("檔案是空的，請重新選擇檔案"))
    if len(data) > rule.max_bytes:
        raise rule.too_large()
    media_type = _sniff(data)
    if media_type is None or media_type not in rule.accepted:
        raise rule.refused(text("不接受此檔案類型"))
    extension = _extension(filename)
    if extension not in EXTENSIONS[media_type]:
        raise rule.refused(
            text("副檔名與檔案內容不符：檔案內容是 {kind}", kind=KIND_NAMES[media_type])
        )
    if media_type == "application/pdf":
        _check_pdf(data, rule)
    elif media_type in ("image/jpeg", "image/png"):
        _check_image(data, media_type, rule)
    digest = hashlib.sha256(data).hexdigest()
    return Accepted(
        media_type=media_type,
        size=len(data),
        sha256=digest,
        stored_name=digest + "." + EXTENSIONS[media_type][0],
        extension=EXTENSIONS[media_type][0],
    )


def _sniff(data: bytes) -> MediaType | None:
    for signature, media_type in SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data.startswith(ZIP_SIGNATURE):
        return _package_kind(data)
    return None


def _package_kind(data: bytes) -> MediaType | None:
    """An OpenDocument package names its type in its first entry, ``mimetype``; an Office
    Open XML one holds ``[Content_Types].xml`` and its kind's main part. Nothing is
    unpacked but that short name; a package promising too much unpacked is refused."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            entries = package.infolist()
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return None
            names = {e.filename for e in entries}
            if entries and entries[0].filename == "mimetype" and entries[0].file_size < 100:
                declared = package.read("mimetype").decode("ascii", "replace").strip()
                return next((k for k in (ODT, ODS) if k == declared), None)
            if "[Content_Types].xml" in names:
                return next((k for k, part in OOXML_PARTS.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def _extension(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return extension.strip().lower() if dot and stem else ""


def _check_pdf(data: bytes, rule: Rule) -> None:
    tail = data[-PDF_TAIL_BYTES:]
    if not (PDF_HEADER.match(data) and b"startxref" in tail and b"%%EOF" in tail):
        raise rule.refused(text("PDF 檔案不完整或已損毀，請重新掃描後上傳"))


def _check_image(data: bytes, media_type: MediaType, rule: Rule) -> None:
    broken = text("圖片檔案不完整或已損毀，請重新掃描後上傳")
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in PIL_FORMATS[media_type]:
                raise rule.refused(broken)
            width, height = image.size
            if width * height > MAX_SCAN_PIXELS:
                raise _too_many_pixels(width, height, rule)
            if media_type == "image/jpeg":
                # Decoding at one eighth of the size still reads every byte of the stream.
                image.draft(None, (max(width // 8, 1), max(height // 8, 1)))
                image.load()
            else:
                image.verify()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(0, 0, rule) from error
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError, ValueError) as error:
        raise rule.refused(broken) from error


def _too_many_pixels(width: int, height: int, rule: Rule) -> InvalidInput:
    reason = (
        text(
            "圖片尺寸 {width} × {height} 像素過大，請以 300 dpi 重新掃描",
            width=width,
            height=height,
        )
        if width and height
        else text("圖片尺寸過大，請以 300 dpi 重新掃描")
    )
    return rule.refused(reason)


def megabytes(size: int) -> str:
    """A size in MB as people write it: ``5``, ``0.5``."""
    return f"{size / (1024 * 1024):g}"
