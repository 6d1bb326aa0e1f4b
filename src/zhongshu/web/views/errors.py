"""The error pages: 400, 403, 404, 500 and a failed CSRF check, in the app's layout and the
user's language, each with a way back. Under /api/ the JSON error shape takes over (the API's
middleware reshapes any non-JSON answer there)."""

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from zhongshu.core.errors import DomainError

log = logging.getLogger(__name__)


def _back(request: HttpRequest) -> str:
    """The page the user came from when it is one of ours, else nothing."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _reason(exception: BaseException | None) -> str:
    """A refusal's own words when it has some meant for people (a domain refusal's message)."""
    if exception is None:
        return ""
    cause = exception.__cause__
    if isinstance(cause, DomainError):
        return str(cause.message)
    return ""


def _page(
    request: HttpRequest, status: int, title: str, text: str, reason: str = ""
) -> HttpResponse:
    context = {"status": status, "title": title, "text": text, "reason": reason}
    context["back"] = _back(request)
    return HttpResponse(render_to_string("web/error.html", context, request), status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request, 400, _("Bad request"), _("The request could not be understood. Please go back.")
    )


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("No permission"),
        _("Your role does not allow this page or action. Ask an administrator if you need it."),
        _reason(exception),
    )


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("This page does not exist, or the record is not in your area."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("The form has expired"),
        _("The page was open too long or the session changed. Reload the page and try again."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The layout needs the database (menu, badges); when the error is the database itself,
    Django's bare page is still an answer."""
    try:
        return _page(
            request,
            500,
            _("Something went wrong"),
            _("The error has been logged. Please try again in a moment."),
        )
    except Exception:
        log.exception("the error page could not be rendered")
        return defaults.server_error(request)
