"""Uploaded files: their type read from their first bytes (never their name) and a safe name."""

import re
import unicodedata

SNIFF = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"AC10", "image/vnd.dwg", "dwg"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """The file type from its first bytes (never its name): pdf, png, jpg, dwg, dxf, xlsx."""
    for magic, ctype, ext in SNIFF:
        if head.startswith(magic):
            return ctype, ext
    # a workbook names its xl/ parts among its first entries (a .docx has word/, a plain zip
    # neither)
    if head.startswith(b"PK\x03\x04") and b"xl/" in head:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    text = head.lstrip()[:64]
    if re.match(rb"^0\s*\r?\n\s*SECTION\b", text) or re.match(rb"^999\s*\r?\n", text):
        return "image/vnd.dxf", "dxf"
    return None


def safe_name(name: str, ext: str) -> str:
    base = unicodedata.normalize("NFKC", str(name or "")).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = base.rsplit(".", 1)[0] if "." in base else base
    base = re.sub(r"[^\w\-]+", "_", base, flags=re.UNICODE).strip("._")[:80] or "file"
    return f"{base}.{ext}"
