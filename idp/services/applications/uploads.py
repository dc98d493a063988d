"""The signed, stamped application form scanned and uploaded for paper review (紙本審核).

What a file is comes from its bytes, never from its name or the browser's Content-Type:
the first bytes say PDF, JPEG or PNG, the file must really be one (a PDF ends with its
cross-reference trailer, an image decodes), and its name may not claim another type.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

from PIL import Image, UnidentifiedImageError

from ..errors import InvalidInput, Text, text

MediaType = Literal["application/pdf", "image/jpeg", "image/png"]

MAX_SCAN_BYTES = 5 * 1024 * 1024
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
}
KIND_NAMES: dict[MediaType, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
}
#: Phones save some photos as MPO: a JPEG with more pictures after the first.
PIL_FORMATS: dict[MediaType, tuple[str, ...]] = {
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
}

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
#: Writers may put a little after ``%%EOF`` (line ends, padding); a trailer is never far.
PDF_TAIL_BYTES = 2048

ALLOWED_HINT = "請上傳 PDF、JPG 或 PNG 檔，大小不超過 {limit_mb} MB"


@dataclass(frozen=True)
class ScanFile:
    """An accepted scan: its type as its content shows, and a name safe to store it under."""

    media_type: MediaType
    size: int
    sha256: str
    stored_name: str


def check_scan(data: bytes, filename: str, max_bytes: int = MAX_SCAN_BYTES) -> ScanFile:
    """The scan as accepted, or ``InvalidInput("scan", …)`` saying why not and what is allowed."""
    limit_mb = megabytes(max_bytes)
    if not data:
        raise _refused(text("檔案是空的，請重新選擇掃描檔"), limit_mb)
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    media_type = _sniff(data)
    if media_type is None:
        raise _refused(text("不接受此檔案類型"), limit_mb)
    extension = _extension(filename)
    if extension not in EXTENSIONS[media_type]:
        raise _refused(
            text(
                "副檔名與檔案內容不符：檔案內容是 {kind}",
                kind=KIND_NAMES[media_type],
            ),
            limit_mb,
        )
    if media_type == "application/pdf":
        _check_pdf(data, limit_mb)
    else:
        _check_image(data, media_type, limit_mb)
    digest = hashlib.sha256(data).hexdigest()
    return ScanFile(
        media_type=media_type,
        size=len(data),
        sha256=digest,
        stored_name=digest + "." + EXTENSIONS[media_type][0],
    )


def _sniff(data: bytes) -> MediaType | None:
    for signature, media_type in SIGNATURES:
        if data.startswith(signature):
            return media_type
    return None


def _extension(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    return extension.strip().lower() if dot and stem else ""


def _check_pdf(data: bytes, limit_mb: str) -> None:
    tail = data[-PDF_TAIL_BYTES:]
    if not (PDF_HEADER.match(data) and b"startxref" in tail and b"%%EOF" in tail):
        raise _refused(text("PDF 檔案不完整或已損毀，請重新掃描後上傳"), limit_mb)


def _check_image(data: bytes, media_type: MediaType, limit_mb: str) -> None:
    broken = text("圖片檔案不完整或已損毀，請重新掃描後上傳")
    try:
        with Image.open(BytesIO(data)) as image:
            if image.format not in PIL_FORMATS[media_type]:
                raise _refused(broken, limit_mb)
            width, height = image.size
            if width * height > MAX_SCAN_PIXELS:
                raise _too_many_pixels(width, height, limit_mb)
            if media_type == "image/jpeg":
                # Decoding at one eighth of the size still reads every byte of the stream.
                image.draft(None, (max(width // 8, 1), max(height // 8, 1)))
                image.load()
            else:
                image.verify()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(0, 0, limit_mb) from error
    except (UnidentifiedImageError, OSError, EOFError, SyntaxError, ValueError) as error:
        raise _refused(broken, limit_mb) from error


def _too_many_pixels(width: int, height: int, limit_mb: str) -> InvalidInput:
    reason = (
        text(
            "圖片尺寸 {width} × {height} 像素過大，請以 300 dpi 重新掃描",
            width=width,
            height=height,
        )
        if width and height
        else text("圖片尺寸過大，請以 300 dpi 重新掃描")
    )
    return _refused(reason, limit_mb)


def too_large(max_bytes: int = MAX_SCAN_BYTES) -> InvalidInput:
    """The refusal of a file over the limit, also for one the web server stopped reading."""
    limit_mb = megabytes(max_bytes)
    return _refused(text("檔案大小超過 {limit_mb} MB", limit_mb=limit_mb), limit_mb)


def _refused(reason: Text, limit_mb: str) -> InvalidInput:
    return InvalidInput("scan", texts=[reason, text(ALLOWED_HINT, limit_mb=limit_mb)])


def megabytes(size: int) -> str:
    """A size in MB as people write it: ``5``, ``0.5``."""
    return f"{size / (1024 * 1024):g}"
