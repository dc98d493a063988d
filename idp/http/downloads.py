"""A file handed to the browser that holds personal data (the paper form, a scan, one's
own data, an admin list's export): an attachment with a filename that carries its
extension, in ASCII and in UTF-8 (RFC 6266), never kept by the browser or a proxy."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

#: The extension of each kind of file the hub hands out.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "application/json": ".json",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}


def filename_for(stem: str, media_type: str) -> str:
    extension = EXTENSIONS.get(media_type.split(";")[0].strip(), "")
    return stem if not extension or stem.lower().endswith(extension) else stem + extension


def personal_file(body: bytes | str | Iterable[bytes], media_type: str, stem: str) -> Response:
    filename = filename_for(stem, media_type)
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return Response(
        body,
        mimetype=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
            ),
            "Cache-Control": "no-store",
        },
    )
