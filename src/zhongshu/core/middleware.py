"""Every answer under /api/ is in the JSON error shape ``{code, message, details}`` — also those
that never reach the API's own handlers: a URL that matches no route (``/api/v1/orders/-1``), a
method the route does not take (405), a body over the size limit (413), a file name too long."""

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from . import jsonbody

API_PREFIX = "/api/"
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "throttled",
}


def _message(status: int) -> str:
    return {
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
    }.get(status, _("The request could not be processed."))


def error(status: int, message: Any = None, code: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {
        "code": code or CODES.get(status, "error"),
        "message": str(message or _message(status)),
    }
    body["details"] = {}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


GetResponse = Callable[[HttpRequest], HttpResponseBase]


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        shaped = error(response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                shaped[header] = response[header]
        return shaped

    def process_exception(self, request: HttpRequest, exc: Exception) -> JsonResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exc, RequestDataTooBig):
            return error(413)
        if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
            return error(400, _("The request is malformed."))
        return None


def _is_json(response: HttpResponseBase) -> bool:
    if "json" not in response.get("Content-Type", ""):
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        return isinstance(json.loads(getattr(response, "content", None) or b"null"), dict)
    except ValueError:
        return False


SESSION_KEY_RE = re.compile(r"[a-z0-9]{8,64}")


def _drop_malformed_session(request: HttpRequest) -> None:
    """A session cookie that no session key can look like (Django's keys are lowercase letters
    and digits) is treated as no session: looked up as it is, a NUL in it fails the query on
    PostgreSQL and turns any page, even a 404, into a 500."""
    from django.conf import settings

    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if key and not SESSION_KEY_RE.fullmatch(key) and hasattr(request, "session"):
        request.session = request.session.__class__(None)


class BoundedParametersMiddleware:
    """Refuses a request whose query string carries an integer or a date out of bounds
    (``zhongshu.core.bounds``), for the API and the web pages alike."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from django.http import HttpResponseBadRequest

        from .bounds import body_problems, query_problems

        errors = query_problems(request.GET) if request.GET else []
        _drop_malformed_session(request)
        if "\x00" in request.path:
            errors.append(
                {"field": "path", "message": _("Text may not contain the NUL character.")}
            )
        api = request.path.startswith(API_PREFIX)
        if not errors and api and "json" in (request.content_type or ""):
            try:
                errors = body_problems(jsonbody.loads(request.body)) if request.body else []
            except RequestDataTooBig:
                return error(413)
            except ValueError:
                errors = []  # not JSON: the API's own parser answers it
        if not errors:
            return self.get_response(request)
        if api:
            response = error(422, _("Some fields are not valid."), code="validation_error")
            response.content = json.dumps(
                {
                    "code": "validation_error",
                    "message": str(_("Some fields are not valid.")),
                    "details": {"errors": errors},
                },
                ensure_ascii=False,
            ).encode()
            return response
        text = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
