"""PDF files from the documents' PDF templates (``documents/pdf/*.html``, overridable like every
template): rendered by Django, laid out by fpdf2's HTML subset with Noto Sans SC embedded (only
the glyphs used: fpdf2 subsets the font). The font ships in a package (pylopdf-fonts-zh-cn);
nothing is downloaded."""

from django.template.loader import render_to_string
from fpdf import FPDF
from fpdf.fonts import TextStyle
from pylopdf_fonts_zh_cn import sans_path

from .paper import Paper

FONT = "zh"


def _styles() -> dict:
    # one regular face only (no bold/italic files): headings are set by size, never by weight
    return {
        f"h{n}": TextStyle(
            font_family=FONT, font_size_pt=size, color="#000", t_margin=2, b_margin=1
        )
        for n, size in ((1, 16), (2, 12), (3, 11))
    }


def render_pdf(template: str, context: dict, *, paper: Paper, title: str, request=None) -> bytes:
    html = render_to_string(template, context, request=request)
    pdf = FPDF(format=paper.pdf_format)
    pdf.set_margins(paper.margin_mm, paper.margin_mm, paper.margin_mm)
    pdf.set_auto_page_break(True, margin=paper.margin_mm)
    pdf.set_title(title)
    pdf.set_creator("Zhongshu")
    pdf.add_font(FONT, fname=str(sans_path()))
    pdf.set_font(FONT, size=9)
    for page in html.split("<!--pagebreak-->"):
        if not page.strip():
            continue
        pdf.add_page()
        pdf.write_html(page, font_family=FONT, tag_styles=_styles())
    return bytes(pdf.output())
