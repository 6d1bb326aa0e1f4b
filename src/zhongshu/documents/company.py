"""Our company as printed at the head of every document: the company page's one row
(``CompanyProfile``), each blank field falling back to the environment setting of the same name.
The logo is a PNG or JPEG; missing or unreadable means no logo."""

import base64
import binascii
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.validation import Errors, clean_text

from .models import CompanyProfile

LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_LOGO_BYTES = 512 * 1024
TEXT_FIELDS = {"name": 100, "address": 200, "phone": 40, "tax_id": 30}
# how an upload proves what it is: the file's first bytes, not its name
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


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


def profile() -> CompanyProfile | None:
    return CompanyProfile.objects.order_by("pk").first()


def stored_text() -> dict:
    """The page's stored text fields as they are (blank when never saved)."""
    row = profile()
    return {f: getattr(row, f, "") if row is not None else "" for f in TEXT_FIELDS}


def company() -> dict:
    row = profile()

    def value(field: str) -> str:
        stored = getattr(row, field, "") if row is not None else ""
        return stored or getattr(settings, f"COMPANY_{field.upper()}", "") or ""

    if row is not None and row.logo:
        logo = f"data:{row.logo_type};base64,{base64.b64encode(bytes(row.logo)).decode()}"
    else:
        path = getattr(settings, "COMPANY_LOGO", "") or ""
        logo = _logo_uri(path) if path else ""
    return {field: value(field) for field in TEXT_FIELDS} | {"logo": logo}


def is_complete() -> bool:
    """What the go-live checklist asks of this step: a name and a tax id to print."""
    info = company()
    return bool(info["name"] and info["tax_id"])


def _logo_type(data: bytes) -> str:
    return next((mime for sig, mime in SIGNATURES.items() if data.startswith(sig)), "")


@transaction.atomic
def company_save(
    *, actor: Actor, name: str, address: str = "", phone: str = "", tax_id: str = "",
    logo: bytes | None = None, remove_logo: bool = False,
) -> CompanyProfile:  # fmt: skip
    """Replace the company's details; ``logo`` (PNG or JPEG, at most 512 KB) replaces the logo."""
    permissions.require(actor, "company.manage")
    errors = Errors()
    values = {"name": name, "address": address, "phone": phone, "tax_id": tax_id}
    clean = {
        f: clean_text(errors, f, values[f], max_length=n, required=f == "name")
        for f, n in TEXT_FIELDS.items()
    }
    mime = ""
    if logo:
        mime = _logo_type(logo)
        if len(logo) > MAX_LOGO_BYTES:
            errors.add("logo", _("The logo may be at most 512 KB."))
        elif not mime:
            errors.add("logo", _("The logo must be a PNG or JPEG image."))
    errors.raise_if_any()
    row = CompanyProfile.objects.select_for_update().order_by("pk").first() or CompanyProfile()
    for field, text in clean.items():
        setattr(row, field, text)
    if logo:
        row.logo, row.logo_type = logo, mime
    elif remove_logo:
        row.logo, row.logo_type = b"", ""
    row._history_user = actor  # type: ignore[attr-defined]  # named in the audit trail
    row.save()
    return row


def company_get(*, actor: Actor) -> dict:
    """The company as printed, for the API (administrators)."""
    permissions.require(actor, "company.manage")
    return company()


def company_update(*, actor: Actor, logo_base64: str | None = None, **changes) -> CompanyProfile:
    """Change only the fields given (the API's PATCH); the rest stay as stored."""
    permissions.require(actor, "company.manage")
    stored = stored_text()
    logo = None
    if logo_base64:
        text = logo_base64.split(",", 1)[1] if logo_base64.startswith("data:") else logo_base64
        try:
            logo = base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            errors = Errors()
            errors.add("logo_base64", _("The logo must be a PNG or JPEG image."))
            errors.raise_if_any()
    values = {f: stored[f] if changes.get(f) is None else changes[f] for f in TEXT_FIELDS}
    return company_save(
        actor=actor, **values, logo=logo, remove_logo=bool(changes.get("remove_logo"))
    )
