"""Where a form may send the user back to: ``next`` is followed only to a path of this site.

    return redirect_back(request, "production:my")

A full URL (``https://elsewhere.example/``), a scheme-relative one (``//elsewhere``), a backslash
trick (``/\\elsewhere``) or anything with control characters falls back to the default.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: str | None, *, prefix: str = "/") -> str | None:
    """``value`` when it is a same-origin path starting with ``prefix``, else ``None``."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value if value.startswith(prefix) else None


def redirect_back(
    request: HttpRequest, default: str, *, prefix: str = "/", field: str = "next"
) -> HttpResponseRedirect | HttpResponsePermanentRedirect:
    """Redirect to ``request.POST[field]`` (or GET) when it is safe, else to ``default``."""
    target = safe_next(request, request.POST.get(field) or request.GET.get(field), prefix=prefix)
    return redirect(target or default)
