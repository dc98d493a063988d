"""Files for upload tests: a real PDF, a real image, OpenDocument and Office packages."""

from __future__ import annotations

import os
import zipfile
from io import BytesIO

from fpdf import FPDF
from PIL import Image


def make_pdf(text: str = "signed and stamped") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def make_image(image_format: str, size: tuple[int, int] = (120, 90)) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = BytesIO()
    image.save(out, format=image_format)
    return out.getvalue()


def make_package(entries: dict[str, bytes], stored_first: str | None = None) -> bytes:
    """A ZIP package; ``stored_first`` is written first and uncompressed (ODF's mimetype)."""
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        if stored_first is not None:
            package.writestr(stored_first, entries[stored_first], zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != stored_first:
                package.writestr(name, data)
    return out.getvalue()


def make_odt() -> bytes:
    return make_package(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<manifest:manifest/>",
        },
        stored_first="mimetype",
    )


def make_docx() -> bytes:
    return make_package({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
