"""Lockout after repeated failed logins (django-axes), for the web login and the token API.

Attempts are counted per username, not per IP address: a factory behind one NAT address must not
lock everyone out because one person forgot a password.
"""

import math
from typing import Any

from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def is_locked_out(request: HttpRequest) -> bool:
    """Whether axes refused (or just locked) the login attempt made with this request."""
    return bool(getattr(request, "axes_locked_out", False))


def clear_failures(username: str) -> None:
    """After a successful token login: django-axes resets the count on ``user_logged_in``, which
    only a session login sends (and sending it here would create a session for the API client)."""
    if settings.AXES_RESET_ON_SUCCESS:
        reset(username=username)


def lockout_message() -> str:
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return _(
        "Too many failed logins: this account is locked for %(minutes)d minutes. "
        "Try again later or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: keep the page or JSON error the login view already built.

    The login form and the token API both explain the lock themselves; only the status is made
    to say so as well.
    """
    if original_response is None:
        return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")
    if original_response.status_code < 400:
        original_response.status_code = 429
    return original_response


def slow_down_failures(
    sender: object,
    credentials: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """``user_login_failed``: from the third failure in a row for a username, wait a moment before
    answering (LOGIN_FAILURE_DELAY seconds), so guessing from many addresses stays slow."""
    import time

    from axes.models import AccessAttempt

    delay = float(getattr(settings, "LOGIN_FAILURE_DELAY", 0) or 0)
    username = (credentials or {}).get("username")
    if delay <= 0 or not username:
        return
    failures = sum(
        AccessAttempt.objects.filter(username=username).values_list(
            "failures_since_start", flat=True
        )
    )
    # axes has already counted this failure when the signal reaches us
    if failures >= 3:
        time.sleep(min(delay, 5.0))
