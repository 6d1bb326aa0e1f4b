"""QR codes (segno): inline SVG for the print page, a PNG data URI for the PDF."""

import segno


def svg(url: str, *, scale: int = 2) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, border=2)


def png_data_uri(url: str, *, scale: int = 4) -> str:
    return segno.make(url, error="m").png_data_uri(scale=scale, border=2)
