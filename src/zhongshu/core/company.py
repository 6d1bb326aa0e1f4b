"""Our company's details as every layer prints them (name, address, phone, tax id, logo).

The company page lives high up (documents); a lower app that prints the company — the finance
statement workbook — asks here. The page's app registers its reader with ``provide``; until it
does (or for a blank field) the environment settings ``COMPANY_NAME`` … are used."""

from collections.abc import Callable

from django.conf import settings

FIELDS = ("name", "address", "phone", "tax_id")
_provider: list[Callable[[], dict[str, str]]] = []


def provide(reader: Callable[[], dict[str, str]]) -> None:
    """Register the reader of the company page's stored details (one; a later call replaces it)."""
    _provider[:] = [reader]


def company_info() -> dict[str, str]:
    """The company's text details: the stored value, or the setting of the same name when blank."""
    stored = _provider[0]() if _provider else {}
    return {f: stored.get(f) or getattr(settings, f"COMPANY_{f.upper()}", "") or "" for f in FIELDS}
