"""What the hub's printed forms share: the Traditional Chinese font, an A4 page with a
footer on every page, section titles, and the boxes left blank to sign and stamp.

The forms are the unit admin's application for paper review
(``applications.paper_form``) and a unit's 授權使用人員一覽表 (``reports.roster``).
They embed only the glyphs they use, from Debian's fonts-noto-cjk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from fontTools.ttLib import TTCollection
from fpdf import FPDF, FontFace

FONT_PACKAGE = "fonts-noto-cjk"
#: Where Debian's fonts-noto-cjk puts its collections, sans first.
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)
FAMILY = "cjk"

LABEL = FontFace(fill_color=(235, 235, 235))
HEADING = FontFace(emphasis="", fill_color=(235, 235, 235))
LINE = 7.0
#: Height of a box left blank for a signature or a seal.
SIGNATURE_HEIGHT = 34


def find_cjk_font(candidates: Sequence[Path] = CJK_FONTS) -> Path:
    """A font with Traditional Chinese glyphs, from Debian's fonts-noto-cjk."""
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(path) for path in candidates)
    raise FileNotFoundError(
        f"no CJK font for the printed forms ({looked}): "
        f"install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
    )


@cache
def traditional_chinese_face(path: Path) -> int:
    """The Traditional Chinese (TC) face of a collection; 0 for a single font."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    with TTCollection(str(path), lazy=True) as collection:
        for number, font in enumerate(collection.fonts):
            if str(font["name"].getDebugName(1) or "").endswith(" TC"):
                return number
    return 0


class PrintedForm(FPDF):
    """An A4 form in the CJK font, whose footer says on each page what ``footer_line``
    makes of the page number."""

    def __init__(
        self,
        *,
        title: str,
        created_at: datetime,
        footer_line: Callable[[int], str],
        orientation: Literal["P", "L"] = "P",
        margin: float = 16,
        font_path: Path | None = None,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.footer_line = footer_line
        self.set_margins(margin, 14, margin)
        self.set_auto_page_break(auto=True, margin=16)
        font = font_path or find_cjk_font()
        self.add_font(FAMILY, fname=font, collection_font_number=traditional_chinese_face(font))
        self.set_lang("zh-TW")
        self.set_title(title)
        self.set_creation_date(created_at)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, self.footer_line(self.page_no()), align="C")


def section(pdf: FPDF, title: str) -> None:
    """A section's title, then the body's size of text."""
    pdf.ln(2)
    pdf.set_font(FAMILY, size=11)
    pdf.cell(0, LINE, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10)


def signature_boxes(pdf: FPDF, labels: Sequence[str]) -> None:
    """One box per label, side by side, left blank to sign or stamp."""
    pdf.ln(3)
    with pdf.table(headings_style=HEADING, line_height=LINE, text_align="CENTER") as table:
        table.row(list(labels))
        table.row([""] * len(labels), min_height=SIGNATURE_HEIGHT)
