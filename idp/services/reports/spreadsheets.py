"""Writing a list as CSV, Excel (.xlsx) or OpenDocument (.ods), a piece at a time, so that
a year of sign-ins goes out without being held in memory.

- CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese right); a cell that
  would start a formula is prefixed with ``'`` (OWASP: CSV injection).
- xlsx: openpyxl's write-only workbook, which writes rows to a temporary file as they
  come and inline strings (no shared-string table growing with the rows); the finished
  file is then read out in chunks. Every text cell is a string, never a formula.
- ods: written here, as the ODF package format is a ZIP of a few XML files and no kept
  Python library writes one as a stream (odfdo and odfpy build the whole document in
  memory): ``mimetype`` first and stored, then ``content.xml`` written row by row into
  the ZIP stream, then the manifest.

Datetimes are shown in Taiwan time, without a zone (spreadsheets have none).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ...models.base import TAIPEI

Cell = str | int | float | bool | datetime | date | None
Row = Sequence[Cell]
CHUNK = 64 * 1024
#: Rows written between two pieces handed out.
ROWS_PER_PIECE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot hold.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    write: Callable[[Sequence[str], Iterable[Row], str], Iterator[bytes]]


def _local(value: Cell) -> Cell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(TAIPEI).replace(tzinfo=None, microsecond=0)
    return value


# CSV ------------------------------------------------------------------------------------


def _csv_cell(value: Cell) -> Cell:
    value = _local(value)
    if isinstance(value, datetime):
        return value.strftime("%Y/%m/%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Iterable[Row], title: str = "") -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    for count, row in enumerate(rows, start=1):
        if count % ROWS_PER_PIECE == 1:
            buffer.seek(0)
            buffer.truncate()
        writer.writerow([_csv_cell(v) for v in row])
        if count % ROWS_PER_PIECE == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


# xlsx -----------------------------------------------------------------------------------


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if not isinstance(value, str):
        return _local(value)
    value = NOT_XML.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # "=…" stays text, never a formula
    return cell


def write_xlsx(header: Sequence[str], rows: Iterable[Row], title: str = "") -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    with tempfile.TemporaryFile() as finished:
        workbook.save(finished)
        finished.seek(0)
        while chunk := finished.read(CHUNK):
            yield chunk


# ods ------------------------------------------------------------------------------------

ODS_MEDIA_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
CONTENT_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
CONTENT_END = "</table:table></office:spreadsheet></office:body></office:document-content>"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MEDIA_TYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


class _Pipe(io.RawIOBase):
    """Where the ZIP is written: bytes collected until taken. Not seekable, so zipfile
    writes each entry's sizes after its data (a streamed ZIP)."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken = b"".join(self._pieces)
        self._pieces.clear()
        return taken


def _ods_text(value: str) -> str:
    return escape(NOT_XML.sub("", value))


def _ods_cell(value: Cell) -> str:
    value = _local(value)
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        shown = "TRUE" if value else "FALSE"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{shown.lower()}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%Y/%m/%d %H:%M:%S}</text:p></table:table-cell>"
        )
    if isinstance(value, date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value:%Y/%m/%d}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{_ods_text(value)}</text:p>'
        "</table:table-cell>"
    )


def _ods_row(row: Row) -> str:
    return "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"


def write_ods(header: Sequence[str], rows: Iterable[Row], title: str = "") -> Iterator[bytes]:
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w") as package:
        package.writestr("mimetype", ODS_MEDIA_TYPE, compress_type=zipfile.ZIP_STORED)
        entry = zipfile.ZipInfo("content.xml", date_time=(2020, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(entry, "w") as content:
            name = quoteattr(_ods_text(_sheet_title(title)))
            parts = [CONTENT_START, f"<table:table table:name={name}>", _ods_row(header)]
            for count, row in enumerate(rows, start=1):
                parts.append(_ods_row(row))
                if count % ROWS_PER_PIECE == 0:
                    content.write("".join(parts).encode())
                    parts.clear()
                    yield pipe.take()
            parts.append(CONTENT_END)
            content.write("".join(parts).encode())
        package.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    yield pipe.take()


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", write_csv),
    "xlsx": Format(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx
    ),
    "ods": Format("ods", ODS_MEDIA_TYPE, write_ods),
}
