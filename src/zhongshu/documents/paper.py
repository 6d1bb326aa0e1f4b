"""The two paper layouts: A4 sheets, and 241 mm continuous form (9.5 × 11 in, the three-part
carbonless paper of dot-matrix printers)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    key: str
    css_size: str  # the @page size of the print page
    pdf_format: str | tuple[float, float]  # fpdf2's format (mm)
    margin_mm: float


A4 = Paper("a4", "A4", "A4", 12)
CONTINUOUS = Paper("241", "241mm 279.4mm", (241.0, 279.4), 8)
PAPERS = {p.key: p for p in (A4, CONTINUOUS)}


def paper_of(request) -> Paper:
    return PAPERS.get(request.GET.get("paper", ""), A4)
