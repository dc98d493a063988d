"""Scans sent with a request (保密切結書, 單位切結書 with its 授權使用人員一覽表, a
檢驗機構's licences …): at most ``MAX_ATTACHMENTS``, each checked as an application's scan
is (``uploads``), named as the sender's file was. One refused file refuses the request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..models.attachment import AttachedScan
from . import uploads
from .errors import InvalidInput, Text, text

Row = TypeVar("Row", bound=AttachedScan)
#: How many scans one request may carry, each checked as ``RULE`` says.
MAX_ATTACHMENTS = 3
RULE = uploads.Rule(uploads.SCAN_TYPES, uploads.MAX_SCAN_BYTES, "attachments")
FILENAME_LENGTH = 200
#: A request may carry every scan at its largest (and the form around them).
UPLOAD_LIMIT = MAX_ATTACHMENTS * RULE.max_bytes


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    upload: Upload
    scan: uploads.Accepted

    def fill(self, row: Row) -> Row:
        """``row`` (a request's attachment) holding this file."""
        row.filename = shown_name(self.upload.filename)
        row.media_type = self.scan.media_type
        row.size = self.scan.size
        row.sha256 = self.scan.sha256
        row.data = self.upload.data
        return row


def check_attachments(files: Sequence[Upload]) -> tuple[list[Checked], list[Text]]:
    """The files chosen (empty file fields left out), and what is wrong with them."""
    chosen = [upload for upload in files if upload.data or upload.filename]
    if len(chosen) > MAX_ATTACHMENTS:
        return [], [text("附件最多 {count} 個", count=MAX_ATTACHMENTS)]
    checked: list[Checked] = []
    problems: list[Text] = []
    for upload in chosen:
        try:
            checked.append(Checked(upload, uploads.check_file(upload.data, upload.filename, RULE)))
        except InvalidInput as refused:
            problems.append(
                text("附件「{filename}」無法接受", filename=shown_name(upload.filename))
            )
            problems.extend(refused.texts)
    return checked, problems


def shown_name(filename: str) -> str:
    """The file's own name, without the folders some browsers send."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:FILENAME_LENGTH] or "附件"
