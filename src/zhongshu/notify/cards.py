"""Feishu card buttons: a click comes back as a signed callback and is handed to the handler the
button's value names.

A handler is registered by the app that owns the decision (``register("approvals.decide", fn)``
from approvals' registrations), so notify never imports it. ``fn(actor=user, value=dict)``
returns the toast text; a ``DomainError`` is shown as the toast's error.

The callback is trusted only when (Feishu's own scheme, docs/notifications.md):

* ``X-Lark-Signature`` equals ``sha256(timestamp + nonce + encrypt_key + raw body)`` in hex, with
  ``X-Lark-Request-Timestamp`` / ``X-Lark-Request-Nonce``; the timestamp is within
  ``NOTIFY_CALLBACK_SKEW`` seconds;
* the body's verification token (``token`` or ``header.token``) is the app's;
* its nonce and event id were never seen (``UsedNonce``): a replayed click changes nothing.

The clicking person is matched by their Feishu ``user_id`` on ``accounts.Profile``.
"""

import hashlib
import hmac
import json
import time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhongshu.core.errors import DomainError, ValidationFailed

from . import conf
from .chatapps import unseal
from .models import ChatApp, UsedNonce

_handlers: dict = {}


def register(name: str, handler) -> None:
    _handlers[name] = handler


def signature(timestamp: str, nonce: str, key: str, raw: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + key).encode() + raw).hexdigest()


def _fail(status: int, msg: str) -> JsonResponse:
    return JsonResponse({"code": status, "msg": msg}, status=status)


def _toast(kind: str, text: str) -> JsonResponse:
    return JsonResponse({"toast": {"type": kind, "content": text}})


def _verified(request, app: ChatApp) -> dict | JsonResponse:
    key = unseal(app.callback_key_encrypted)
    ts = request.headers.get("X-Lark-Request-Timestamp", "")
    nonce = request.headers.get("X-Lark-Request-Nonce", "")
    sign = request.headers.get("X-Lark-Signature", "")
    raw = request.body
    if not key or not ts or not nonce or not sign:
        return _fail(401, "signature required")
    if not hmac.compare_digest(sign, signature(ts, nonce, key, raw)):
        return _fail(401, "signature mismatch")
    if not ts.isdigit() or abs(time.time() - int(ts)) > conf.get("NOTIFY_CALLBACK_SKEW"):
        return _fail(401, "timestamp out of range")
    try:
        body = json.loads(raw)
    except ValueError:
        return _fail(400, "invalid json")
    if not isinstance(body, dict):
        return _fail(400, "invalid json")
    header = body.get("header")
    if not isinstance(header, dict):
        header = {}
    token = str(body.get("token") or header.get("token") or "")
    if not hmac.compare_digest(token, unseal(app.callback_token_encrypted) or "\0"):
        return _fail(401, "verification token mismatch")
    body["_nonce"], body["_event_id"] = nonce, str(header.get("event_id") or "")
    return body


def _first_use(body: dict) -> bool:
    try:
        with transaction.atomic():
            UsedNonce.objects.create(purpose="feishu-card", value=body["_nonce"][:128])
            if body["_event_id"]:
                UsedNonce.objects.create(purpose="feishu-event", value=body["_event_id"][:128])
    except IntegrityError:
        return False
    return True


@csrf_exempt
@require_POST
def feishu_callback(request):
    app = ChatApp.objects.filter(kind="feishu", enabled=True).first()
    if app is None:
        return _fail(404, "no Feishu app configured")
    body = _verified(request, app)
    if isinstance(body, JsonResponse):
        return body
    if body.get("type") == "url_verification":
        return JsonResponse({"challenge": body.get("challenge", "")})
    if not _first_use(body):
        return _fail(409, "replayed callback")
    event = body.get("event") if isinstance(body.get("event"), dict) else body
    operator = event.get("operator") if isinstance(event.get("operator"), dict) else event
    action = event.get("action") if isinstance(event.get("action"), dict) else {}
    value = action.get("value") if isinstance(action.get("value"), dict) else {}
    user_id = str(operator.get("user_id") or "")
    users = list(
        get_user_model().objects.filter(is_active=True, profile__feishu_user_id=user_id)[:2]
    )
    if not user_id or len(users) != 1:
        return _toast("error", "您的飞书账号未关联中枢用户，请联系管理员。")
    handler = _handlers.get(str(value.get("handler", "")))
    if handler is None:
        return _toast("error", "这个按钮已失效。")
    try:
        text = handler(actor=users[0], value=value)
    except ValidationFailed as exc:
        return _toast("error", "；".join(e["message"] for e in exc.errors) or str(exc.message))
    except DomainError as exc:
        return _toast("error", str(exc.message))
    return _toast("success", text)
