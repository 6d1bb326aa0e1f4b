"""The one place where a ``DomainError`` becomes what a person sees on a page.

Field errors go next to their inputs (``lines[2].quantity`` → the quantity box of the third line),
everything else becomes a message at the top of the page; out-of-scope objects become a plain 404
so the existence of other regions' records does not leak.
"""

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.errors import (
    DomainError,
    ForbiddenField,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")

# Labels for field names a service may report that are not inputs of the form at hand.
FIELD_LABELS = {
    "unit_price": gettext_lazy("Unit price"),
    "discount_rate": gettext_lazy("Discount (%)"),
    "tax_rate": gettext_lazy("Tax rate (%)"),
    "payment_terms": gettext_lazy("Payment terms"),
    "lines": gettext_lazy("Lines"),
    "version": gettext_lazy("Version"),
}

View = Callable[..., HttpResponseBase]


def _label(field: str, form: BaseForm | None) -> str:
    if form is not None and field in form.fields and form.fields[field].label:
        return str(form.fields[field].label)
    return str(FIELD_LABELS.get(field, field))


def _place(field: str, message: str, form: BaseForm | None, lines: list[BaseForm]) -> bool:
    """Attach one field error to the matching input; False when nothing on the page matches."""
    match = LINE_FIELD.match(field)
    if match:
        index, name = int(match.group(1)), match.group(2)
        if index >= len(lines):
            return False
        line = lines[index]
        line.add_error(name if name in line.fields else None, message)
        return True
    if form is None:
        return False
    if field in form.fields:
        form.add_error(field, message)
    else:
        form.add_error(None, f"{_label(field, form)}: {message}")
    return True


def _shortage_lines(shortages: list[Any]) -> list[str]:
    return [
        _("Not enough stock of %(material)s: requested %(requested)s, available %(available)s.")
        % {
            "material": s.get("material", "?"),
            "requested": s.get("requested", "?"),
            "available": s.get("available", "?"),
        }
        for s in shortages
        if isinstance(s, dict)
    ]


def apply_error(
    request: HttpRequest,
    error: DomainError,
    *,
    form: BaseForm | None = None,
    lines: Iterable[BaseForm] = (),
) -> int:
    """Show ``error`` on the page being rendered (or the next one after a redirect).

    Returns the HTTP status the re-rendered page should carry. ``NotFound`` raises ``Http404``.
    """
    if isinstance(error, NotFound):
        raise Http404(str(error.message))
    if isinstance(error, ValidationFailed):
        unplaced = [
            f"{_label(item['field'], form)}: {item['message']}"
            for item in error.errors
            if not _place(item["field"], item["message"], form, list(lines))
        ]
        messages.error(request, str(error.message))
        for text in unplaced:
            messages.error(request, text)
        return error.http_status
    if isinstance(error, ForbiddenField):
        names = ", ".join(_label(f, form) for f in error.details.get("fields", []))
        messages.error(request, f"{error.message} ({names})")
        return error.http_status
    messages.error(request, str(error.message))
    details = error.details or {}
    reasons = details.get("reasons") or []
    for reason in reasons:
        if str(reason) != str(error.message):
            messages.error(request, str(reason))
    for text in _shortage_lines(details.get("shortages") or []):
        messages.error(request, text)
    return error.http_status


def domain_errors(view: View) -> View:
    """Safety net for views: a ``DomainError`` that a view did not handle itself never becomes a
    500. Scope misses are 404, permission refusals 403, anything else an error page with its
    status and message."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            if isinstance(exc, ForbiddenField):
                status = apply_error(request, exc)
                return render(request, "core/error.html", status=status)
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            status = apply_error(request, exc)
            return render(request, "core/error.html", status=status)

    return wrapper
