"""Sign-in where a message's link opens: the chat app identifies the person, no password.

These views live in notify, not accounts, because they need the platforms' HTTP clients
(``notify.chatapps``) and accounts may not import a plug-in; they only read ``accounts.Profile``
and call Django's ``login``.

1. ``/notifications/signin/<kind>/?next=/approvals/5/`` — the link a message carries. A random
   nonce goes into an HttpOnly cookie (binding the sign-in to this browser) and, hashed, into the
   ``state``, which is signed and carries ``next``. The browser is sent to the platform.
2. The platform sends it back to ``…/signin/<kind>/done/?code=C&state=S``. Refused, with a page in
   Chinese and nobody signed in, when: the state is forged, expired (``NOTIFY_SIGNIN_SECONDS``)
   or for another app; the cookie is missing or another browser's; the state was used before
   (``UsedNonce``, so a copied callback URL signs nobody in); the platform refuses the code (used
   or forged — the platforms issue each code once); or the id it names belongs to no active user
   (or to more than one).
"""

import hashlib
import hmac
import secrets

import httpx
from django.contrib.auth import get_user_model, login
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhongshu.core.redirects import safe_next

from . import chatapps, conf
from .channels import absolute
from .models import ChatApp, UsedNonce

NEXT = "next"  # the page a message link opens, kept in the signed state

SALT = "zhongshu.notify.signin"
COOKIE = "zs_signin"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _app(kind: str) -> ChatApp:
    app = ChatApp.objects.filter(kind=kind, enabled=True).first()
    if app is None:
        raise Http404
    return app


def _safe_next(request, value: str) -> str:
    # the one same-origin check of core.redirects: a path of this site, else the home page
    return safe_next(request, value) or "/"


def _refuse(request, reason: str, *, status: int = 403):
    response = render(request, "notify/signin_refused.html", {"reason": reason}, status=status)
    response.delete_cookie(COOKIE, path="/notifications/signin/")
    return response


@require_GET
def start(request, kind: str):
    app = _app(kind)
    nonce = secrets.token_urlsafe(24)
    state = signing.dumps(
        {"k": kind, "n": _digest(nonce), "next": _safe_next(request, request.GET.get(NEXT, ""))},
        salt=SALT,
        compress=True,
    )
    done = reverse("notify:signin_done", args=[kind])
    redirect_uri = absolute(done) if conf.public_base_url() else request.build_absolute_uri(done)
    response = HttpResponseRedirect(chatapps.authorize_url(app, redirect_uri, state))
    response.set_cookie(
        COOKIE,
        nonce,
        max_age=conf.get("NOTIFY_SIGNIN_SECONDS"),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path="/notifications/signin/",
    )
    return response


def _check_state(request, kind: str) -> dict | str:
    """The state's contents, or why it is refused."""
    try:
        data = signing.loads(
            request.GET.get("state", ""), salt=SALT, max_age=conf.get("NOTIFY_SIGNIN_SECONDS")
        )
    except signing.SignatureExpired:
        return _("This sign-in link has expired. Open the message again.")
    except signing.BadSignature:
        return _("This sign-in request is not valid.")
    if not isinstance(data, dict) or data.get("k") != kind:
        return _("This sign-in request is not valid.")
    cookie = request.COOKIES.get(COOKIE, "")
    if not cookie or not hmac.compare_digest(_digest(cookie), str(data.get("n", ""))):
        return _("This sign-in was started in another browser. Open the message again.")
    try:
        with transaction.atomic():
            UsedNonce.objects.create(purpose="signin", value=str(data["n"]))
    except IntegrityError:
        return _("This sign-in link was used already. Open the message again.")
    return data


def _user_for(kind: str, platform_id: str):
    if not platform_id:
        return None
    field = f"profile__{chatapps.SIGNIN_FIELD[kind]}"
    users = list(get_user_model().objects.filter(is_active=True, **{field: platform_id})[:2])
    return users[0] if len(users) == 1 else None


@require_GET
def done(request, kind: str):
    app = _app(kind)
    data = _check_state(request, kind)
    if isinstance(data, str):
        return _refuse(request, data)
    # DingTalk's OAuth2 names it authCode, WeCom and Feishu code
    code = request.GET.get("code") or request.GET.get("authCode") or ""
    if not code or len(code) > 512:
        return _refuse(request, _("The chat app did not confirm who you are."))
    try:
        with chatapps.http_client() as client:
            platform_id = chatapps.identify(app, code, client)
    except (chatapps.PlatformError, httpx.HTTPError):
        return _refuse(
            request, _("The chat app did not confirm who you are. Open the message again.")
        )
    user = _user_for(kind, platform_id)
    if user is None:
        reason = _(
            "Your %(app)s account (%(id)s) is not linked to any user here. Ask an administrator "
            "to enter it on your user page."
        ) % {"app": app.get_kind_display(), "id": platform_id or "-"}
        return _refuse(request, reason)
    login(request, user, backend=BACKEND)
    response = HttpResponseRedirect(_safe_next(request, str(data.get("next", "/"))))
    response.delete_cookie(COOKIE, path="/notifications/signin/")
    return response
