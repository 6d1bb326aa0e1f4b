"""Text of a PDF, for comparing what a document prints: pypdf's extraction of CJK text puts
spaces between glyphs, so all whitespace is dropped before comparing. NFKC folds the Kangxi
radicals (⼯, ⽇) that a PDF's ToUnicode map may name for glyphs the font shares with the
ideographs (工, 日) back into the ideographs."""

import io
import re
import unicodedata

from pypdf import PdfReader


def pdf_pages(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    # (and the NULs pypdf leaves between the two-byte glyph codes of an embedded CID font)
    return [
        unicodedata.normalize("NFKC", re.sub(r"[\s\x00]+", "", page.extract_text() or ""))
        for page in reader.pages
    ]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
