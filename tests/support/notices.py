"""Helpers of the notice tests (issue 13): a drop with contact e-mails, and the text of a printed PDF."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from pypdf import PdfReader

# Chromium's subset of Noto CJK maps some glyphs back to CJK radicals (⻛ for 风); NFKC folds the Kangxi
# radicals, this table the simplified radicals of the CJK Radicals Supplement that NFKC leaves alone.
RADICALS = str.maketrans({"⻛": "风", "⻔": "门", "⻓": "长", "⻢": "马", "⻅": "见", "⻋": "车", "⻉": "贝", "⻜": "飞",
                          "⻘": "青", "⻝": "食", "⻚": "页", "⻙": "韦", "⻥": "鱼", "⻦": "鸟", "⻨": "麦", "⻩": "黄",
                          "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻳": "龟", "⻆": "角", "⺠": "民", "⻈": "讠"})


def drop_with_emails(source: Path, target: Path, emails: dict[str, str] | None = None) -> Path:
    """A copy of `source` whose institutions.csv has `contact_email` (<id>@inst.example unless given)."""
    shutil.copytree(source, target)
    path = target / "institutions.csv"
    frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    given = emails or {}
    frame["contact_email"] = [given.get(i, f"{i.lower()}@inst.example") for i in frame["institution_id"]]
    frame.to_csv(path, index=False, encoding="utf-8")
    return target


def opened(pdf: Path | str | PdfReader) -> PdfReader:
    """The PDF at a path, or one already open (pypdf keeps what it parsed: text and fonts read once)."""
    from pypdf import PdfReader

    return pdf if isinstance(pdf, PdfReader) else PdfReader(str(pdf))


def pdf_text(path: Path | str | PdfReader) -> str:
    """The text of every page of a PDF, as a reader would copy it."""
    text = "\n".join(page.extract_text() for page in opened(path).pages)
    return unicodedata.normalize("NFKC", text).translate(RADICALS)


def flat(text: str) -> str:
    """Text compared as a reader sees it: NFKC (full-width punctuation folded), no spaces or line breaks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_fonts(path: Path | str | PdfReader) -> set[str]:
    """The names of the fonts a PDF carries inside it; a font it would take from the reader's system is refused.

    Chromium (Skia) writes the glyphs of Noto CJK's OpenType collections as Type 3 fonts: the outlines are
    in the file (CharProcs), named by their FontDescriptor. Other fonts must carry a FontFile.
    """
    names: set[str] = set()
    for page in opened(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            parts = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            embedded = font.get("/Subtype") == "/Type3" and "/CharProcs" in font
            for part in parts:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                embedded |= any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                if embedded:
                    names.add(str(descriptor.get("/FontName", "")))
            if not embedded:
                raise AssertionError(f"{path}: font {font.get('/BaseFont')} is not embedded")
    return names
