"""Reading back the PDFs the hub makes."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def extracted_text(document: bytes) -> str:
    """The text of every page, without white space.

    fpdf2 encodes a CID-keyed CFF font (Noto Sans CJK) through an embedded two-byte CMap;
    pypdf reads such codes one byte at a time and puts a NUL before each character.
    """
    reader = PdfReader(BytesIO(document))
    text = "".join(page.extract_text() for page in reader.pages)
    return "".join(text.replace("\x00", "").split())
