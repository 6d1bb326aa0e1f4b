"""Our company as printed at the head of every document: settings (environment), nothing
stored. The logo is a PNG or JPEG file; missing or unreadable means no logo."""

import base64
from functools import lru_cache
from pathlib import Path

from django.conf import settings

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_LOGO_BYTES = 512 * 1024


@lru_cache(maxsize=4)
def _logo_uri(path: str) -> str:
    file = Path(path)
    mime = LOGO_TYPES.get(file.suffix.lower())
    try:
        if mime is None or file.stat().st_size > MAX_LOGO_BYTES:
            return ""
        return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode()}"
    except OSError:
        return ""


def company() -> dict:
    logo = getattr(settings, "COMPANY_LOGO", "") or ""
    return {
        "name": getattr(settings, "COMPANY_NAME", "") or "",
        "address": getattr(settings, "COMPANY_ADDRESS", "") or "",
        "phone": getattr(settings, "COMPANY_PHONE", "") or "",
        "tax_id": getattr(settings, "COMPANY_TAX_ID", "") or "",
        "logo": _logo_uri(logo) if logo else "",
    }
